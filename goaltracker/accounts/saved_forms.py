"""Nothing typed is lost when a session times out in the middle of filling in a form.

A form sent after the session timed out is kept, for the person whose session it was, for an
hour. Once they sign in again and come back to the same page, its form is filled with what they
sent. Passwords, codes and CSRF tokens are never kept.
"""

from datetime import timedelta

from flask import request, session
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from goaltracker.accounts.sessions import TOKEN_KEY
from goaltracker.extensions import db
from goaltracker.models import SavedForm, User, UserSession, hash_token, utcnow

KEPT_FOR = timedelta(hours=1)
# Set in the browser's session at sign-in when something is kept, so that pages look only then.
PENDING_KEY = "saved_form_pending"
NEVER_KEPT = frozenset({"csrf_token", "password", "confirm", "current", "code"})
MOST_VALUES = 500
LONGEST_VALUE = 20_000


def owner_of_timed_out_session() -> User | None:
    """Return the person whose session in this browser ended for want of use, if it did."""
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str) or not token:
        return None
    record = db.session.scalar(
        select(UserSession).where(UserSession.token_hash == hash_token(token))
    )
    if record is None or record.ended_because not in (None, "timed_out"):
        # Signed out, or ended by a new password or an administrator: nothing is kept.
        return None
    user = db.session.get(User, record.user_id)
    return user if user is not None and user.active else None


def keep_submission() -> bool:
    """Keep this request's form for the owner of the timed-out session; return whether kept."""
    user = owner_of_timed_out_session()
    if user is None or not request.form:
        return False
    pairs = [
        (name, value[:LONGEST_VALUE])
        for name, value in request.form.items(multi=True)
        if name not in NEVER_KEPT
    ][:MOST_VALUES]
    now = utcnow()
    db.session.execute(delete(SavedForm).where(SavedForm.expires_at <= now))
    db.session.execute(
        delete(SavedForm).where(SavedForm.user_id == user.id, SavedForm.path == request.path)
    )
    db.session.add(
        SavedForm(user_id=user.id, path=request.path[:500], data=pairs, expires_at=now + KEPT_FOR)
    )
    return True


def take_back(user: User, path: str) -> MultiDict | None:
    """Return (and forget) what the person sent to this page before being signed out, if kept."""
    saved = db.session.scalar(
        select(SavedForm)
        .where(
            SavedForm.user_id == user.id,
            SavedForm.path == path,
            SavedForm.expires_at > utcnow(),
        )
        .order_by(SavedForm.id.desc())
    )
    if saved is None:
        return None
    data = MultiDict([(name, value) for name, value in saved.data])
    db.session.execute(
        delete(SavedForm).where(SavedForm.user_id == user.id, SavedForm.path == path)
    )
    if not any_kept(user):
        session.pop(PENDING_KEY, None)
    return data


def any_kept(user: User) -> bool:
    """Return whether anything sent after a time-out is kept for the person."""
    return (
        db.session.scalar(
            select(SavedForm.id).where(
                SavedForm.user_id == user.id, SavedForm.expires_at > utcnow()
            )
        )
        is not None
    )
