"""Erasure that is final, and retention: after it, nothing identifies the child or rebuilds
their record.

Erasing deletes the goals (and their earlier wording), ratings, notes, sharing decisions and
requests, invitations, family links, dated details, goals being set and forms kept after a
time-out; empties the record's row down to a tombstone with no name, reference, date of birth,
need or EHC plan; strips the audit trail's events about the child of their details, of the
address they came from and of any link to a family member's account (what happened, and when,
stays); and keeps only a keyed hash of the reference, so that an import can refuse it. Kept
aggregates stop counting the child.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from goaltracker import audit
from goaltracker.extensions import db
from goaltracker.models import (
    Area,
    AuditEvent,
    Child,
    ChildDetail,
    Consent,
    ConsentRequest,
    ErasedReference,
    FamilyLink,
    Goal,
    GoalDraft,
    GoalRevision,
    Invitation,
    KeyWorkerRequest,
    Note,
    Rating,
    SavedForm,
    User,
    goal_outcome,
    utcnow,
)
from goaltracker.reports import kept


def _hash_key() -> bytes:
    """Return the key of erased references' hashes, derived from the app's secret key.

    The database never holds the key, so its hashes cannot be matched to guessed references
    by someone holding a copy of the database alone.
    """
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"goaltracker erased references", hashlib.sha256).digest()


def reference_hash(area_id: int, reference: str) -> str:
    """Return the keyed hash of a child's reference in an area."""
    message = f"{area_id}\x1f{reference.strip()}".encode()
    return hmac.new(_hash_key(), message, hashlib.sha256).hexdigest()


def erased_hashes(area_id: int) -> frozenset[str]:
    """Return the keyed hashes of the references of an area's erased records."""
    return frozenset(
        db.session.scalars(
            select(ErasedReference.reference_hash).where(ErasedReference.area_id == area_id)
        )
    )


def was_erased(area_id: int, reference: str) -> bool:
    """Return whether a reference belonged to a record erased in the area."""
    return reference_hash(area_id, reference) in erased_hashes(area_id)


def erase_child(
    child: Child, erased_by: User | None, reason: str, *, action: str = "record_erased"
) -> None:
    """Erase a child's record for good (see the module's description), in this transaction."""
    goal_ids = select(Goal.id).where(Goal.child_id == child.id)
    counts = {
        "goals": db.session.scalar(select(func.count()).select_from(goal_ids.subquery())),
        "ratings": db.session.scalar(
            select(func.count(Rating.id)).where(Rating.goal_id.in_(goal_ids))
        ),
    }
    family = list(
        db.session.scalars(select(FamilyLink.user_id).where(FamilyLink.child_id == child.id))
    )
    family_accounts = select(User.id).where(User.role == "family")
    reference = child.reference
    with kept.tracking(db.session, [child.id]):
        for statement in (
            delete(Rating).where(Rating.goal_id.in_(goal_ids)),
            delete(GoalRevision).where(GoalRevision.goal_id.in_(goal_ids)),
            delete(goal_outcome).where(goal_outcome.c.goal_id.in_(goal_ids)),
            delete(Note).where(Note.child_id == child.id),
            delete(Goal).where(Goal.child_id == child.id),
            delete(Consent).where(Consent.child_id == child.id),
            delete(ConsentRequest).where(ConsentRequest.child_id == child.id),
            delete(KeyWorkerRequest).where(KeyWorkerRequest.child_id == child.id),
            delete(Invitation).where(Invitation.child_id == child.id),
            delete(FamilyLink).where(FamilyLink.child_id == child.id),
            delete(ChildDetail).where(ChildDetail.child_id == child.id),
            delete(GoalDraft).where(GoalDraft.child_id == child.id),
            delete(SavedForm).where(
                or_(
                    SavedForm.path.like(f"/children/{child.id}/%"),
                    SavedForm.path.like(f"/family/children/{child.id}/%"),
                )
            ),
        ):
            db.session.execute(statement)
        # The audit trail keeps what happened and when, but nothing that identifies the child or
        # ties them to a family member's account.
        db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.child_id == child.id)
            .values(detail={}, ip_address=None)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            update(AuditEvent)
            .where(
                AuditEvent.child_id == child.id,
                or_(
                    AuditEvent.user_id.in_(family or [-1]), AuditEvent.user_id.in_(family_accounts)
                ),
            )
            .values(user_id=None)
            .execution_options(synchronize_session=False)
        )
        if reference and not reference.startswith("ERASED-"):
            db.session.add(
                ErasedReference(
                    area_id=child.area_id, reference_hash=reference_hash(child.area_id, reference)
                )
            )
        child.first_name = ""
        child.last_name = ""
        child.reference = f"ERASED-{child.id}"
        child.date_of_birth = None
        child.primary_need = None
        child.ehcp = None
        child.key_worker_id = None
        child.handed_over_at = None
        child.erased_at = utcnow()
    audit.record(
        action,
        child=child,
        user=erased_by,
        detail={"reason": reason.strip()[:500], **counts},
    )
    db.session.flush()


RETENTION_REASON = "The area's retention period for the record ended"


@dataclass(frozen=True)
class DueRecord:
    """A record past the area's retention period."""

    child_id: int
    reference: str
    due_on: date


def years_after(day: date, years: int) -> date:
    """Return the same day so many years later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def last_activity_query(area: Area):
    """Return a query of each of the area's children with the day of the record's last activity."""
    goal_days = (
        select(Goal.child_id, func.max(Goal.created_at).label("day"))
        .group_by(Goal.child_id)
        .subquery()
    )
    rating_days = (
        select(Goal.child_id, func.max(Rating.recorded_at).label("day"))
        .join(Rating, Rating.goal_id == Goal.id)
        .group_by(Goal.child_id)
        .subquery()
    )
    note_days = (
        select(Note.child_id, func.max(Note.created_at).label("day"))
        .group_by(Note.child_id)
        .subquery()
    )
    return (
        select(
            Child.id,
            Child.reference,
            Child.date_of_birth,
            Child.created_at,
            goal_days.c.day.label("goal_day"),
            rating_days.c.day.label("rating_day"),
            note_days.c.day.label("note_day"),
        )
        .outerjoin(goal_days, goal_days.c.child_id == Child.id)
        .outerjoin(rating_days, rating_days.c.child_id == Child.id)
        .outerjoin(note_days, note_days.c.child_id == Child.id)
        .where(Child.area_id == area.id, Child.erased_at.is_(None))
    )


def due_records(area: Area, today: date) -> list[DueRecord]:
    """Return the area's records past its retention period on a day, oldest due first."""
    due = []
    if area.retention_basis == "age_25":
        rows = db.session.execute(
            select(Child.id, Child.reference, Child.date_of_birth).where(
                Child.area_id == area.id,
                Child.erased_at.is_(None),
                Child.date_of_birth.is_not(None),
            )
        )
        for child_id, reference, born in rows:
            due_on = years_after(years_after(born, 25), area.retention_years)
            if due_on <= today:
                due.append(DueRecord(child_id, reference, due_on))
    else:
        for row in db.session.execute(last_activity_query(area)):
            days = [
                day for day in (row.created_at, row.goal_day, row.rating_day, row.note_day) if day
            ]
            last = max(day.date() if hasattr(day, "date") else day for day in days)
            due_on = years_after(last, area.retention_years)
            if due_on <= today:
                due.append(DueRecord(row.id, row.reference, due_on))
    return sorted(due, key=lambda record: (record.due_on, record.reference))


def apply_retention(area: Area, today: date, *, dry_run: bool = False) -> list[DueRecord]:
    """Erase (anonymise) every record past the retention period, one audit event each."""
    due = due_records(area, today)
    if dry_run:
        return due
    for record in due:
        child = db.session.get(Child, record.child_id)
        erase_child(child, None, RETENTION_REASON, action="record_anonymised_for_retention")
    return due
