"""A child's details through the years: corrections, and primary need and EHC plan with dates.

Name, reference and date of birth are corrected in place (a wrong date of birth was always
wrong). Primary need and EHC plan change over a childhood: each value is kept with the date it
took effect (`ChildDetail`), and reports as at a date use the values in force then. A change can
also be marked as correcting a mistake, which replaces the history instead of adding to it.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext
from sqlalchemy import delete, func, select

from goaltracker import audit, vocabulary
from goaltracker.extensions import db
from goaltracker.models import Child, ChildDetail, Goal, User
from goaltracker.reports import kept
from goaltracker.vocabulary import N_


class DetailsError(ValueError):
    """A change to a child's details that cannot be made; the message says why (in the page's
    language), and `field_name` which form field it belongs to."""

    def __init__(self, message: str, field_name: str | None = None):
        """Keep the name of the form field the problem belongs to, if any."""
        super().__init__(message)
        self.field_name = field_name


def first_day(child: Child) -> date:
    """Return when the child's first values took effect: their earliest goal or the record's day."""
    earliest_goal = db.session.scalar(
        select(func.min(Goal.set_on)).where(Goal.child_id == child.id)
    )
    made = child.created_at.date()
    return min(earliest_goal, made) if earliest_goal else made


def history(child: Child) -> list[ChildDetail]:
    """Return the child's dated details, oldest first (empty when never changed)."""
    return list(
        db.session.scalars(
            select(ChildDetail)
            .where(ChildDetail.child_id == child.id)
            .order_by(ChildDetail.effective_from)
        )
    )


def _ensure_history(child: Child, recorded_by: User | None) -> list[ChildDetail]:
    """Return the child's history, first writing their record's values as its first entry."""
    held = history(child)
    if held:
        return held
    first = ChildDetail(
        child_id=child.id,
        effective_from=first_day(child),
        primary_need=child.primary_need,
        ehcp=bool(child.ehcp),
        recorded_by_id=recorded_by.id if recorded_by else None,
    )
    db.session.add(first)
    db.session.flush()
    return [first]


def _put(child, held, effective_from, primary_need, ehcp, recorded_by) -> None:
    """Set the values in force from a day: that day's entry if there is one, else a new one."""
    same_day = next((entry for entry in held if entry.effective_from == effective_from), None)
    if same_day is not None:
        same_day.primary_need, same_day.ehcp = primary_need, ehcp
        return
    db.session.add(
        ChildDetail(
            child_id=child.id,
            effective_from=effective_from,
            primary_need=primary_need,
            ehcp=ehcp,
            recorded_by_id=recorded_by.id if recorded_by else None,
        )
    )


def set_need_and_plan(
    child: Child,
    primary_need: str,
    ehcp: bool,
    *,
    effective_from: date | None,
    recorded_by: User | None,
) -> None:
    """Record a new primary need and EHC plan from a date on (None: a correction of a mistake).

    Kept aggregates are the caller's to maintain (see `change_details` and the importer).
    """
    held = _ensure_history(child, recorded_by)
    if effective_from is None:
        # A correction: the wrong value never applied, so every entry takes the right one.
        for entry in held:
            entry.primary_need, entry.ehcp = primary_need, ehcp
    else:
        if effective_from > date.today():
            raise DetailsError(
                gettext("The date of the change must be today or in the past"), "changed_on"
            )
        if child.date_of_birth and effective_from < child.date_of_birth:
            raise DetailsError(
                gettext("The date of the change must be after the date of birth"), "changed_on"
            )
        _put(child, held, effective_from, primary_need, ehcp, recorded_by)
    db.session.flush()
    current = history(child)[-1]
    child.primary_need, child.ehcp = current.primary_need, current.ehcp


def record_change(
    child: Child, primary_need: str, ehcp: bool, *, effective_from: date, recorded_by: User | None
) -> None:
    """Record a new need or plan from a date, while the child's row still holds the old values.

    For the importer, which then updates the child's row itself.
    """
    _put(
        child, _ensure_history(child, recorded_by), effective_from, primary_need, ehcp, recorded_by
    )
    db.session.flush()


FIELDS = ("first_name", "last_name", "reference", "date_of_birth", "primary_need", "ehcp")


def _reference_taken(child: Child, reference: str) -> bool:
    """Return whether another child of the area has this reference."""
    return (
        db.session.scalar(
            select(Child.id).where(
                Child.area_id == child.area_id, Child.reference == reference, Child.id != child.id
            )
        )
        is not None
    )


def change_details(
    child: Child,
    *,
    first_name: str,
    last_name: str,
    reference: str,
    date_of_birth: date,
    primary_need: str,
    ehcp: bool,
    changed_on: date | None,
    changed_by: User,
) -> bool:
    """Change a child's details, audited with before and after; return whether anything changed.

    `changed_on` is when a new primary need or EHC plan took effect; None marks the change as a
    correction of a mistake. Kept aggregates follow in the same transaction.
    """
    reference = reference.strip()
    if not reference:
        raise DetailsError(gettext("Enter the child's reference"), "reference")
    if _reference_taken(child, reference):
        raise DetailsError(gettext("Another child already has this reference"), "reference")
    if primary_need not in vocabulary.PRIMARY_NEEDS:
        raise DetailsError(gettext("Choose the primary need"), "primary_need")
    if date_of_birth > date.today():
        raise DetailsError(gettext("The date of birth must be in the past"), "date_of_birth")
    before = _snapshot(child)
    need_or_plan_changed = (primary_need, ehcp) != (child.primary_need, bool(child.ehcp))
    # A new date of birth moves the child's age band on every date; a new need or plan only
    # from the day it took effect (or on every date, when it corrects a mistake).
    dob_changed = date_of_birth != child.date_of_birth
    since = None if dob_changed or (need_or_plan_changed and changed_on is None) else changed_on
    with kept.tracking(db.session, [child.id], since=since):
        child.first_name = first_name.strip()
        child.last_name = last_name.strip()
        child.reference = reference
        child.date_of_birth = date_of_birth
        if need_or_plan_changed:
            set_need_and_plan(
                child, primary_need, ehcp, effective_from=changed_on, recorded_by=changed_by
            )
    after = _snapshot(child)
    if before == after:
        return False
    audit.record(
        "child_details_changed",
        child=child,
        user=changed_by,
        detail={
            "before": {key: value for key, value in before.items() if after[key] != value},
            "after": {key: value for key, value in after.items() if before[key] != value},
            **(
                {"took_effect": changed_on.isoformat() if changed_on else "correction"}
                if need_or_plan_changed
                else {}
            ),
        },
    )
    return True


def _snapshot(child: Child) -> dict:
    """Return the child's details as the audit trail records them."""
    return {
        "first_name": child.first_name,
        "last_name": child.last_name,
        "reference": child.reference,
        "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
        "primary_need": child.primary_need,
        "ehcp": bool(child.ehcp),
    }


@dataclass(frozen=True)
class Period:
    """A value and the dates it applied, for saying the history in words."""

    label: str
    since: date
    until: date | None  # None: still in force


def _periods(entries: list[ChildDetail], value) -> list[Period]:
    """Return the runs of one value (merged where it did not change), newest first."""
    runs: list[list] = []
    for entry in entries:
        label = value(entry)
        if runs and runs[-1][0] == label:
            continue
        runs.append([label, entry.effective_from])
    periods = []
    for position, (label, since) in enumerate(runs):
        until = runs[position + 1][1] if position + 1 < len(runs) else None
        periods.append(Period(label, since, until))
    return list(reversed(periods))


# Whether a child has an EHC plan, in words (translated where they are shown).
PLAN_WORDS = {True: N_("EHC plan"), False: N_("No EHC plan")}


def need_history(child: Child) -> list[Period]:
    """Return the child's primary needs through time, newest first."""
    entries = history(child)
    if not entries:
        return [
            Period(
                vocabulary.label(vocabulary.PRIMARY_NEED_LABELS, child.primary_need),
                first_day(child),
                None,
            )
        ]
    return _periods(
        entries, lambda entry: vocabulary.label(vocabulary.PRIMARY_NEED_LABELS, entry.primary_need)
    )


def plan_history(child: Child) -> list[Period]:
    """Return whether the child had an EHC plan through time, newest first."""
    entries = history(child)
    if not entries:
        return [Period(PLAN_WORDS[bool(child.ehcp)], first_day(child), None)]
    return _periods(entries, lambda entry: PLAN_WORDS[bool(entry.ehcp)])


def forget(child: Child) -> None:
    """Delete the child's dated details (erasure)."""
    db.session.execute(delete(ChildDetail).where(ChildDetail.child_id == child.id))
