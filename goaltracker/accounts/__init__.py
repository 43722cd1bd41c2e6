"""Accounts: who people are, how they sign in, and how their access begins and ends.

One module per part of an account's life: `sessions` (server-side sessions that really end),
`passwords` (signing in, changing and resetting passwords), `invitations` (family members and
staff joining), `two_factor` (codes from an authenticator app and recovery codes), `staff`
(the administrator's lifecycle of staff accounts), `throttle` (failed attempts) and
`single_sign_on` (OpenID Connect for staff).
"""

from sqlalchemy import func, select

from goaltracker.extensions import db
from goaltracker.models import User

STAFF_ROLES: tuple[str, ...] = ("practitioner", "manager", "admin")


def normalise_email(email: str) -> str:
    """Return the email address as stored: trimmed and lower case."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """Return the account with this email address, if there is one."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


class AccountError(Exception):
    """A change to an account that cannot be made, with the reason in plain words."""
