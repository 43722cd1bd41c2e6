"""Server-side sessions: signing out, a new password or deactivation ends them at once.

The browser's cookie carries only a random session token; the server keeps a record of each
session (its hash, when it began and was last used, from where) and a request is signed in only
while that record is open, its account active and the session used within the idle timeout.
A copied cookie replayed after sign-out therefore finds a closed record and gets the sign-in
page.
"""

from datetime import timedelta

from flask import (
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select, update

from goaltracker import audit, security
from goaltracker.extensions import db
from goaltracker.models import User, UserSession, hash_token, utcnow

TOKEN_KEY = "session_token"  # noqa: S105  (the name of a session key)
# Noting when a session was last used at most once a minute saves a write on every page.
TOUCH_INTERVAL = timedelta(seconds=60)


def idle_timeout() -> timedelta:
    """Return how long a session may go unused before it ends."""
    return current_app.config["SESSION_IDLE_TIMEOUT"]


def start(user: User, method: str = "password") -> UserSession:
    """Open a session record for the user and put its token in the browser's session."""
    token = security.new_token()
    record = UserSession(
        user_id=user.id,
        token_hash=hash_token(token),
        method=method,
        ip_address=request.remote_addr if has_request_context() else None,
        user_agent=(request.user_agent.string[:200] if has_request_context() else ""),
    )
    db.session.add(record)
    session[TOKEN_KEY] = token
    return record


def current_record() -> UserSession | None:
    """Return the open record of this browser's session, if it has one."""
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str) or not token:
        return None
    return db.session.scalar(
        select(UserSession).where(
            UserSession.token_hash == hash_token(token), UserSession.ended_at.is_(None)
        )
    )


def load_user(user_id: str) -> User | None:
    """Return the signed-in user of this request, or None when the session no longer works."""
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str) or not token or not user_id.isdigit():
        return None
    found = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(
            UserSession.token_hash == hash_token(token),
            UserSession.user_id == int(user_id),
            UserSession.ended_at.is_(None),
        )
    ).first()
    if found is None:
        return None
    record, user = found
    now = utcnow()
    if not user.active:
        return None
    if record.last_seen_at <= now - idle_timeout():
        _end_where(UserSession.id == record.id, "timed_out")
        audit.commit_view()
        return None
    if record.last_seen_at <= now - min(TOUCH_INTERVAL, idle_timeout() / 10):
        db.session.execute(
            update(UserSession).where(UserSession.id == record.id).values(last_seen_at=now)
        )
        audit.commit_view()
    return user


def load_early() -> None:
    """Load the signed-in user at the start of the request (see `load_user`)."""
    current_user._get_current_object()


def send_to_sign_in():
    """Send someone who is not signed in to sign in, keeping a form they sent after a time-out."""
    from goaltracker.accounts import saved_forms

    if request.method == "POST" and saved_forms.keep_submission():
        db.session.commit()
        flash(
            gettext(
                "You were signed out because the service was not used for a while. Sign in "
                "again: what you typed has been kept, and the form will be filled in for you."
            ),
            "info",
        )
        return redirect(url_for("auth.sign_in", next=request.path))
    flash(gettext("Sign in to see this page."), "info")
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.sign_in", next=target))


def restore_form() -> None:
    """Fill this page's form with what was sent to it after a time-out, once signed in again."""
    from goaltracker.accounts import saved_forms

    if (
        request.method != "GET"
        or not session.get(saved_forms.PENDING_KEY)
        or not current_user.is_authenticated
    ):
        return
    restored = saved_forms.take_back(current_user, request.path)
    if restored is not None:
        audit.commit_view()
        g.restored_form = restored
        flash(
            gettext(
                "What you typed before you were signed out has been put back. Check it, then "
                "send it again."
            ),
            "info",
        )


def _end_where(condition, reason: str) -> int:
    """Close the open session records matching a condition; return how many."""
    result = db.session.execute(
        update(UserSession)
        .where(condition, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_because=reason)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def end_current(reason: str = "signed_out") -> None:
    """Close this browser's session record (signing out)."""
    token = session.get(TOKEN_KEY)
    if isinstance(token, str) and token:
        _end_where(UserSession.token_hash == hash_token(token), reason)


def end_all(user: User, reason: str, *, keep_current: bool = False) -> int:
    """Close every session of an account (all but this browser's with `keep_current`)."""
    condition = UserSession.user_id == user.id
    token = session.get(TOKEN_KEY) if has_request_context() else None
    if keep_current and isinstance(token, str) and token:
        condition = condition & (UserSession.token_hash != hash_token(token))
    return _end_where(condition, reason)


def end_one(user: User, session_id: int, reason: str = "ended_by_owner") -> bool:
    """Close one of the account's sessions by its id; return whether one was open."""
    return bool(
        _end_where((UserSession.user_id == user.id) & (UserSession.id == session_id), reason)
    )


def open_sessions(user: User) -> list[UserSession]:
    """Return the account's sessions still working, most recently used first."""
    cutoff = utcnow() - idle_timeout()
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.ended_at.is_(None),
                UserSession.last_seen_at > cutoff,
            )
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )
