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
# Only the plain report is timed as at the other day: it shows the cost of a date that is
# neither today nor a quarter end, which kept aggregates (if any) do not cover.
OTHER_DAY_CASES = ("all outcomes",)


def report_dates(today: date) -> dict[str, date]:
    """Return the dates reports are timed at: today, the last quarter end and an ordinary day."""
    from goaltracker import aggregation

    ends = aggregation.quarter_ends(date(today.year - 1, 1, 1), today)
    other_day = today - timedelta(days=45)
    while other_day in ends:
        other_day -= timedelta(days=1)
    return {
        "today": today,
        "quarter end": max(end for end in ends if end < today),
        OTHER_DAY: other_day,
    }


def report_cases(date_name: str) -> tuple[tuple[str, str | None, dict | None], ...]:
    """Return the report variants timed as at one of the dates."""
    if date_name == OTHER_DAY:
        return tuple(case for case in REPORT_CASES if case[0] in OTHER_DAY_CASES)
    return REPORT_CASES


def _report_runner(app, area_id: int, as_at: date, by, filters, *, exact: bool = False):
    """Return a function that computes one report, and one that ends its transaction."""
    from goaltracker import aggregation
    from goaltracker.extensions import db
    from goaltracker.models import Area

    state = {}
    compute = aggregation.exact_outcomes_report if exact else aggregation.outcomes_report

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
    from goaltracker import aggregation
    from goaltracker.extensions import db
    from goaltracker.models import Area

    result = {"rss_before_mb": max_rss_mb()}
    with app.app_context():
        area = db.session.get(Area, area_id)
        aggregation.outcomes_report(db.session, area, today)
        result["rss_after_report_mb"] = max_rss_mb()
        db.session.rollback()
        area = db.session.get(Area, area_id)
        tracemalloc.start()
        aggregation.outcomes_report(db.session, area, today, by="age_band")
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
    result["dashboard"] = time_dashboard(app, repetitions=repetitions, budget=budget)
    result["review"] = time_review(app, area_id, today, repetitions=repetitions)
    result["max_rss_mb"] = max_rss_mb()
    with app.app_context():
        db.engine.dispose()
    return result
