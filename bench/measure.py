"""Timings inside the app: the outcomes report, the dashboard page and recording a review."""

import time
import tracemalloc
from datetime import date, timedelta

from sqlalchemy import select

from bench.common import (
    BENCH_PASSWORD,
    MANAGER_EMAIL,
    PRACTITIONER_EMAIL,
    log,
    max_rss_mb,
    repeat,
)
from bench.tiers import bench_area

# (name, breakdown, filters) of the report's variants; each is timed as at two dates.
REPORT_CASES: tuple[tuple[str, str | None, dict | None], ...] = (
    ("all outcomes", None, None),
    ("EHC plan filter", None, {"ehcp": True}),
    ("by age band", "age_band", None),
)
REVIEW_GOALS = 5


OTHER_DAY = "other day"
TREND_OUTCOME_POSITION = 0  # the area's first outcome


def report_dates(today: date) -> dict[str, date]:
    """Return the dates reports are timed at: today, the last quarter end and an ordinary day."""
    from goaltracker.reports import outcome_reports

    ends = outcome_reports.quarter_ends(date(today.year - 1, 1, 1), today)
    other_day = today - timedelta(days=45)
    # Neither a quarter end nor any month end: a day between two kept checkpoints.
    while other_day in ends or (other_day + timedelta(days=1)).day == 1:
        other_day -= timedelta(days=1)
    return {
        "today": today,
        "quarter end": max(end for end in ends if end < today),
        OTHER_DAY: other_day,
    }


def report_cases(date_name: str) -> tuple[tuple[str, str | None, dict | None], ...]:
    """Return the report variants timed as at one of the dates: all of them, at every date."""
    return REPORT_CASES


def _report_runner(app, area_id: int, as_at: date, by, filters, *, exact: bool = False):
    """Return a function that computes one report, and one that ends its transaction."""
    from goaltracker.extensions import db
    from goaltracker.models import Area
    from goaltracker.reports import outcome_reports

    state = {}
    compute = outcome_reports.exact_outcomes_report if exact else outcome_reports.outcomes_report

    def load() -> None:
        """Load the area afresh, as a request would, outside the timing."""
        state["area"] = db.session.get(Area, area_id)

    def run() -> None:
        """Compute the protected report (or the exact one, to show what protection costs)."""
        compute(db.session, state["area"], as_at, by=by, filters=filters)

    def finish() -> None:
        """End the transaction, as the end of a request does."""
        db.session.rollback()

    return load, run, finish


def report_memory(app, area_id: int, today: date) -> dict:
    """Measure the memory one report takes: Python's allocation peak and the process's RSS."""
    from goaltracker.extensions import db
    from goaltracker.models import Area
    from goaltracker.reports import outcome_reports

    result = {"rss_before_mb": max_rss_mb()}
    with app.app_context():
        area = db.session.get(Area, area_id)
        outcome_reports.outcomes_report(db.session, area, today)
        result["rss_after_report_mb"] = max_rss_mb()
        db.session.rollback()
        area = db.session.get(Area, area_id)
        tracemalloc.start()
        outcome_reports.outcomes_report(db.session, area, today, by="age_band")
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
        result["rss_after_breakdown_mb"] = max_rss_mb()
        db.session.rollback()
    return result


def time_reports(app, area_id: int, today: date, *, repetitions: int, budget: float) -> list:
    """Time every report variant as at today and the last quarter end, and one as at another day."""
    timings = []
    for date_name, as_at in report_dates(today).items():
        for case_name, by, filters in report_cases(date_name):
            with app.app_context():
                load, run, finish = _report_runner(app, area_id, as_at, by, filters)
                summary = repeat(
                    run, repetitions=repetitions, budget_seconds=budget, before=load, after=finish
                )
            log(f"  report {date_name}, {case_name}: p50 {summary['p50_ms']:.1f} ms")
            timing = {"as_at": date_name, "date": as_at.isoformat(), "case": case_name, **summary}
            if date_name != OTHER_DAY:
                # The same report unprotected, in the same run: what protection adds.
                with app.app_context():
                    load, run, finish = _report_runner(app, area_id, as_at, by, filters, exact=True)
                    exact = repeat(
                        run,
                        repetitions=repetitions,
                        budget_seconds=budget,
                        before=load,
                        after=finish,
                    )
                timing["exact_p50_ms"] = exact["p50_ms"]
            timings.append(timing)
    return timings


def time_monthly_trend(app, area_id: int, today: date, *, repetitions: int, budget: float):
    """Time one outcome's monthly trend: the protected report as at each of 24 month ends."""
    from goaltracker import dashboard
    from goaltracker.extensions import db
    from goaltracker.models import Area, StrategicOutcome

    months = dashboard.default_months(today)
    state = {}

    def load() -> None:
        state["area"] = db.session.get(Area, area_id)
        state["code"] = db.session.scalars(
            select(StrategicOutcome.code)
            .where(StrategicOutcome.area_id == area_id)
            .order_by(StrategicOutcome.position, StrategicOutcome.code)
        ).all()[TREND_OUTCOME_POSITION]

    def run() -> None:
        from goaltracker.reports import outcome_reports

        outcome_reports.trend(db.session, state["area"], state["code"], months)

    with app.app_context():
        summary = repeat(
            run,
            repetitions=repetitions,
            budget_seconds=budget,
            before=load,
            after=db.session.rollback,
        )
    log(f"  monthly trend (24 points): p50 {summary['p50_ms']:.1f} ms")
    return {"points": len(months), **summary}


def kept_size(app, area_id: int, today: date) -> dict:
    """Count the kept data's rows (and its size on PostgreSQL), and what a year adds."""
    from sqlalchemy import func, text

    from goaltracker.extensions import db
    from goaltracker.models import OutcomeAggregate, OutcomeChange, OutcomeJournal

    with app.app_context():
        result = {
            "journal_rows": db.session.scalar(
                select(func.count()).where(OutcomeJournal.area_id == area_id)
            ),
            "change_rows": db.session.scalar(
                select(func.count()).where(OutcomeChange.area_id == area_id)
            ),
            "checkpoint_rows": db.session.scalar(
                select(func.count()).where(OutcomeAggregate.area_id == area_id)
            ),
            "checkpoints": db.session.scalar(
                select(func.count(OutcomeAggregate.as_at.distinct())).where(
                    OutcomeAggregate.area_id == area_id
                )
            ),
            # What one year adds: the changes dated in the last 365 days, and 12 checkpoints.
            "change_rows_last_year": db.session.scalar(
                select(func.count()).where(
                    OutcomeChange.area_id == area_id,
                    OutcomeChange.day > today - timedelta(days=365),
                    OutcomeChange.day <= today,
                )
            ),
        }
        result["checkpoint_rows_per_year"] = round(
            12 * result["checkpoint_rows"] / max(result["checkpoints"], 1)
        )
        if db.engine.dialect.name == "postgresql":
            sizes = {
                table: db.session.scalar(text(f"SELECT pg_total_relation_size('{table}')"))
                for table in ("outcome_change", "outcome_aggregate", "outcome_journal")
            }
            result["megabytes"] = sum(sizes.values()) / 1024 / 1024
            rows = result["change_rows"] + result["checkpoint_rows"]
            result["megabytes_per_year"] = result["megabytes"] * (
                (result["change_rows_last_year"] + result["checkpoint_rows_per_year"])
                / max(rows, 1)
            )
        db.session.rollback()
    log(f"  kept data: {result}")
    return result


def time_with_full_journal(app, area_id: int, today: date, *, repetitions: int, budget: float):
    """Time the report as at another day (all outcomes and by age band) and the monthly trend
    with the area's journal as full as it gets before a write folds it: kept.JOURNAL_AT_MOST
    rows, each cell of the latest checkpoint added and taken away again on a day of the last
    two months, so that every figure stays the same. The rows are deleted afterwards."""
    from sqlalchemy import delete, func, insert

    from goaltracker.extensions import db
    from goaltracker.models import OutcomeAggregate, OutcomeJournal
    from goaltracker.reports import kept
    from goaltracker.reports.columns import CELL, FULL_GRAIN, KEY_RANGE, SUMS

    with app.app_context():
        latest = db.session.scalar(
            select(func.max(OutcomeAggregate.as_at)).where(OutcomeAggregate.area_id == area_id)
        )
        table = OutcomeAggregate.__table__
        cells = db.session.execute(
            select(*(table.c[name] for name in (*CELL, *SUMS)))
            .where(
                table.c.area_id == area_id,
                table.c.as_at == latest,
                table.c.grain == FULL_GRAIN,
            )
            .order_by(table.c.id)
            .limit(kept.JOURNAL_AT_MOST // 2)
        ).all()
        rows = []
        for number, cell in enumerate(cells):
            values = dict(zip((*CELL, *SUMS), cell, strict=True))
            day = today - timedelta(days=number % 60)
            taken_away = {name: -values[name] for name in SUMS}
            taken_away["record_keys"] = -values["record_keys"] % KEY_RANGE
            rows.append({"area_id": area_id, "day": day, **values})
            rows.append({"area_id": area_id, "day": day, **values, **taken_away})
        first = db.session.scalar(select(func.coalesce(func.max(OutcomeJournal.id), 0)))
        db.session.execute(insert(OutcomeJournal), rows)
        db.session.commit()
    try:
        other_day = report_dates(today)[OTHER_DAY]
        result = {"journal_rows": len(rows), "reports": []}
        for case_name, by, filters in REPORT_CASES:
            if filters:
                continue
            with app.app_context():
                load, run, finish = _report_runner(app, area_id, other_day, by, filters)
                summary = repeat(
                    run, repetitions=repetitions, budget_seconds=budget, before=load, after=finish
                )
            log(f"  report {OTHER_DAY}, {case_name}, journal full: p50 {summary['p50_ms']:.1f} ms")
            result["reports"].append({"case": case_name, **summary})
        result["monthly_trend"] = time_monthly_trend(
            app, area_id, today, repetitions=repetitions, budget=budget
        )
    finally:
        with app.app_context():
            db.session.execute(delete(OutcomeJournal).where(OutcomeJournal.id > first))
            db.session.commit()
    return result


def time_dashboard(app, *, repetitions: int, budget: float) -> dict:
    """Time the manager's dashboard page through the app, signed in as the area's manager."""
    client = app.test_client()
    response = client.post("/sign-in", data={"email": MANAGER_EMAIL, "password": BENCH_PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"The bench manager could not sign in ({response.status_code})")

    def fetch() -> None:
        """Fetch the dashboard and check it came back whole."""
        page = client.get("/manager/")
        if page.status_code != 200:
            raise RuntimeError(f"The dashboard answered {page.status_code}")

    summary = repeat(fetch, repetitions=repetitions, budget_seconds=budget)
    log(f"  dashboard: p50 {summary['p50_ms']:.1f} ms")
    return summary


def time_review(app, area_id: int, today: date, *, repetitions: int) -> dict:
    """Time recording a five-goal review and committing it, each on a new date."""
    from goaltracker import goals
    from goaltracker.extensions import db
    from goaltracker.models import Child, StrategicOutcome, User

    with app.app_context():
        practitioner = db.session.scalar(select(User).where(User.email == PRACTITIONER_EMAIL))
        outcome_ids = db.session.scalars(
            select(StrategicOutcome.id).where(StrategicOutcome.area_id == area_id)
        ).all()
        # A new child each run, so every run's reviews create ratings rather than correct them.
        child = Child(
            area_id=area_id,
            reference=f"BENCH-REVIEW-{time.time_ns()}",
            date_of_birth=today - timedelta(days=12 * 365),
            primary_need="ASD",
            ehcp=True,
            organisation_id=practitioner.organisation_id,
            key_worker_id=practitioner.id,
        )
        db.session.add(child)
        db.session.flush()
        set_on = today - timedelta(days=repetitions + 30)
        for number in range(REVIEW_GOALS):
            goals.set_goal(
                child,
                text=f"Benchmark goal {number + 1}",
                occupation_area="self_care",
                importance=8,
                set_on=set_on,
                set_by=practitioner,
                outcome_ids=[outcome_ids[number % len(outcome_ids)]],
            )
        db.session.commit()
        child_id, practitioner_id = child.id, practitioner.id

    days = iter(range(repetitions + 1, 0, -1))
    state = {}

    def load() -> None:
        """Load the child and rater afresh, as the review page's request would."""
        state["child"] = db.session.get(Child, child_id)
        state["practitioner"] = db.session.get(User, practitioner_id)
        state["goal_ids"] = [goal.id for goal in goals.active_goals(state["child"])]

    def record() -> None:
        """Record one parent's ratings of all five goals on the next date, and commit."""
        assessed_on = today - timedelta(days=next(days))
        goals.record_review(
            state["child"],
            rater="parent_carer",
            assessed_on=assessed_on,
            scores={goal_id: (5, 6) for goal_id in state["goal_ids"]},
            recorded_by=state["practitioner"],
        )
        db.session.commit()

    with app.app_context():
        summary = repeat(
            record,
            repetitions=repetitions,
            budget_seconds=float("inf"),
            before=load,
        )
    log(f"  review of five goals: p50 {summary['p50_ms']:.1f} ms")
    return summary


def measure(app, *, repetitions: int, budget: float) -> dict:
    """Run every in-app measurement on a tier's database."""
    from goaltracker.extensions import db

    today = date.today()
    with app.app_context():
        area_id = bench_area(db.session).id
        db.session.rollback()
    result = {"report_memory": report_memory(app, area_id, today)}
    result["reports"] = time_reports(app, area_id, today, repetitions=repetitions, budget=budget)
    result["monthly_trend"] = time_monthly_trend(
        app, area_id, today, repetitions=repetitions, budget=budget
    )
    result["kept_size"] = kept_size(app, area_id, today)
    result["full_journal"] = time_with_full_journal(
        app, area_id, today, repetitions=repetitions, budget=budget
    )
    result["dashboard"] = time_dashboard(app, repetitions=repetitions, budget=budget)
    result["review"] = time_review(app, area_id, today, repetitions=repetitions)
    result["max_rss_mb"] = max_rss_mb()
    with app.app_context():
        db.engine.dispose()
    return result
