"""API tokens: issued by an area's administrator for a named purpose, with scopes.

A token is shown once, when it is issued, and kept only as its SHA-256 hash. It works until it
expires or is revoked; each use is recorded in the audit trail (by the API's views).
"""

import secrets
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from goaltracker.models import ApiToken, Area, Organisation, User, utcnow

REPORTS_READ = "reports:read"
RECORDS_READ = "records:read"
# Scope → what it lets a system read, in the words the issuing page shows.
SCOPES: dict[str, str] = {
    REPORTS_READ: "the area's outcomes report and trends, protected as on the dashboard",
    RECORDS_READ: "the goals and ratings of one organisation's children, as FHIR",
}
PREFIX = "gt_"
HINT_LENGTH = 10
NAME_LONGEST = 100
DAYS_DEFAULT = 90
DAYS_MOST = 366


class TokenError(ValueError):
    """A token that cannot be issued as asked, with the field at fault."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def issue(
    session: Session,
    area: Area,
    *,
    name: str,
    scopes: list[str],
    days: int,
    issued_by: User,
    organisation: Organisation | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token; return it and its secret, which is never shown again."""
    name = " ".join(name.split())
    if not name:
        raise TokenError(gettext("Say what the key is for"), "name")
    if len(name) > NAME_LONGEST:
        raise TokenError(
            gettext("The purpose must be %(most)s characters or fewer", most=NAME_LONGEST), "name"
        )
    scopes = sorted(set(scopes))
    if not scopes or any(scope not in SCOPES for scope in scopes):
        raise TokenError(gettext("Choose what the key may read"), "scopes")
    if RECORDS_READ in scopes:
        if organisation is None:
            raise TokenError(
                gettext("Choose the organisation whose children's records it reads"),
                "organisation",
            )
        if organisation.area_id != area.id:
            raise TokenError(gettext("Choose one of the area's organisations"), "organisation")
    elif organisation is not None:
        organisation = None
    if not 1 <= days <= DAYS_MOST:
        raise TokenError(gettext("A key lasts from 1 to %(most)s days", most=DAYS_MOST), "days")
    now = now or utcnow()
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        area_id=area.id,
        name=name,
        scopes=" ".join(scopes),
        organisation_id=organisation.id if organisation else None,
        token_hash=ApiToken.hash_token(secret),
        hint=secret[:HINT_LENGTH],
        created_by_id=issued_by.id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(token)
    return token, secret


def is_active(token: ApiToken, now: datetime | None = None) -> bool:
    """Return whether a token still works: not revoked and not expired."""
    return token.revoked_at is None and token.expires_at > (now or utcnow())


def find(session: Session, secret: str, now: datetime | None = None) -> ApiToken | None:
    """Return the working token with this secret, or None (unknown, expired or revoked)."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == ApiToken.hash_token(secret))
    )
    if token is None or not is_active(token, now):
        return None
    return token


def revoke(token: ApiToken, now: datetime | None = None) -> None:
    """Stop a token working, at once and for good."""
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()


def area_tokens(session: Session, area: Area) -> list[ApiToken]:
    """Return an area's tokens, newest first."""
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.area_id == area.id).order_by(ApiToken.id.desc())
        )
    )
