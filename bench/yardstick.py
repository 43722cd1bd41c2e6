"""The yardstick: the same report computed by DuckDB on the same rows, timed and compared.

DuckDB's SQLite and PostgreSQL scanners are downloaded on first use, which this machine cannot
do, so the tables are exported to CSV (COPY on PostgreSQL, the DB-API on SQLite) and loaded with
read_csv. Export and load are timed apart from the query.
"""

import csv
import shutil
import sqlite3
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import psycopg

from bench.common import log, repeat
from goaltracker.reports.columns import NAMES as REPORT_COLUMNS
from goaltracker.reports.columns import SUMS as AGGREGATE_SUMS

# The columns the report needs, with their DuckDB types.
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "child": (
        "SELECT id, area_id, date_of_birth, primary_need, ehcp, "
        "CASE WHEN erased_at IS NULL THEN 0 ELSE 1 END AS erased FROM child",
        {
            "id": "INTEGER",
            "area_id": "INTEGER",
            "date_of_birth": "DATE",
            "primary_need": "VARCHAR",
            "ehcp": "BOOLEAN",
            "erased": "INTEGER",
        },
    ),
    "goal": (
        "SELECT id, child_id, set_on, status, closed_on FROM goal",
        {
            "id": "INTEGER",
            "child_id": "INTEGER",
            "set_on": "DATE",
            "status": "VARCHAR",
            "closed_on": "DATE",
        },
    ),
    "goal_outcome": (
        "SELECT goal_id, outcome_id FROM goal_outcome",
        {"goal_id": "INTEGER", "outcome_id": "INTEGER"},
    ),
    "strategic_outcome": (
        "SELECT id, area_id, code, position FROM strategic_outcome",
        {"id": "INTEGER", "area_id": "INTEGER", "code": "VARCHAR", "position": "INTEGER"},
    ),
    "rating": (
        "SELECT goal_id, rater, assessed_on, performance, satisfaction FROM rating",
        {
            "goal_id": "INTEGER",
            "rater": "VARCHAR",
            "assessed_on": "DATE",
            "performance": "INTEGER",
            "satisfaction": "INTEGER",
        },
    ),
}

# Written from domain.md section 4, apart from goaltracker.aggregation, so that it checks it.
REPORT_SQL = """
WITH report_goals AS (
    SELECT goal.id AS goal_id, goal.child_id, goal.status, goal.closed_on
    FROM goal JOIN child ON child.id = goal.child_id
    WHERE child.area_id = $area AND child.erased = 0 AND goal.set_on <= $as_at
      AND ($ehcp IS NULL OR child.ehcp = $ehcp)
),
series AS (
    SELECT rating.goal_id, rating.rater, count(*) AS ratings, max(assessed_on) AS latest_on,
           arg_min(performance, assessed_on) AS first_performance,
           arg_max(performance, assessed_on) AS last_performance,
           arg_min(satisfaction, assessed_on) AS first_satisfaction,
           arg_max(satisfaction, assessed_on) AS last_satisfaction
    FROM rating JOIN report_goals ON report_goals.goal_id = rating.goal_id
    WHERE assessed_on <= $as_at
    GROUP BY rating.goal_id, rating.rater
),
per_goal AS (
    SELECT goal_id,
           sum(ratings) AS ratings,
           max(latest_on) AS latest_on,
           bool_or(rater = 'child') AS child_voice,
           count(*) FILTER (WHERE ratings >= 2) AS reassessed,
           coalesce(sum(first_performance) FILTER (WHERE ratings >= 2), 0) AS baseline_performance,
           coalesce(sum(last_performance) FILTER (WHERE ratings >= 2), 0) AS latest_performance,
           coalesce(sum(first_satisfaction) FILTER (WHERE ratings >= 2), 0)
               AS baseline_satisfaction,
           coalesce(sum(last_satisfaction) FILTER (WHERE ratings >= 2), 0) AS latest_satisfaction,
           count(*) FILTER (WHERE ratings >= 2
                            AND last_performance - first_performance >= $important)
               AS improved_performance,
           count(*) FILTER (WHERE ratings >= 2
                            AND last_satisfaction - first_satisfaction >= $important)
               AS improved_satisfaction
    FROM series GROUP BY goal_id
),
facts AS (
    SELECT report_goals.goal_id, report_goals.child_id,
           (report_goals.status = 'active' OR report_goals.closed_on > $as_at) AS active,
           coalesce(per_goal.ratings, 0) AS ratings,
           per_goal.latest_on,
           coalesce(per_goal.child_voice, false) AS child_voice,
           coalesce(per_goal.reassessed, 0) AS reassessed,
           coalesce(per_goal.baseline_performance, 0) AS baseline_performance,
           coalesce(per_goal.latest_performance, 0) AS latest_performance,
           coalesce(per_goal.baseline_satisfaction, 0) AS baseline_satisfaction,
           coalesce(per_goal.latest_satisfaction, 0) AS latest_satisfaction,
           coalesce(per_goal.improved_performance, 0) AS improved_performance,
           coalesce(per_goal.improved_satisfaction, 0) AS improved_satisfaction
    FROM report_goals LEFT JOIN per_goal ON per_goal.goal_id = report_goals.goal_id
),
units AS (
    SELECT 'ALL' AS outcome, facts.* FROM facts
    UNION ALL
    SELECT strategic_outcome.code AS outcome, facts.*
    FROM facts
    JOIN goal_outcome ON goal_outcome.goal_id = facts.goal_id
    JOIN strategic_outcome ON strategic_outcome.id = goal_outcome.outcome_id
    WHERE strategic_outcome.area_id = $area
)
SELECT outcome,
       count(DISTINCT child_id) AS children,
       count(*) AS goals,
       sum(ratings) AS ratings,
       count(*) FILTER (WHERE active) AS active_goals,
       count(*) FILTER (WHERE active AND latest_on >= $on_time_from) AS reviewed_on_time,
       count(*) FILTER (WHERE child_voice) AS child_voice,
       sum(reassessed) AS reassessed,
       sum(baseline_performance) AS baseline_performance,
       sum(latest_performance) AS latest_performance,
       sum(baseline_satisfaction) AS baseline_satisfaction,
       sum(latest_satisfaction) AS latest_satisfaction,
       sum(improved_performance) AS improved_performance,
       sum(improved_satisfaction) AS improved_satisfaction
FROM units
GROUP BY outcome
"""
# The names only come from the application; DuckDB's SQL above is written independently.
# The record keys' sum is only for protecting figures: DuckDB computes the true report.
SUMS = tuple(name for name in AGGREGATE_SUMS if name != "record_keys")
COMPARED_COLUMNS = REPORT_COLUMNS
# (name, filters) of the variants DuckDB computes, as at each date (the other day: the first).
CASES: tuple[tuple[str, dict | None], ...] = (
    ("all outcomes", None),
    ("EHC plan filter", {"ehcp": True}),
)


def export_tables(url: str, directory: Path) -> dict[str, int]:
    """Write the report's tables to CSV files; return the rows written per table."""
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            for table, (query, _) in TABLES.items():
                cursor = connection.execute(query)
                with open(directory / f"{table}.csv", "w", newline="") as file:
                    writer = csv.writer(file)
                    writer.writerow(column[0] for column in cursor.description)
                    count = 0
                    while rows := cursor.fetchmany(50_000):
                        writer.writerows(rows)
                        count += len(rows)
                counts[table] = count
        finally:
            connection.close()
        return counts
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain) as connection, connection.cursor() as cursor:
        for table, (query, _) in TABLES.items():
            with (
                open(directory / f"{table}.csv", "wb") as file,
                cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy,
            ):
                for block in copy:
                    file.write(block)
            counts[table] = connection.execute(
                f"SELECT count(*) FROM ({query}) AS exported"  # noqa: S608  (our own queries)
            ).fetchone()[0]
    return counts


def load_duckdb(directory: Path) -> duckdb.DuckDBPyConnection:
    """Load the CSV files into an in-memory DuckDB database."""
    connection = duckdb.connect()
    for table, (_, columns) in TABLES.items():
        path = str(directory / f"{table}.csv")
        connection.execute(
            f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, header = true, columns = ?)",  # noqa: S608
            [path, columns],
        )
    return connection


def _figures(sums: dict) -> dict:
    """Turn DuckDB's sums into the report's columns, as domain.md section 4 defines them."""

    def share(part, whole):
        """Return a percentage, or None over nothing."""
        return 100 * part / whole if whole else None

    def mean(total):
        """Return a mean over reassessed series, or None when there are none."""
        return total / sums["reassessed"] if sums["reassessed"] else None

    return {
        "children": sums["children"],
        "goals": sums["goals"],
        "ratings": sums["ratings"],
        "reviewed_on_time_pct": share(sums["reviewed_on_time"], sums["active_goals"]),
        "child_voice_pct": share(sums["child_voice"], sums["goals"]),
        "reassessed": sums["reassessed"],
        "mean_baseline_performance": mean(sums["baseline_performance"]),
        "mean_latest_performance": mean(sums["latest_performance"]),
        "mean_change_performance": mean(sums["latest_performance"] - sums["baseline_performance"]),
        "mean_baseline_satisfaction": mean(sums["baseline_satisfaction"]),
        "mean_latest_satisfaction": mean(sums["latest_satisfaction"]),
        "mean_change_satisfaction": mean(
            sums["latest_satisfaction"] - sums["baseline_satisfaction"]
        ),
        "improved_performance": sums["improved_performance"],
        "improved_performance_pct": share(sums["improved_performance"], sums["reassessed"]),
        "improved_satisfaction": sums["improved_satisfaction"],
        "improved_satisfaction_pct": share(sums["improved_satisfaction"], sums["reassessed"]),
    }


@dataclass(frozen=True)
class AreaSettings:
    """The area's id and the settings the report's numbers depend on."""

    id: int
    important_change: float
    review_interval_days: int


def duckdb_report(
    connection, area: AreaSettings, as_at: date, filters: dict | None
) -> dict[str, dict]:
    """Return DuckDB's report rows by outcome code (outcomes without goals are left out)."""
    parameters = {
        "area": area.id,
        "as_at": as_at,
        "ehcp": (filters or {}).get("ehcp"),
        "important": float(area.important_change),
        "on_time_from": as_at - timedelta(days=area.review_interval_days),
    }
    rows = connection.execute(REPORT_SQL, parameters).fetchall()
    return {
        row[0]: _figures(dict(zip(SUMS, (int(v or 0) for v in row[1:]), strict=True)))
        for row in rows
    }


def our_unsuppressed_report(
    session, area_id: int, as_at: date, filters: dict | None
) -> dict[str, dict]:
    """Return our exact report (as `outcomes-report --exact` prints it), by outcome."""
    from goaltracker.models import Area
    from goaltracker.reports import outcome_reports

    area = session.get(Area, area_id)
    report = outcome_reports.exact_outcomes_report(session, area, as_at, filters=filters)
    return {
        row.outcome: {column: row.value(column) for column in COMPARED_COLUMNS}
        for row in report.rows
        if row.group is None
    }


def differences(ours: dict[str, dict], theirs: dict[str, dict]) -> list[str]:
    """Return every cell where the two reports disagree (beyond rounding), in words."""
    found = []
    for outcome, row in ours.items():
        other = theirs.get(outcome, _figures(dict.fromkeys(SUMS, 0)))
        for column in COMPARED_COLUMNS:
            mine, yours = row[column], other[column]
            if mine is None or yours is None:
                agree = mine is None and yours is None
            else:
                agree = abs(mine - yours) <= 1e-9 * max(1.0, abs(mine), abs(yours))
            if not agree:
                found.append(f"{outcome}.{column}: ours {mine}, DuckDB {yours}")
    return found


def run_yardstick(app, url: str, work_directory: Path, *, repetitions: int, budget: float):
    """Export, load, time DuckDB's report and compare its numbers with ours."""
    from bench.measure import OTHER_DAY, report_dates
    from bench.tiers import bench_area
    from goaltracker.extensions import db

    result: dict = {"duckdb_version": duckdb.__version__}
    started = time.perf_counter()
    result["exported_rows"] = export_tables(url, work_directory)
    result["export_seconds"] = time.perf_counter() - started
    started = time.perf_counter()
    connection = load_duckdb(work_directory)
    result["load_seconds"] = time.perf_counter() - started
    shutil.rmtree(work_directory, ignore_errors=True)
    result["queries"] = []
    result["mismatches"] = []
    compared = 0
    with app.app_context():
        area = bench_area(db.session)
        settings = AreaSettings(area.id, area.important_change, area.review_interval_days)
        db.session.rollback()
        for date_name, as_at in report_dates(date.today()).items():
            for case_name, filters in CASES[:1] if date_name == OTHER_DAY else CASES:

                def query(as_at=as_at, filters=filters) -> None:
                    """Compute the report in DuckDB."""
                    duckdb_report(connection, settings, as_at, filters)

                summary = repeat(query, repetitions=repetitions, budget_seconds=budget)
                log(f"  DuckDB {date_name}, {case_name}: p50 {summary['p50_ms']:.1f} ms")
                theirs = duckdb_report(connection, settings, as_at, filters)
                ours = our_unsuppressed_report(db.session, settings.id, as_at, filters)
                problems = differences(ours, theirs)
                compared += len(ours) * len(COMPARED_COLUMNS)
                result["queries"].append(
                    {
                        "as_at": date_name,
                        "date": as_at.isoformat(),
                        "case": case_name,
                        "rows_compared": len(ours),
                        "all_equal": not problems,
                        **summary,
                    }
                )
                result["mismatches"].extend(f"{date_name}, {case_name}: {p}" for p in problems)
        db.session.rollback()
        db.engine.dispose()
    connection.close()
    result["cells_compared"] = compared
    result["all_equal"] = not result["mismatches"]
    if result["mismatches"]:
        log(f"  DuckDB disagrees on {len(result['mismatches'])} cells: {result['mismatches'][:5]}")
    else:
        log(f"  DuckDB agrees with ours on all {compared} cells compared")
    return result
