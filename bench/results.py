"""Turning the benchmark's raw numbers into ratios and the markdown of bench/RESULTS.md."""

import shlex

from bench.measure import OTHER_DAY, report_cases

REPORT_DATES = ("today", "quarter end", OTHER_DAY)
LOAD_TARGET_RPS = 200
LOAD_TARGET_P95_MS = 150


def _run(results: dict, tier: str, database: str) -> dict | None:
    """Return the measurements of one tier on one database, if taken."""
    for run in results.get("runs", []):
        if run["tier"] == tier and run["database"] == database:
            return run
    return None


def _report_timing(run: dict | None, as_at: str, case: str) -> dict | None:
    """Return one report variant's timing from a run."""
    if not run or "measure" not in run:
        return None
    for timing in run["measure"]["reports"]:
        if timing["as_at"] == as_at and timing["case"] == case:
            return timing
    return None


def _full_journal_timing(run: dict | None, case: str) -> dict | None:
    """Return one report variant's timing as at another day with the journal full."""
    journal = ((run or {}).get("measure") or {}).get("full_journal") or {}
    return next((timing for timing in journal.get("reports", []) if timing["case"] == case), None)


def _duckdb_timing(run: dict | None, as_at: str, case: str) -> dict | None:
    """Return DuckDB's timing of one variant from a run."""
    if not run or "yardstick" not in run:
        return None
    for timing in run["yardstick"]["queries"]:
        if timing["as_at"] == as_at and timing["case"] == case:
            return timing
    return None


def ratios(results: dict) -> dict:
    """Return the ratios measured in the run: larger tiers over S, and ours over DuckDB."""
    found: dict = {"tier_over_s": [], "ours_over_duckdb": []}
    for run in results.get("runs", []):
        small = _run(results, "S", run["database"])
        if run["tier"] != "S" and small:
            for as_at in REPORT_DATES:
                for case, _, _ in report_cases(as_at):
                    large, base = (
                        _report_timing(run, as_at, case),
                        _report_timing(small, as_at, case),
                    )
                    if large and base:
                        found["tier_over_s"].append(
                            {
                                "ratio": f"{run['tier']}/S",
                                "database": run["database"],
                                "as_at": as_at,
                                "case": case,
                                "ratio_p50": large["p50_ms"] / base["p50_ms"],
                            }
                        )
        for query in (run.get("yardstick") or {}).get("queries", []):
            ours = _report_timing(run, query["as_at"], query["case"])
            if ours:
                found["ours_over_duckdb"].append(
                    {
                        "tier": run["tier"],
                        "database": run["database"],
                        "as_at": query["as_at"],
                        "case": query["case"],
                        "ours_p50_ms": ours["p50_ms"],
                        "duckdb_p50_ms": query["p50_ms"],
                        "ratio_p50": ours["p50_ms"] / query["p50_ms"],
                    }
                )
    return found


def _ratio_of(found: dict, key: str, **match) -> float | None:
    """Return the first ratio of a kind that matches, or None."""
    for item in found[key]:
        if all(item.get(name) == value for name, value in match.items()):
            return item["ratio_p50"]
    return None


def targets(results: dict) -> list[tuple[str, str, str, bool | None]]:
    """Return the targets the benchmark checks: (what, target, measured, met or None)."""
    found = results.get("ratios") or ratios(results)
    rows: list[tuple[str, str, str, bool | None]] = []

    def other_day(tier: str, database: str) -> float | None:
        timing = _report_timing(_run(results, tier, database), OTHER_DAY, "all outcomes")
        return timing["p50_ms"] if timing else None

    def check(what: str, target: str, value: float | None, limit: float, unit: str = " ms"):
        if value is None:
            rows.append((what, target, "not measured", None))
        else:
            shown = f"{value:.3g}" if unit == "×" else _number(value, 2)
            rows.append((what, target, f"{shown}{unit}", value <= limit))

    check("Other day, M on SQLite (p50)", "≤ 50 ms", other_day("M", "sqlite"), 50)
    check("Other day, L on PostgreSQL (p50)", "≤ 100 ms", other_day("L", "postgresql"), 100)
    for tier, database, limit in (("M", "sqlite", 50), ("L", "postgresql", 100)):
        timing = _full_journal_timing(_run(results, tier, database), "all outcomes")
        check(
            f"Other day with the journal full, {tier} on {database} (p50)",
            f"≤ {limit} ms",
            timing and timing["p50_ms"],
            limit,
        )
    for database in ("sqlite", "postgresql"):
        largest = "L" if _run(results, "L", database) else "M"
        check(
            f"Other day, {largest}/S on {database}",
            "≤ 2",
            _ratio_of(
                found,
                "tier_over_s",
                ratio=f"{largest}/S",
                database=database,
                as_at=OTHER_DAY,
                case="all outcomes",
            ),
            2,
            "×",
        )
    for tier, database in (("M", "sqlite"), ("L", "postgresql")):
        check(
            f"Other day over DuckDB, {tier} on {database}",
            "≤ 0.2×",
            _ratio_of(
                found,
                "ours_over_duckdb",
                tier=tier,
                database=database,
                as_at=OTHER_DAY,
                case="all outcomes",
            ),
            0.2,
            "×",
        )
    run = _run(results, "L", "postgresql") or {}
    trend = (run.get("measure") or {}).get("monthly_trend")
    check(
        "Monthly trend of 24 points, L on PostgreSQL (p50)",
        "≤ 300 ms",
        trend and trend["p50_ms"],
        300,
    )
    trend = ((run.get("measure") or {}).get("full_journal") or {}).get("monthly_trend")
    check(
        "Monthly trend with the journal full, L on PostgreSQL (p50)",
        "≤ 300 ms",
        trend and trend["p50_ms"],
        300,
    )
    review = (run.get("measure") or {}).get("review")
    check("Five-goal review, L on PostgreSQL (p50)", "≤ 25 ms", review and review["p50_ms"], 25)
    imports = results.get("imports", [])
    for database, floor in (("postgresql", 30_000), ("sqlite", 25_000)):
        item = next(
            (
                i
                for i in imports
                if i["database"] == database and i.get("foreign_keys") != "row by row"
            ),
            None,
        )
        rate = item and item.get("rows_per_second")
        rows.append(
            (
                f"Import of 100,000 rows into {database}",
                f"≥ {floor:,} rows/s",
                f"{rate:,.0f} rows/s" if rate else "not measured",
                None if not rate else rate >= floor,
            )
        )
    plain = next((i for i in imports if i.get("foreign_keys") == "row by row"), None)
    if plain and plain.get("rows_per_second"):
        rows.append(
            (
                "Import into postgresql by a role that may not skip triggers (row by row)",
                "for comparison",
                f"{plain['rows_per_second']:,.0f} rows/s",
                None,
            )
        )
    return rows


def _number(value, digits: int = 1) -> str:
    """Format a number for a table, or a dash when there is none."""
    if value is None:
        return "–"
    if isinstance(value, int) or (isinstance(value, float) and value >= 1000):
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def _ratio(value: float) -> str:
    """Format a ratio with two significant digits, however small or large."""
    if value >= 10:
        return f"{value:,.0f}×"
    return f"{value:.2g}×"


def _timing(timing: dict | None) -> str:
    """Format a timing as 'p50 / p95 (n)' in milliseconds."""
    if not timing:
        return "–"
    return f"{_number(timing['p50_ms'])} / {_number(timing['p95_ms'])} ({timing['n']})"


def _kept_cells(kept: dict | None) -> list[str]:
    """Return the kept data's row counts and sizes as table cells."""
    if not kept:
        return ["–"] * 7
    return [
        f"{kept['change_rows']:,}",
        f"{kept['checkpoint_rows']:,}",
        f"{kept['journal_rows']:,}" if "journal_rows" in kept else "–",
        f"{kept['checkpoints']:,}",
        f"{kept['change_rows_last_year'] + kept['checkpoint_rows_per_year']:,}",
        _number(kept.get("megabytes")),
        _number(kept.get("megabytes_per_year")),
    ]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Return a markdown table's lines."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def markdown(results: dict) -> str:
    """Return the results as the markdown of RESULTS.md."""
    machine = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Mode **{results['mode']}**, run {results['started_at']} to {results.get('finished_at')}"
        f" by `{shlex.join(['python', '-m', 'bench', *results.get('arguments', [])])}`.",
        f"Code: {machine.get('code')}"
        + (
            (
                f" at commit `{machine['git_commit']}`"
                + (
                    ", with uncommitted changes to "
                    + ", ".join(sorted(machine["git_changed_files"]))
                    if machine.get("git_changed_files")
                    else ", no uncommitted changes"
                )
            )
            if machine.get("git_commit")
            else " (not a git checkout)"
        )
        + "."
        + (f" {results['label']}." if results.get("label") else ""),
        "",
        "## Machine",
        "",
        *_table(
            ["CPU", "cores", "memory", "Python", "SQLite", "PostgreSQL", "DuckDB", "SQLAlchemy"],
            [
                [
                    machine["cpu"],
                    machine["cores"],
                    f"{machine['memory_gb']:.0f} GB" if machine.get("memory_gb") else "–",
                    machine["python"],
                    machine["sqlite"],
                    machine.get("postgresql") or "–",
                    machine.get("duckdb") or "–",
                    machine.get("sqlalchemy") or "–",
                ]
            ],
        ),
        "",
    ]
    lines += [
        "## Targets",
        "",
        "The figures the reporting work is held to, from this run.",
        "",
        *_table(
            ["what", "target", "measured", "met"],
            [
                [what, target, measured, "–" if met is None else ("yes" if met else "**no**")]
                for what, target, measured, met in targets(results)
            ],
        ),
        "",
    ]
    found = results.get("ratios") or ratios(results)
    lines += ["## Ratios measured in this run", ""]
    if found["tier_over_s"]:
        lines += [
            "Report time (p50) at a larger tier over the same report at S (5,000 children) on the "
            "same database; 1.0 would mean the cost does not grow with the number of children.",
            "",
            *_table(
                ["ratio", "database", "as at", "report", "p50 ratio"],
                [
                    [r["ratio"], r["database"], r["as_at"], r["case"], _ratio(r["ratio_p50"])]
                    for r in found["tier_over_s"]
                ],
            ),
            "",
        ]
    if found["ours_over_duckdb"]:
        lines += [
            "Our report (p50, through `outcome_reports.outcomes_report`, protection included) over "
            "DuckDB's query of the same report on the same rows (p50, in memory, load excluded).",
            "",
            *_table(
                ["tier", "database", "as at", "report", "ours ms", "DuckDB ms", "ours/DuckDB"],
                [
                    [
                        r["tier"],
                        r["database"],
                        r["as_at"],
                        r["case"],
                        _number(r["ours_p50_ms"]),
                        _number(r["duckdb_p50_ms"]),
                        _ratio(r["ratio_p50"]),
                    ]
                    for r in found["ours_over_duckdb"]
                ],
            ),
            "",
        ]
    protection = [
        (run, timing)
        for run in results.get("runs", [])
        for timing in (run.get("measure") or {}).get("reports", [])
        if timing.get("exact_p50_ms")
    ]
    if protection:
        lines += [
            "What protecting the figures costs: the protected report (p50, as the dashboard "
            "calls it) over the exact report (p50, `outcomes-report --exact`) on the same rows, "
            "in the same run.",
            "",
            *_table(
                ["tier", "database", "as at", "report", "protected ms", "exact ms", "ratio"],
                [
                    [
                        run["tier"],
                        run["database"],
                        timing["as_at"],
                        timing["case"],
                        _number(timing["p50_ms"]),
                        _number(timing["exact_p50_ms"]),
                        _ratio(timing["p50_ms"] / timing["exact_p50_ms"]),
                    ]
                    for run, timing in protection
                ],
            ),
            "",
        ]
    runs = results.get("runs", [])
    lines += [
        "## Tiers",
        "",
        "Synthetic data from `goaltracker.devtools.synthetic` (seed 1). Seeding memory: Python's "
        "allocation peak (tracemalloc; at L over the first 50,000 children only, as tracing "
        "the whole run would double its time) and the seeding process's peak RSS.",
        "",
        *_table(
            [
                "tier",
                "database",
                "children",
                "goals",
                "ratings",
                "seeding s",
                "children/s",
                "tracemalloc peak MB",
                "max RSS MB",
                "size MB",
                "kept data rebuild s",
                "built",
            ],
            [
                [
                    run["tier"],
                    run["database"],
                    _number((run.get("build") or {}).get("counts", {}).get("children")),
                    _number((run.get("build") or {}).get("counts", {}).get("goals")),
                    _number((run.get("build") or {}).get("counts", {}).get("ratings")),
                    _number(_seeding(run).get("seconds")),
                    _number(_seeding(run).get("children_per_second")),
                    _number(_seeding(run).get("tracemalloc_peak_mb")),
                    _number(_seeding(run).get("max_rss_mb")),
                    _number(
                        (run.get("build") or {}).get("file_mb")
                        or (run.get("build") or {}).get("database_mb")
                    ),
                    _number((run.get("build") or {}).get("aggregates_rebuild_seconds"), 2),
                    (
                        f"reused (built {run['build']['built_at']})"
                        if (run.get("build") or {}).get("reused")
                        else (run.get("build") or {}).get("built_at", "–")
                    ),
                ]
                for run in runs
            ],
        ),
        "",
        "## Outcomes report",
        "",
        "`outcome_reports.outcomes_report` as the dashboard calls it (protection included), in "
        'milliseconds: p50 / p95 (repetitions), after one warm-up call. "today" is the run\'s '
        'date, "quarter end" the end of the last complete financial quarter, "other day" 45 '
        "days ago (neither today nor a quarter end).",
        "",
        *_table(
            ["tier", "database"]
            + [f"{as_at}: {case}" for as_at in REPORT_DATES for case, _, _ in report_cases(as_at)],
            [
                [run["tier"], run["database"]]
                + [
                    _timing(_report_timing(run, as_at, case))
                    for as_at in REPORT_DATES
                    for case, _, _ in report_cases(as_at)
                ]
                for run in runs
            ],
        ),
        "",
        "## Dashboard page, recording a review, and the report's memory",
        "",
        "Dashboard: `GET /manager/` through the Flask test client, signed in as the area's "
        "manager (the report as at the last quarter end, rendered). Review: `goals.record_review` "
        "of five goals by one rater plus the commit, each on a new date. Report memory: Python's "
        "allocation peak during one report broken down by age band, and the measuring process's "
        "peak RSS after its first report.",
        "",
        *_table(
            [
                "tier",
                "database",
                "dashboard ms",
                "review ms",
                "report tracemalloc peak MB",
                "RSS after report MB",
            ],
            [
                [
                    run["tier"],
                    run["database"],
                    _timing((run.get("measure") or {}).get("dashboard")),
                    _timing((run.get("measure") or {}).get("review")),
                    _number(
                        (run.get("measure") or {})
                        .get("report_memory", {})
                        .get("tracemalloc_peak_mb")
                    ),
                    _number(
                        (run.get("measure") or {})
                        .get("report_memory", {})
                        .get("rss_after_report_mb")
                    ),
                ]
                for run in runs
            ],
        ),
        "",
        "## Any day, month by month, and the kept data",
        "",
        "Monthly trend: `outcome_reports.trend` of the area's first outcome as at each of the "
        "last 24 month ends (protected, as the trend page calls it). Kept data: the rows of "
        "outcome_change (dated changes) and outcome_aggregate (checkpoints: every month end and "
        "today), and the journal (outcome_journal: writes not yet folded into them, at most "
        "10,000 rows); a year adds the changes dated in it and 12 checkpoints. Size on "
        "PostgreSQL includes indexes. With the journal full: the same reports with 10,000 "
        "journal rows that add up to nothing, the most a report reads before a write folds "
        "them (p50 / p95 (n), ms).",
        "",
        *_table(
            [
                "tier",
                "database",
                "monthly trend ms",
                "change rows",
                "checkpoint rows",
                "journal rows",
                "checkpoints",
                "rows a year adds",
                "MB",
                "MB a year adds",
            ],
            [
                [
                    run["tier"],
                    run["database"],
                    _timing((run.get("measure") or {}).get("monthly_trend")),
                    *_kept_cells((run.get("measure") or {}).get("kept_size")),
                ]
                for run in runs
            ],
        ),
        "",
        *_table(
            [
                "tier",
                "database",
                "other day, all outcomes, journal full",
                "other day, by age band, journal full",
                "monthly trend, journal full",
            ],
            [
                [
                    run["tier"],
                    run["database"],
                    _timing(_full_journal_timing(run, "all outcomes")),
                    _timing(_full_journal_timing(run, "by age band")),
                    _timing(
                        ((run.get("measure") or {}).get("full_journal") or {}).get("monthly_trend")
                    ),
                ]
                for run in runs
            ],
        ),
        "",
        "## DuckDB yardstick",
        "",
        "The same report (ALL and every outcome; every column of domain.md §4) written "
        "independently in DuckDB SQL over the same rows, exported to CSV and loaded into an "
        "in-memory DuckDB (DuckDB's SQLite and PostgreSQL scanners cannot be downloaded here). "
        "Its numbers are compared with our exact report (`outcomes-report --exact`).",
        "",
        *_table(
            [
                "tier",
                "database",
                "export s",
                "load s",
                "DuckDB today ms",
                "DuckDB quarter end ms",
                "DuckDB other day ms",
                "cells compared",
                "equal",
            ],
            [
                [
                    run["tier"],
                    run["database"],
                    _number(run["yardstick"]["export_seconds"], 2),
                    _number(run["yardstick"]["load_seconds"], 2),
                    _timing(_duckdb_timing(run, "today", "all outcomes")),
                    _timing(_duckdb_timing(run, "quarter end", "all outcomes")),
                    _timing(_duckdb_timing(run, OTHER_DAY, "all outcomes")),
                    _number(run["yardstick"]["cells_compared"]),
                    "yes" if run["yardstick"]["all_equal"] else "**NO**",
                ]
                for run in runs
                if run.get("yardstick")
            ],
        ),
        "",
    ]
    mismatches = [m for run in runs for m in (run.get("yardstick") or {}).get("mismatches", [])]
    if mismatches:
        lines += ["Cells where DuckDB and ours disagree:", ""]
        lines += [f"- {mismatch}" for mismatch in mismatches[:50]] + [""]
    upload = results.get("upload")
    if upload:
        lines += [
            "## Uploads",
            "",
            "The import page's handling of an upload: saved to a private file a megabyte at a "
            "time, then checked line by line (`uploads.save`, then `importing.validate`), in a "
            "process of its own so that its peak memory (max RSS) is the check's.",
            "",
            *_table(
                ["file", "bytes", "seconds", "errors found", "max RSS MB"],
                [
                    [
                        name,
                        _number(upload[name]["bytes"]),
                        _number(upload[name]["seconds"], 2),
                        _number(upload[name]["errors"]),
                        _number(upload[name]["max_rss_mb"]),
                    ]
                    for name in ("50 MB file", "100,000 columns")
                    if name in upload
                ],
            ),
            "",
        ]
    imports = results.get("imports", [])
    if imports:
        lines += [
            "## Import",
            "",
            "`importing.import_ratings` of a generated CSV (synthetic children in the import "
            "format of domain.md §6) into a fresh database (on PostgreSQL a fresh schema), "
            "plus the commit. On PostgreSQL twice: as the server's superuser, whose imports "
            "check foreign keys at once, and as a role that may not set "
            "session_replication_role, whose imports check them row by row (bulk.py). Each "
            "kind is imported three times, each time in a process of its own into a fresh "
            "database; the table shows the run of median time, and every run's seconds.",
            "",
            *_table(
                [
                    "database",
                    "foreign keys checked",
                    "rows",
                    "children",
                    "goals",
                    "seconds",
                    "rows/s",
                    "max RSS MB",
                    "every run's seconds",
                ],
                [
                    [
                        item["database"],
                        item.get("foreign_keys", "row by row"),
                        _number(item["file"]["rows"]),
                        _number(item["children_created"]),
                        _number(item["goals_created"]),
                        _number(item["seconds"], 2),
                        _number(item["rows_per_second"]),
                        _number(item["max_rss_mb"]),
                        ", ".join(_number(run, 2) for run in item.get("runs_seconds", [])),
                    ]
                    for item in imports
                    if "seconds" in item
                ],
            ),
            "",
        ]
    load = results.get("load_test")
    if load and "mixed" in load:
        low, high = load["pause_ms"]
        lines += [
            "## Load test",
            "",
            f"{load['server']} on 127.0.0.1 serving the M tier on PostgreSQL, loaded by "
            f"{load['tool']} over {load['users']} connections, each one person at a time. "
            f"{load['families']} families and a manager signed in through the sign-in form "
            f"first. The mix of pages: {_mix_words(load)}. Measured: {load['users']} people "
            f"pausing {low}–{high} ms before each request, for {load['duration_seconds']} s "
            f"after a short warm-up. Capacity: the same people with no pauses, each sending "
            f"the next request as soon as the last is answered, for {load['capacity_seconds']} "
            f"s; then /healthz alone for {load['health_seconds']} s and each page alone for "
            f"{load['page_seconds']} s, the same way. A failure is an error, an answer over "
            "399, a page that sends the person back to sign in, or a review shown again with "
            "errors. wrk, gunicorn and PostgreSQL share the machine's cores.",
            "",
            *_load_verdict(load),
            *_table(
                ["load", "requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms"],
                [
                    [
                        name,
                        _number(figures["requests"]),
                        _number(figures["failures"]),
                        _number(figures["requests_per_second"]),
                        _number(figures["p50_ms"], 0),
                        _number(figures["p95_ms"], 0),
                        _number(figures["p99_ms"], 0),
                        _number(figures["max_ms"], 0),
                    ]
                    for name, figures in _load_rows(load)
                ],
            ),
            "",
        ]
    elif load:
        lines += ["## Load test", "", f"Not run: {load.get('skipped') or load.get('error')}", ""]
    errors = [
        f"{run['tier']} {run['database']}: {e}" for run in runs for e in run.get("errors", [])
    ]
    errors += results.get("errors", [])
    if errors:
        lines += ["## Errors", ""] + [f"- {error}" for error in errors] + [""]
    return "\n".join(lines)


def _seeding(run: dict) -> dict:
    """Return the seeding figures of a run's build."""
    return (run.get("build") or {}).get("seeding") or {}


def _load_rows(load: dict) -> list[tuple[str, dict]]:
    """Return the load test's rows in reading order: the mix, its capacity, /healthz, pages."""
    low, high = load["pause_ms"]
    rows = [(f"mix, pauses {low}–{high} ms", load["mixed"])]
    if "capacity" in load:
        rows.append(("mix, no pauses", load["capacity"]))
    rows.append(("/healthz alone, no pauses", load["health"]))
    return rows + [(f"{page} alone", figures) for page, figures in load.get("pages", {}).items()]


def _load_verdict(load: dict) -> list[str]:
    """Say whether the measured run met the target, and the capacity beside /healthz."""
    mixed, health = load["mixed"], load["health"]
    met = (
        mixed["requests_per_second"] >= LOAD_TARGET_RPS
        and mixed["p95_ms"] <= LOAD_TARGET_P95_MS
        and mixed["failures"] == 0
    )
    lines = [
        f"Target: at least {LOAD_TARGET_RPS} requests/s with p95 at most {LOAD_TARGET_P95_MS} "
        f"ms and no failures. Measured: {mixed['requests_per_second']:,.0f} requests/s, p95 "
        f"{mixed['p95_ms']:,.0f} ms, {mixed['failures']} failures: "
        + ("**met**." if met else "**missed**."),
    ]
    if "capacity" in load and health["requests_per_second"]:
        capacity = load["capacity"]
        lines.append(
            f"Capacity of the mix {capacity['requests_per_second']:,.0f} requests/s (p95 "
            f"{capacity['p95_ms']:,.0f} ms, every connection always waiting), "
            f"{capacity['requests_per_second'] / health['requests_per_second']:.2f}× the "
            f"{health['requests_per_second']:,.0f} requests/s of /healthz in the same run."
        )
    return [" ".join(lines), ""]


def _mix_words(load: dict) -> str:
    """Say what share of the mix's requests went to each page."""
    sent = load["mixed"].get("sent_by_page", {})
    total = sum(sent.values()) or 1
    return ", ".join(
        f"{page} {100 * count / total:.0f}%"
        for page, count in sorted(sent.items(), key=lambda item: -item[1])
    )
