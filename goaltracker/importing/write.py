"""Writing an import's plan: every row it adds or changes, with bulk statements."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from goaltracker import audit, bulk, child_details
from goaltracker.models import (
    Child,
    Goal,
    GoalRevision,
    Organisation,
    Rating,
    User,
    goal_outcome,
    utcnow,
)

# Lists of ids in one IN (...) stay well under every database's limit on bound parameters.
_CHUNK_SIZE = 500


def organisation_key(name: str) -> str:
    """Return the form of an organisation's name used to match it: case and spacing ignored."""
    return " ".join(name.split()).casefold()


def _chunks(items: list, size: int = _CHUNK_SIZE) -> Iterator[list]:
    """Yield the items in lists of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Plan:
    """Every change the file makes, worked out before anything is written."""

    new_organisations: dict[str, str] = field(default_factory=dict)
    organisation_of_child: dict[str, int | str] = field(default_factory=dict)
    new_children: list[dict] = field(default_factory=list)
    changed_children: list[dict] = field(default_factory=list)
    new_goals: list[dict] = field(default_factory=list)
    changed_goals: list[dict] = field(default_factory=list)
    revisions: list[dict] = field(default_factory=list)
    outcome_links: dict[tuple[str, str], frozenset[int]] = field(default_factory=dict)
    relinked_goal_ids: list[int] = field(default_factory=list)
    # (goal key, rater, assessed on, performance, satisfaction): tuples, as there can be many.
    new_ratings: list[tuple] = field(default_factory=list)
    corrected_ratings: list[dict] = field(default_factory=list)
    # Ids of the children and goals the area already holds, by their references in the file.
    child_ids: dict[str, int] = field(default_factory=dict)
    goal_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    # A check that only counts (the import page's preview) keeps no rows of new goals and
    # ratings: a large file has hundreds of thousands.
    rows: bool = True
    # (child id, primary need, EHC plan) of children whose need or plan changes today.
    changed_details: list[tuple[int, str, bool]] = field(default_factory=list)
    today: date | None = None
    # Ids of the new children written while the file was checked (see `ahead`), by reference.
    written_ahead: dict[str, int] = field(default_factory=dict)


def _table(model) -> Table:
    """Return a model's table, for Core inserts.

    The ORM's bulk insert splits the rows into a batch wherever the set of None values changes
    (such as closed_on between goals), which makes large imports many times slower.
    """
    return model.__table__


@dataclass(frozen=True)
class Written:
    """When an import writes, and by whom (None for the command line)."""

    at: datetime
    by_id: int | None

    @classmethod
    def now(cls, recorded_by: User | None) -> "Written":
        """Return the moment of an import written now by this person."""
        return cls(utcnow(), recorded_by.id if recorded_by is not None else None)


class Ids(NamedTuple):
    """The ids of the records an import wrote or matched, by the file's keys."""

    organisations: dict[str, int]
    children: dict[str, int]
    goals: dict[tuple[str, str], int]


def write(
    session: bulk.Target, area_id: int, plan: Plan, written: Written, recorded_by: User | None
) -> Ids:
    """Write the planned changes with bulk statements, parents before children.

    Returns the ids of the organisations created (by key), and of the children and goals the
    file holds (by reference), so that their kept report data follows.
    """
    organisation_ids = _write_organisations(session, area_id, plan)
    child_ids = _write_children(session, area_id, plan, organisation_ids, written, recorded_by)
    goal_ids = _write_goals(session, plan, child_ids, written)
    _write_links(session, plan, goal_ids)
    _write_ratings(session, plan, goal_ids, written, recorded_by)
    return Ids(organisation_ids, child_ids, goal_ids)


def _write_organisations(session: bulk.Target, area_id: int, plan: Plan) -> dict[str, int]:
    """Create the organisations the file names for the first time; return their ids by key."""
    if not plan.new_organisations:
        return {}
    # Each insert returns the natural key with the id, so the rows can come back in any
    # order: asking for parameter order would make SQLite insert one row at a time.
    created = session.execute(
        insert(_table(Organisation)).returning(Organisation.id, Organisation.name),
        [
            {"area_id": area_id, "name": name, "type": "other"}
            for name in plan.new_organisations.values()
        ],
    )
    return {organisation_key(name): organisation_id for organisation_id, name in created}


def _write_children(
    session: bulk.Target,
    area_id: int,
    plan: Plan,
    organisation_ids: dict[str, int],
    written: Written,
    recorded_by: User | None,
) -> dict[str, int]:
    """Create new children and change existing ones; return every child's id by reference."""

    def organisation_id(child_ref: str) -> int:
        """Return the id of a child's organisation, existing or just created."""
        organisation = plan.organisation_of_child[child_ref]
        return organisation if isinstance(organisation, int) else organisation_ids[organisation]

    created = bulk.add_with_ids(
        session,
        _table(Child),
        [
            {
                **child,
                "area_id": area_id,
                "organisation_id": organisation_id(child["reference"]),
                "first_name": "",
                "last_name": "",
                "created_at": written.at,
            }
            for child in plan.new_children
        ],
        ("reference",),
    )
    child_ids: dict[str, int] = {reference: child_id for (reference,), child_id in created.items()}
    child_ids.update(plan.child_ids)
    for child_id, primary_need, ehcp in plan.changed_details:
        # The history is written before the child's row, which still holds the old values.
        child_details.record_change(
            session.get(Child, child_id),
            primary_need,
            ehcp,
            effective_from=plan.today or date.today(),
            recorded_by=recorded_by,
        )
    if plan.changed_children:
        session.execute(
            update(Child),
            [
                {
                    **{key: value for key, value in child.items() if key != "reference"},
                    "organisation_id": organisation_id(child["reference"]),
                }
                for child in plan.changed_children
            ],
        )
    return child_ids


def _write_goals(
    session: bulk.Target, plan: Plan, child_ids: dict[str, int], written: Written
) -> dict[tuple[str, str], int]:
    """Create new goals, change existing ones with their revisions; return ids by key."""
    goal_ids: dict[tuple[str, str], int] = {}
    if plan.new_goals:
        rows = []
        for goal in plan.new_goals:
            row = {key: value for key, value in goal.items() if key != "child_ref"}
            rows.append(
                {
                    **row,
                    "child_id": child_ids[goal["child_ref"]],
                    "created_by_id": written.by_id,
                    "created_at": written.at,
                }
            )
        reference_of_child = {child_id: reference for reference, child_id in child_ids.items()}
        created = bulk.add_with_ids(session, _table(Goal), rows, ("child_id", "reference"))
        goal_ids = {
            (reference_of_child[child_id], reference): goal_id
            for (child_id, reference), goal_id in created.items()
        }
    goal_ids.update(plan.goal_ids)
    if plan.changed_goals:
        table = Goal.__table__
        # A Core update skips the ORM's optimistic locking, so the version is moved on here.
        session.execute(
            update(table)
            .where(table.c.id == bindparam("goal_id"))
            .values(
                text=bindparam("new_text"),
                occupation_area=bindparam("new_occupation_area"),
                importance=bindparam("new_importance"),
                set_on=bindparam("new_set_on"),
                status=bindparam("new_status"),
                closed_on=bindparam("new_closed_on"),
                version=table.c.version + 1,
            ),
            [
                {
                    "goal_id": goal["goal_id"],
                    **{f"new_{name}": value for name, value in goal.items() if name != "goal_id"},
                }
                for goal in plan.changed_goals
            ],
        )
    if plan.revisions:
        session.execute(
            insert(_table(GoalRevision)),
            [
                {**revision, "changed_by_id": written.by_id, "changed_at": written.at}
                for revision in plan.revisions
            ],
        )
    return goal_ids


def _write_links(session: bulk.Target, plan: Plan, goal_ids: dict[tuple[str, str], int]) -> None:
    """Replace the outcome links of the goals whose links the file changes."""
    for chunk in _chunks(plan.relinked_goal_ids):
        session.execute(delete(goal_outcome).where(goal_outcome.c.goal_id.in_(chunk)))
    bulk.add_rows(
        session,
        goal_outcome,
        ("goal_id", "outcome_id"),
        (
            (goal_ids[key], outcome_id)
            for key, outcome_ids in plan.outcome_links.items()
            for outcome_id in sorted(outcome_ids)
        ),
    )


def _write_ratings(
    session: bulk.Target,
    plan: Plan,
    goal_ids: dict[tuple[str, str], int],
    written: Written,
    recorded_by: User | None,
) -> None:
    """Add new ratings and correct changed ones (each correction audited)."""
    by_id, at = written.by_id, written.at
    # Made as they are written, so that a large import never holds all its rows twice.
    bulk.add_rows(
        session,
        _table(Rating),
        (
            "goal_id",
            "rater",
            "assessed_on",
            "performance",
            "satisfaction",
            "note",
            "recorded_by_id",
            "recorded_at",
        ),
        (
            (goal_ids[goal_key], rater, assessed_on, performance, satisfaction, "", by_id, at)
            for goal_key, rater, assessed_on, performance, satisfaction in plan.new_ratings
        ),
    )
    if plan.corrected_ratings:
        session.execute(
            update(Rating),
            [
                {
                    "id": rating["id"],
                    **rating["new"],
                    "recorded_by_id": written.by_id,
                    "recorded_at": written.at,
                }
                for rating in plan.corrected_ratings
            ],
        )
        _audit_corrections(session, plan.corrected_ratings, recorded_by)


def _audit_corrections(session: Session, corrections: list[dict], recorded_by: User | None) -> None:
    """Record each corrected rating's old and new values in the child's audit trail."""
    child_ids = sorted({correction["child_id"] for correction in corrections})
    children: dict[int, Child] = {}
    for chunk in _chunks(child_ids):
        children.update(
            (child.id, child) for child in session.scalars(select(Child).where(Child.id.in_(chunk)))
        )
    for correction in corrections:
        audit.record(
            "rating_corrected",
            child=children[correction["child_id"]],
            user=recorded_by,
            detail={
                "source": "import",
                "goal_id": correction["goal_id"],
                "goal_reference": correction["goal_reference"],
                "rater": correction["rater"],
                "assessed_on": correction["assessed_on"].isoformat(),
                # The same shape as a correction made on the rating form.
                "before": correction["old"],
                "after": correction["new"],
            },
        )
