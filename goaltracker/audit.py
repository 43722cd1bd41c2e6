"""The audit trail: who saw or changed a child's record, every export and every sign-in."""

from flask import has_request_context, request
from flask_login import current_user

from goaltracker.extensions import db
from goaltracker.models import AuditEvent, Child, User


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


def record_now(action: str, **kwargs) -> AuditEvent:
    """Record an event that stands alone, such as a view, and commit it at once."""
    event = record(action, **kwargs)
    db.session.commit()
    return event
