"""The benchmark's orchestrator: builds tiers, starts each measuring step in its own process,
and writes RESULTS.md and results.json as it goes, so a long run that stops keeps its numbers.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import machine, results
from bench.common import (
    BENCH_DIRECTORY,
    DATABASES,
    DEFAULT_DATA_DIRECTORY,
    POSTGRESQL,
    PROJECT_ROOT,
    SQLITE,
    TIERS,
    database_url,
    log,
)

# A step that runs longer than this has hung: at L the slowest, seeding, takes minutes.
STEP_TIMEOUT_SECONDS = 3 * 60 * 60


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Time the outcomes report, the dashboard, reviews, import and the service "
        "at 5,000 (S), 50,000 (M) and 500,000 (L) children, against DuckDB on the same rows.",
    )
    parser.add_argument("--tiers", help="comma-separated tiers among S,M,L (default: all)")
    parser.add_argument(
        "--databases", help="comma-separated databases among sqlite,postgresql (default: both)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="S on SQLite only, few repetitions, no load test (under 2 minutes)",
    )
    parser.add_argument("--repetitions", type=int, help="most timed repetitions per measurement")
    parser.add_argument(
        "--budget", type=float, help="seconds after which a measurement stops repeating"
    )
    parser.add_argument("--import-rows", type=int, help="rows in the generated import file")
    parser.add_argument("--no-load-test", action="store_true", help="skip the load test")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIRECTORY)
    parser.add_argument("--label", help="a few words on the code measured, shown with the results")
    parser.add_argument(
        "--output",
        type=Path,
        help="directory for RESULTS.md and results.json (default: bench/, or the data "
        "directory in quick mode so that a quick run never replaces the full results)",
    )
    arguments = parser.parse_args(argv)
    arguments.argv = list(argv if argv is not None else sys.argv[1:])
    quick = arguments.quick
    arguments.tiers = _choose(arguments.tiers, "S" if quick else "S,M,L", TIERS)
    arguments.databases = _choose(
        arguments.databases, SQLITE if quick else "sqlite,postgresql", DATABASES
    )
    arguments.repetitions = arguments.repetitions or (5 if quick else 30)
    arguments.budget = arguments.budget or (5.0 if quick else 60.0)
    arguments.import_rows = arguments.import_rows or 100_000
    arguments.load_test = not (quick or arguments.no_load_test)
    arguments.output = arguments.output or (arguments.data_dir if quick else BENCH_DIRECTORY)
    return arguments


def _choose(text: str | None, default: str, known) -> list[str]:
    """Return the names chosen on the command line, checked against the known ones."""
    chosen = [name.strip() for name in (text or default).split(",") if name.strip()]
    unknown = [name for name in chosen if name not in known]
    if unknown:
        raise SystemExit(f"Unknown: {', '.join(unknown)} (choose from {', '.join(known)})")
    return chosen


# Imports of each kind, each in a process of its own into a fresh database: the middle one counts,
# since one import's time on a small, shared machine varies by a third from run to run.
IMPORT_RUNS = 3


def median_run(runs: list[dict]) -> dict:
    """Return the run of median time, noting every run's seconds."""
    ordered = sorted(runs, key=lambda run: run["seconds"])
    return {**ordered[len(ordered) // 2], "runs_seconds": [run["seconds"] for run in runs]}


def run_step(step: str, data_directory: Path, **options) -> dict:
    """Run one step in its own Python process and return its result."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as output:
        out = Path(output.name)
    command = [
        sys.executable,
        "-m",
        "bench.worker",
        step,
        "--data-dir",
        str(data_directory),
        "--out",
        str(out),
    ]
    for name, value in options.items():
        flag = f"--{name.replace('_', '-')}"
        command += [flag] if value is True else [flag, str(value)]
    try:
        subprocess.run(  # noqa: S603  (our own interpreter and arguments)
            command, cwd=PROJECT_ROOT, check=True, timeout=STEP_TIMEOUT_SECONDS
        )
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


def save(found: dict, output: Path) -> str:
    """Write results.json and RESULTS.md; return the markdown."""
    output.mkdir(parents=True, exist_ok=True)
    found["ratios"] = results.ratios(found)
    (output / "results.json").write_text(json.dumps(found, indent=2, default=str) + "\n")
    text = results.markdown(found)
    (output / "RESULTS.md").write_text(text + "\n")
    return text


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write its results."""
    arguments = parse_arguments(argv)
    data_directory = arguments.data_dir.resolve()
    data_directory.mkdir(parents=True, exist_ok=True)
    found: dict = {
        "mode": "quick" if arguments.quick else "full",
        "arguments": arguments.argv,
        "started_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "label": arguments.label,
        "machine": machine.describe(),
        "settings": {
            "repetitions": arguments.repetitions,
            "budget_seconds": arguments.budget,
            "import_rows": arguments.import_rows,
        },
        "runs": [],
        "imports": [],
        "errors": [],
    }
    common = {"repetitions": arguments.repetitions, "budget": arguments.budget}
    for tier_name in arguments.tiers:
        tier = TIERS[tier_name]
        for database in arguments.databases:
            if database not in tier.databases:
                continue
            log(f"{tier.name} ({tier.children:,} children) on {database}")
            run: dict = {"tier": tier.name, "database": database, "children": tier.children}
            found["runs"].append(run)
            for step, key, options in (
                ("build", "build", {}),
                ("measure", "measure", common),
                ("yardstick", "yardstick", common),
            ):
                try:
                    run[key] = run_step(
                        step, data_directory, tier=tier.name, database=database, **options
                    )
                except (subprocess.SubprocessError, OSError, ValueError) as error:
                    log(f"{tier.name} on {database}: {step} failed: {error}")
                    run.setdefault("errors", []).append(f"{step}: {error}")
                    if step == "build":
                        break
                save(found, arguments.output)
    for database in arguments.databases:
        log(f"import of {arguments.import_rows:,} rows into a fresh {database} database")
        # On PostgreSQL also as a role that may not skip foreign-key triggers (bulk.py).
        for plain_role in (False, True) if database == POSTGRESQL else (False,):
            try:
                runs = [
                    run_step(
                        "import",
                        data_directory,
                        database=database,
                        rows=arguments.import_rows,
                        **({"plain_role": True} if plain_role else {}),
                    )
                    for _ in range(IMPORT_RUNS)
                ]
                found["imports"].append(median_run(runs))
            except (subprocess.SubprocessError, OSError, ValueError) as error:
                found["errors"].append(f"import into {database}: {error}")
            save(found, arguments.output)
    if SQLITE in arguments.databases:
        log("upload check of a 50 MB file and of 100,000 columns")
        try:
            from bench.import_rate import write_upload_files

            file_info = write_upload_files(data_directory)
            found["upload"] = run_step("upload", data_directory) | {"file": file_info}
        except (subprocess.SubprocessError, OSError, ValueError) as error:
            found["errors"].append(f"upload check: {error}")
        save(found, arguments.output)
    found["load_test"] = load_test(arguments, data_directory)
    found["finished_at"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    text = save(found, arguments.output)
    print(text)
    log(f"wrote {arguments.output / 'RESULTS.md'} and {arguments.output / 'results.json'}")
    failed = any(run.get("errors") for run in found["runs"]) or found["errors"]
    return 1 if failed else 0


def load_test(arguments: argparse.Namespace, data_directory: Path) -> dict:
    """Run the load test at M on PostgreSQL when chosen, or say why not."""
    from bench import load

    if not arguments.load_test:
        return {"skipped": "quick mode or --no-load-test"}
    if "M" not in arguments.tiers or POSTGRESQL not in arguments.databases:
        return {"skipped": "the load test runs on the M tier on PostgreSQL, not chosen"}
    if shutil.which("wrk") is None:
        return {"skipped": "wrk, the load test's client, is not installed (Debian package wrk)"}
    log("load test at M on PostgreSQL")
    try:
        users = run_step("load-setup", data_directory, tier="M", database=POSTGRESQL)
        url = database_url(TIERS["M"], POSTGRESQL, data_directory)
        return load.run_load_test(url, users, data_directory / "load")
    except (subprocess.SubprocessError, OSError, ValueError, RuntimeError) as error:
        log(f"load test failed: {error}")
        return {"error": str(error)}
