"""The audit trail: who saw or changed a child's record, every export and every sign-in."""

from datetime import UTC, date, datetime, time, timedelta

from flask import has_request_context, request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from goaltracker import bulk
from goaltracker.extensions import db
from goaltracker.models import AuditEvent, Child, User, utcnow
from goaltracker.vocabulary import N_


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
    shared = {
        "action": action,
        "user_id": user.id if user is not None else None,
        "area_id": area_id,
        "detail": detail or {},
        "ip_address": request.remote_addr if has_request_context() else None,
        "occurred_at": utcnow(),
    }
    rows = [{**shared, "child_id": child_id} for child_id in sorted(set(child_ids))]
    bulk.add(db.session, AuditEvent.__table__, rows)


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
    "child_added": N_("added the record"),
    "child_record_viewed": N_("looked at the record"),
    "goal_viewed": N_("looked at a goal"),
    "review_viewed": N_("looked at ratings"),
    "summary_viewed": N_("looked at the summary"),
    "summary_downloaded": N_("downloaded the summary"),
    "goal_set": N_("set a goal"),
    "goal_edited": N_("changed a goal"),
    "goal_status_changed": N_("changed a goal's status"),
    "review_recorded": N_("recorded ratings"),
    "rating_corrected": N_("corrected a rating"),
    "note_added": N_("added a note"),
    "family_invited": N_("invited a family member"),
    "invitation_accepted": N_("accepted an invitation"),
    "consent_granted": N_("allowed an organisation to see the record"),
    "consent_withdrawn": N_("stopped an organisation seeing the record"),
    "consent_requested": N_("asked about sharing"),
    "key_worker_changed": N_("changed the key worker"),
    "record_downloaded": N_("downloaded everything held"),
    "ratings_imported": N_("imported ratings"),
    "record_erased": N_("erased the record"),
    "sign_in": N_("signed in"),
    "sign_in_failed": N_("failed to sign in"),
    "sign_out": N_("signed out"),
    "two_factor_passed": N_("gave an authenticator code"),
    "two_factor_failed": N_("gave a wrong authenticator code"),
    "two_factor_set_up": N_("set up an authenticator app"),
    "two_factor_reset": N_("removed someone's authenticator app"),
    "recovery_code_used": N_("signed in with a recovery code"),
    "recovery_codes_replaced": N_("made new recovery codes"),
    "password_changed": N_("changed their password"),
    "password_change_failed": N_("gave a wrong current password"),
    "password_reset_requested": N_("asked for a password reset link"),
    "password_reset": N_("set a new password from a reset link"),
    "session_ended": N_("ended one of their sessions"),
    "sessions_ended": N_("signed out everywhere else"),
    "staff_invited": N_("invited a member of staff"),
    "staff_role_changed": N_("changed a member of staff's role"),
    "account_deactivated": N_("deactivated an account"),
    "account_reactivated": N_("reactivated an account"),
    "password_sign_in_changed": N_("changed whether someone signs in with a password"),
    "area_created": N_("created the area"),
    "area_settings_changed": N_("changed the area's settings"),
    "report_viewed": N_("looked at the outcomes dashboard"),
    "report_exported": N_("downloaded the outcomes report"),
    "outcomes_report_exported": N_("printed the outcomes report on the command line"),
    "public_outcomes_changed": N_("changed the public outcomes page"),
    "child_details_viewed": N_("looked at the record's details"),
    "child_details_changed": N_("changed the record's details"),
    "goal_form_viewed": N_("opened a goal to change it"),
    "goals_being_set_viewed": N_("checked goals before saving them"),
    "goal_status_form_viewed": N_("opened a goal's status"),
    "review_form_viewed": N_("opened the ratings form"),
    "key_worker_page_viewed": N_("looked at the key worker"),
    "record_anonymised_for_retention": N_("anonymised the record at the end of its retention"),
    "outcome_added": N_("added a strategic outcome"),
    "outcome_changed": N_("changed a strategic outcome"),
    "outcomes_reordered": N_("reordered the strategic outcomes"),
    "outcome_retired": N_("retired a strategic outcome"),
    "outcome_brought_back": N_("brought back a strategic outcome"),
    "organisation_added": N_("added an organisation"),
    "child_imported": N_("imported goals and ratings"),
    "family_member_removed": N_("removed a family member's access"),
    "handover_offered": N_("offered the young person their record"),
    "handover_accepted": N_("took over their own record"),
    "family_access_kept": N_("kept a family member's access"),
    "key_worker_change_requested": N_("asked the family about a new key worker"),
    "key_worker_change_answered": N_("answered a question about a new key worker"),
}


def describe(event: AuditEvent) -> str:
    """Return what an event means in plain words, in the page's language."""
    words = ACTION_WORDS.get(event.action)
    return gettext(words) if words else event.action.replace("_", " ")


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
