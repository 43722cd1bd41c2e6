"""One step of the benchmark in a process of its own, so that its memory is measured alone.

`python -m bench.worker STEP --tier S --database sqlite --out result.json`; the orchestrator in
bench.run starts these and reads their results.
"""

import argparse
from pathlib import Path

from bench.common import TIERS, database_url, write_result


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    """Read the step and its options."""
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument(
        "step", choices=["build", "measure", "yardstick", "import", "upload", "load-setup"]
    )
    parser.add_argument("--tier", choices=sorted(TIERS), default="S")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--repetitions", type=int, default=30)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--plain-role", action="store_true")
    parser.add_argument("--families", type=int, default=300)
    parser.add_argument("--out")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run one step and write its result."""
    arguments = _arguments(argv)
    tier = TIERS[arguments.tier]
    data_directory = arguments.data_dir
    data_directory.mkdir(parents=True, exist_ok=True)
    url = database_url(tier, arguments.database, data_directory)
    if arguments.step == "build":
        from bench.tiers import build_tier

        result = build_tier(tier, arguments.database, data_directory)
    elif arguments.step == "measure":
        from bench.common import create_bench_app
        from bench.measure import measure

        result = measure(
            create_bench_app(url), repetitions=arguments.repetitions, budget=arguments.budget
        )
    elif arguments.step == "yardstick":
        from bench.common import create_bench_app
        from bench.yardstick import run_yardstick

        work_directory = data_directory / f"duckdb-{tier.name}-{arguments.database}"
        result = run_yardstick(
            create_bench_app(url),
            url,
            work_directory,
            repetitions=arguments.repetitions,
            budget=arguments.budget,
        )
    elif arguments.step == "upload":
        from bench.import_rate import measure_upload

        result = measure_upload(data_directory)
    elif arguments.step == "import":
        from bench.import_rate import measure_import

        result = measure_import(
            arguments.database, data_directory, arguments.rows, arguments.plain_role
        )
    else:
        from bench.common import create_bench_app
        from bench.load import set_up_families

        result = set_up_families(create_bench_app(url), arguments.families)
    write_result(arguments.out, result)


if __name__ == "__main__":
    main()
