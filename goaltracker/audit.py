"""The audit trail: who saw or changed a child's record, every export and every sign-in."""

from datetime import UTC, date, datetime, time, timedelta

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import func, insert, select
from sqlalchemy.orm import joinedload

from goaltracker.extensions import db
from goaltracker.models import AuditEvent, Child, User, utcnow


def record(
    action: str,
    *,
    child: Child | None = None,
    area_id: int | None = None,
    user: User | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Add an audit event to the session; it is committed with the change it describes."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    if area_id is None:
        area_id = child.area_id if child is not None else (user.area_id if user else None)
    event = AuditEvent(
        action=action,
        user_id=user.id if user is not None else None,
        child_id=child.id if child is not None else None,
        area_id=area_id,
        detail=detail or {},
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


def record_many(
    action: str,
    *,
    area_id: int,
    user: User | None,
    child_ids,
    detail: dict | None = None,
) -> None:
    """Add one event per child in one statement, for changes that touch many children at once."""
    rows = [
        {
            "action": action,
            "user_id": user.id if user is not None else None,
            "child_id": child_id,
            "area_id": area_id,
            "detail": detail or {},
            "ip_address": request.remote_addr if has_request_context() else None,
            "occurred_at": utcnow(),
        }
        for child_id in sorted(set(child_ids))
    ]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(AuditEvent), rows[start : start + 5000])


def record_now(action: str, **kwargs) -> AuditEvent:
    """Record an event that stands alone, such as a view, and commit it at once."""
    event = record(action, **kwargs)
    commit_view()
    return event


def commit_view() -> None:
    """Commit the audit events of a page that only shows a record, keeping what it loaded.

    A plain commit expires every loaded object, and the page would then load the child, each
    goal and each rating again one query at a time. Nothing but the audit trail changed, so
    what was loaded is still true.
    """
    session = db.session()
    expire_on_commit = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit


def access_history(child: Child, limit: int = 200, offset: int = 0) -> list[AuditEvent]:
    """Return who saw or changed the child's record, newest first, for the family to read."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.child_id == child.id)
            .options(joinedload(AuditEvent.user).joinedload(User.organisation))
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def access_history_count(child: Child) -> int:
    """Return how many events the child's access history holds."""
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.child_id == child.id)
    )


ACTION_WORDS = {
    "child_added": "added the record",
    "child_record_viewed": "looked at the record",
    "goal_viewed": "looked at a goal",
    "review_viewed": "looked at ratings",
    "summary_viewed": "looked at the summary",
    "summary_downloaded": "downloaded the summary",
    "goal_set": "set a goal",
    "goal_edited": "changed a goal",
    "goal_status_changed": "changed a goal's status",
    "review_recorded": "recorded ratings",
    "rating_corrected": "corrected a rating",
    "note_added": "added a note",
    "family_invited": "invited a family member",
    "invitation_accepted": "accepted an invitation",
    "consent_granted": "allowed an organisation to see the record",
    "consent_withdrawn": "stopped an organisation seeing the record",
    "consent_requested": "asked about sharing",
    "key_worker_changed": "changed the key worker",
    "record_downloaded": "downloaded everything held",
    "ratings_imported": "imported ratings",
    "record_erased": "erased the record",
    "sign_in": "signed in",
    "sign_in_failed": "failed to sign in",
    "sign_out": "signed out",
    "two_factor_passed": "gave an authenticator code",
    "two_factor_failed": "gave a wrong authenticator code",
    "two_factor_set_up": "set up an authenticator app",
    "two_factor_reset": "removed someone's authenticator app",
    "recovery_code_used": "signed in with a recovery code",
    "recovery_codes_replaced": "made new recovery codes",
    "password_changed": "changed their password",
    "password_change_failed": "gave a wrong current password",
    "password_reset_requested": "asked for a password reset link",
    "password_reset": "set a new password from a reset link",
    "session_ended": "ended one of their sessions",
    "sessions_ended": "signed out everywhere else",
    "staff_invited": "invited a member of staff",
    "staff_role_changed": "changed a member of staff's role",
    "account_deactivated": "deactivated an account",
    "account_reactivated": "reactivated an account",
    "password_sign_in_changed": "changed whether someone signs in with a password",
    "area_created": "created the area",
    "area_settings_changed": "changed the area's settings",
    "report_viewed": "looked at the outcomes dashboard",
    "report_exported": "downloaded the outcomes report",
    "outcomes_report_exported": "printed the outcomes report on the command line",
    "public_outcomes_changed": "changed the public outcomes page",
    "child_details_viewed": "looked at the record's details",
    "child_details_changed": "changed the record's details",
    "goal_form_viewed": "opened a goal to change it",
    "goals_being_set_viewed": "checked goals before saving them",
    "goal_status_form_viewed": "opened a goal's status",
    "review_form_viewed": "opened the ratings form",
    "key_worker_page_viewed": "looked at the key worker",
    "record_anonymised_for_retention": "anonymised the record at the end of its retention",
    "outcome_added": "added a strategic outcome",
    "outcome_changed": "changed a strategic outcome",
    "outcomes_reordered": "reordered the strategic outcomes",
    "outcome_retired": "retired a strategic outcome",
    "outcome_brought_back": "brought back a strategic outcome",
    "organisation_added": "added an organisation",
    "child_imported": "imported goals and ratings",
    "family_member_removed": "removed a family member's access",
    "handover_offered": "offered the young person their record",
    "handover_accepted": "took over their own record",
    "family_access_kept": "kept a family member's access",
    "key_worker_change_requested": "asked the family about a new key worker",
    "key_worker_change_answered": "answered a question about a new key worker",
}


def describe(event: AuditEvent) -> str:
    """Return what an event means in plain words."""
    return ACTION_WORDS.get(event.action, event.action.replace("_", " "))


def search(
    area_id: int | None,
    *,
    email: str = "",
    child_reference: str = "",
    action: str = "",
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[AuditEvent], int]:
    """Return a page of the area's audit events matching the filters, newest first, and a count."""
    conditions = []
    if area_id is not None:
        conditions.append(AuditEvent.area_id == area_id)
    if email:
        conditions.append(AuditEvent.user.has(func.lower(User.email) == email.strip().lower()))
    if child_reference:
        conditions.append(AuditEvent.child.has(Child.reference == child_reference.strip()))
    if action:
        conditions.append(AuditEvent.action == action)
    if since:
        conditions.append(AuditEvent.occurred_at >= datetime.combine(since, time.min, UTC))
    if until:
        conditions.append(
            AuditEvent.occurred_at < datetime.combine(until + timedelta(days=1), time.min, UTC)
        )
    total = db.session.scalar(select(func.count(AuditEvent.id)).where(*conditions))
    events = db.session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .options(joinedload(AuditEvent.user), joinedload(AuditEvent.child))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    return list(events), total
