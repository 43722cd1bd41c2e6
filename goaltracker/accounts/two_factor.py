"""A second factor: codes from an authenticator app (each usable once) and recovery codes."""

import secrets
from datetime import UTC, datetime

import pyotp
from sqlalchemy import delete, select

from goaltracker import audit
from goaltracker.accounts import sessions
from goaltracker.extensions import db
from goaltracker.models import RecoveryCode, User, hash_token, utcnow

RECOVERY_CODES = 10
# Recovery codes avoid letters and digits that look alike when copied from paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def required(user: User, roles_setting: str) -> bool:
    """Return whether the user must give a code as well as a password."""
    roles = {role.strip() for role in roles_setting.split(",") if role.strip()}
    return user.totp_secret is not None or user.role in roles


def new_secret() -> str:
    """Return a new secret for an authenticator app."""
    return pyotp.random_base32()


def uri(user: User, secret: str, issuer: str) -> str:
    """Return the otpauth link an authenticator app reads."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def matching_step(secret: str, code: str, *, after: int | None = None) -> int | None:
    """Return the time step whose code this is (now, or 30 seconds either side), else None.

    A step at or before `after` never matches: a code that was accepted once is spent.
    """
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(datetime.now(UTC))
    for step in (now - 1, now, now + 1):
        if after is not None and step <= after:
            continue
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify(user: User, code: str) -> bool:
    """Accept the user's code once: the step is remembered so the same code cannot be replayed."""
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code, after=user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def set_up(user: User, secret: str, code: str) -> list[str] | None:
    """Turn on the second factor when the code matches the new secret; return recovery codes."""
    step = matching_step(secret, code)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_last_step = step
    audit.record("two_factor_set_up", user=user)
    return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes with new ones, returned once and stored hashed."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODES)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_token(code)) for code in codes)
    return codes


def _normalise_recovery_code(code: str) -> str:
    """Return a recovery code as stored: lower case, with its hyphen, without spaces."""
    letters = "".join(character for character in code.lower() if character.isalnum())
    return f"{letters[:5]}-{letters[5:]}" if len(letters) == 10 else letters


def use_recovery_code(user: User, code: str) -> bool:
    """Accept one of the account's unused recovery codes, spending it."""
    found = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == hash_token(_normalise_recovery_code(code)),
            RecoveryCode.used_at.is_(None),
        )
    )
    if found is None:
        return False
    found.used_at = utcnow()
    audit.record("recovery_code_used", user=user)
    return True


def recovery_codes_left(user: User) -> int:
    """Return how many recovery codes the account has not used."""
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def reset(user: User, by: User) -> None:
    """Remove the account's second factor: it is set up again at the next sign-in."""
    user.totp_secret = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    sessions.end_all(user, "two_factor_reset")
    audit.record("two_factor_reset", user=by, detail={"account": user.email})
