"""Passwords: signing in with one, changing it, and setting a new one after forgetting it."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from goaltracker import audit, security
from goaltracker.accounts import find_user_by_email, normalise_email, sessions
from goaltracker.extensions import db
from goaltracker.models import PasswordReset, User, hash_token, utcnow

RESET_VALID_FOR = timedelta(hours=1)


def authenticate(email: str, password: str) -> User | None:
    """Return the active user whose email and password match, auditing success and failure.

    Unknown, deactivated and single-sign-on-only accounts take as long as a wrong password
    (one Argon2 verification each), and fail the same way.
    """
    user = find_user_by_email(email)
    usable_hash = user.password_hash if user is not None else None
    matches = security.verify_password(usable_hash, password)
    if matches and user.active and user.password_sign_in:
        user.last_signed_in_at = utcnow()
        audit.record("sign_in", user=user)
        return user
    audit.record(
        "sign_in_failed",
        user=user,
        detail={
            "email": normalise_email(email)[:254],
            **({"deactivated": True} if user is not None and not user.active else {}),
        },
    )
    return None


def set_password(user: User, password: str, *, reason: str, keep_current: bool = False) -> None:
    """Give the account a new password and end its other sessions (all, unless told)."""
    user.password_hash = security.hash_password(password)
    sessions.end_all(user, reason, keep_current=keep_current)


def change_password(user: User, current: str, new: str) -> bool:
    """Change the password when the current one is right; other sessions end. Audited."""
    if not security.verify_password(user.password_hash, current):
        audit.record("password_change_failed", user=user)
        return False
    set_password(user, new, reason="password_changed", keep_current=True)
    audit.record("password_changed", user=user)
    return True


@dataclass(frozen=True)
class ResetRequested:
    """A reset link for an account (None when the address has no usable account)."""

    user: User | None
    token: str | None


def request_reset(email: str) -> ResetRequested:
    """Make a one-hour, single-use reset link when the address has an active account.

    The caller answers the same either way. Accounts without a local password (single sign-on
    only) and deactivated accounts get no link.
    """
    user = find_user_by_email(email)
    token = security.new_token()
    if user is None or not user.active or not user.password_sign_in:
        audit.record(
            "password_reset_requested",
            user=user,
            detail={"email": normalise_email(email)[:254], "sent": False},
        )
        return ResetRequested(None, None)
    db.session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=hash_token(token),
            expires_at=utcnow() + RESET_VALID_FOR,
        )
    )
    audit.record("password_reset_requested", user=user, detail={"sent": True})
    return ResetRequested(user, token)


def reset_for_token(token: str) -> tuple[PasswordReset | None, str | None]:
    """Return the usable reset for a token, or None and why not: not_found, used or expired."""
    reset = db.session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == hash_token(token))
    )
    if reset is None or not reset.user.active or not reset.user.password_sign_in:
        return None, "not_found"
    if reset.used_at is not None:
        return None, "used"
    if reset.expires_at <= utcnow():
        return None, "expired"
    return reset, None


def reset_password(reset: PasswordReset, password: str) -> User:
    """Set the new password, spend every reset link of the account, end every session."""
    user = reset.user
    now = utcnow()
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    reset.used_at = now
    set_password(user, password, reason="password_reset")
    audit.record("password_reset", user=user)
    return user
