"""Writing new children while the rest of the file is checked (PostgreSQL): the same import."""

import sys
import threading

import pytest
from sqlalchemy import func, select

from goaltracker import importing
from goaltracker.extensions import db
from goaltracker.importing import ahead
from goaltracker.models import Child, Goal, Organisation, Rating, goal_outcome
from tests.test_importing import TODAY, area, csv_text, line, run_import  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("postgresql_only")


@pytest.fixture
def postgresql_only(app):
    """Skip on SQLite, which has no second connection to a transaction to write through."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the import writes ahead on PostgreSQL only")


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of two ratings, so that a small file is written in several."""
    monkeypatch.setattr(ahead, "BATCH", 2)


@pytest.fixture
def kept_or_not(monkeypatch):
    """Record whether each import kept what it wrote ahead."""
    outcomes: list[bool] = []
    finish = ahead.WriteAhead.finish

    def recording(self, plan, ok):
        kept = finish(self, plan, ok)
        outcomes.append(kept)
        return kept

    monkeypatch.setattr(ahead.WriteAhead, "finish", recording)
    return outcomes


def lines_of_a_held_and_new_children() -> list[dict]:
    """Lines of AMY (held before the file, given a new rating and organisation), and of three new
    children: two at a new organisation, spelled two ways, whose goals span several batches."""
    lines = [
        line(assessed_on="2025-10-01", organisation="Hill Top Club", performance="5"),
    ]
    for number, child in enumerate(("BEN", "CAL", "DOT"), start=1):
        organisation = {"BEN": "Hill Top Club", "CAL": "hill  top club"}.get(
            child, "Northfield School"
        )
        for goal in (1, 2):
            for month, rater in (("09", "parent_carer"), ("09", "child"), ("11", "parent_carer")):
                lines.append(
                    line(
                        child_ref=child,
                        organisation=organisation,
                        date_of_birth=f"201{number}-02-0{number}",
                        goal_ref=f"{child}-{goal}",
                        goal_text=f"Goal {goal} of {child}",
                        outcomes="HEALTHY;INCLUDED" if goal == 1 else "INDEPENDENT",
                        rater=rater,
                        assessed_on=f"2025-{month}-1{goal}",
                        performance=str(goal + number),
                    )
                )
    # A repeated line, ignored as it would be without writing ahead.
    lines.append(lines[-1])
    return lines


def records(of_area) -> dict:
    """Return what the area holds, by the file's keys, to compare two imports."""
    children = {
        child.reference: (
            child.date_of_birth,
            child.primary_need,
            child.ehcp,
            db.session.get(Organisation, child.organisation_id).name,
        )
        for child in db.session.scalars(select(Child).where(Child.area_id == of_area.id))
    }
    goals = {
        (child_ref, goal.reference): (goal.text, goal.status, goal.set_on, goal.importance)
        for goal, child_ref in db.session.execute(
            select(Goal, Child.reference).join(Child).where(Child.area_id == of_area.id)
        )
    }
    links = sorted(
        db.session.execute(
            select(Child.reference, Goal.reference, goal_outcome.c.outcome_id)
            .join(Goal, Goal.id == goal_outcome.c.goal_id)
            .join(Child)
            .where(Child.area_id == of_area.id)
        ).all()
    )
    ratings = sorted(
        db.session.execute(
            select(
                Child.reference,
                Goal.reference,
                Rating.rater,
                Rating.assessed_on,
                Rating.performance,
                Rating.satisfaction,
            )
            .join(Goal, Goal.id == Rating.goal_id)
            .join(Child)
            .where(Child.area_id == of_area.id)
        ).all()
    )
    organisations = sorted(
        db.session.scalars(select(Organisation.name).where(Organisation.area_id == of_area.id))
    )
    return {
        "children": children,
        "goals": goals,
        "links": links,
        "ratings": ratings,
        "organisations": organisations,
    }


def import_both_ways(into, monkeypatch, lines) -> tuple[dict, dict, object, object]:
    """Import the lines with and without writing ahead, each into a copy of the area as it was
    (AMY held), rolled back in between; return both areas' records and summaries."""
    run_import(into, line())
    results = []
    for writes_ahead in (True, False):
        with monkeypatch.context() as patch:
            patch.setattr(importing, "WRITE_AHEAD", writes_ahead)
            summary = importing.import_ratings(db.session, into, csv_text(*lines), today=TODAY)
        results.append((records(into), summary))
        db.session.rollback()
    (with_ahead, summary_ahead), (without, summary_without) = results
    return with_ahead, without, summary_ahead, summary_without


def test_writing_ahead_makes_the_same_records_and_summary(
    area,  # noqa: F811 - the fixture
    monkeypatch,
    small_batches,
    kept_or_not,
):
    with_ahead, without, summary_ahead, summary_without = import_both_ways(
        area, monkeypatch, lines_of_a_held_and_new_children()
    )
    assert kept_or_not == [True, True]  # AMY's first import, then the file's
    assert with_ahead == without
    assert summary_ahead == summary_without
    assert summary_ahead.children_created == 3
    assert summary_ahead.children_updated == 1
    assert summary_ahead.ratings_created == 19
    assert summary_ahead.repeated_lines_ignored == 1
    # "Hill Top Club" is made once, whichever child named it first, as without writing ahead.
    assert with_ahead["organisations"] == ["Hill Top Club", "Northfield School"]
    assert with_ahead["children"]["AMY"][3] == "Hill Top Club"
    assert with_ahead["children"]["CAL"][3] == "Hill Top Club"


def test_a_failed_batch_is_undone_and_the_plan_written_in_full(
    area,  # noqa: F811 - the fixture
    small_batches,
    kept_or_not,
    monkeypatch,
):
    batches = []
    write = ahead.write

    def failing(connection, area_id, batch, written, recorded_by):
        batches.append(batch)
        if len(batches) == 3:
            raise RuntimeError("the server went away")
        return write(connection, area_id, batch, written, recorded_by)

    monkeypatch.setattr(ahead, "write", failing)
    summary = run_import(area, *lines_of_a_held_and_new_children())
    assert summary.imported
    assert kept_or_not == [False]
    assert len(batches) == 3  # no batch is written after one fails
    monkeypatch.setattr(ahead, "write", write)
    counts = {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Child, Goal, Rating)
    }
    assert counts == {"Child": 4, "Goal": 7, "Rating": 19}


def test_rows_that_differ_from_the_plan_are_undone(
    area,  # noqa: F811 - the fixture
    small_batches,
    kept_or_not,
    monkeypatch,
):
    add_rating = ahead.WriteAhead.add_rating

    def changed(self, rating):
        key, rater, day, performance, satisfaction = rating
        add_rating(self, (key, rater, day, performance, 10 if key[0] == "DOT" else satisfaction))

    monkeypatch.setattr(ahead.WriteAhead, "add_rating", changed)
    summary = run_import(area, *lines_of_a_held_and_new_children())
    assert summary.imported
    assert kept_or_not == [False]
    assert db.session.scalar(select(func.count()).select_from(Child)) == 4
    assert db.session.scalar(select(func.max(Rating.satisfaction))) == 2


def test_a_file_with_an_error_after_batches_were_written_leaves_nothing(
    area,  # noqa: F811 - the fixture
    small_batches,
    kept_or_not,
):
    lines = lines_of_a_held_and_new_children()[1:]
    lines.append(line(child_ref="EVE", importance="11"))
    summary = run_import(area, *lines)
    assert not summary.imported
    assert [problem.column for problem in summary.errors] == ["importance"]
    assert kept_or_not == [False]
    assert db.session.scalar(select(func.count()).select_from(Child)) == 0
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1
    # The connection is usable again at once.
    assert run_import(area, line()).children_created == 1
    assert all(thread.name != "import-write-ahead" for thread in threading.enumerate())


def test_an_exception_while_checking_undoes_the_rows_and_stops_the_thread(
    area,  # noqa: F811 - the fixture
    small_batches,
    monkeypatch,
):
    interval = sys.getswitchinterval()

    def broken(*args, **kwargs):
        raise RuntimeError("a fault in the plan")

    monkeypatch.setattr(importing, "_plan_changes", broken)
    with pytest.raises(RuntimeError):
        importing.import_ratings(
            db.session,
            area,
            csv_text(*lines_of_a_held_and_new_children()[1:]),
            today=TODAY,
        )
    assert all(thread.name != "import-write-ahead" for thread in threading.enumerate())
    assert sys.getswitchinterval() == interval
    assert db.session.scalar(select(func.count()).select_from(Child)) == 0
    db.session.rollback()
