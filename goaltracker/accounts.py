"""Accounts: signing in, and inviting family members by single-use, expiring links."""

from dataclasses import dataclass
from datetime import timedelta

import pyotp
from sqlalchemy import func, select

from goaltracker import audit, security
from goaltracker.extensions import db
from goaltracker.models import Child, FamilyLink, Invitation, User, utcnow


def normalise_email(email: str) -> str:
    """Return the email address as stored: trimmed and lower case."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """Return the account with this email address, if there is one."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """Return the active user whose email and password match, auditing success and failure."""
    user = find_user_by_email(email)
    if user is not None and user.active and security.verify_password(user.password_hash, password):
        user.last_signed_in_at = utcnow()
        audit.record("sign_in", user=user)
        return user
    if user is None:
        security.verify_password(None, password)
    audit.record(
        "sign_in_failed",
        user=user,
        detail={"email": normalise_email(email)[:254]},
    )
    return None


@dataclass(frozen=True)
class InvitationSent:
    """A new invitation and the token for its link, which is never stored."""

    invitation: Invitation
    token: str


def invite_family_member(
    child: Child,
    *,
    email: str,
    name: str,
    relationship_to_child: str,
    invited_by: User,
    valid_days: int,
) -> InvitationSent:
    """Create a single-use invitation for a parent, carer or young person to join."""
    token = security.new_token()
    invitation = Invitation(
        token_hash=Invitation.hash_token(token),
        email=normalise_email(email),
        name=name.strip(),
        child_id=child.id,
        relationship_to_child=relationship_to_child,
        created_by_id=invited_by.id,
        expires_at=utcnow() + timedelta(days=valid_days),
    )
    db.session.add(invitation)
    audit.record(
        "family_invited",
        child=child,
        user=invited_by,
        detail={"email": invitation.email, "relationship": relationship_to_child},
    )
    return InvitationSent(invitation=invitation, token=token)


def invitation_for_token(token: str) -> tuple[Invitation | None, str | None]:
    """Return the usable invitation for a token, or None and why it cannot be used."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == Invitation.hash_token(token))
    )
    if invitation is None:
        return None, "not_found"
    if invitation.accepted_at is not None:
        return None, "used"
    if invitation.expires_at <= utcnow():
        return None, "expired"
    return invitation, None


def accept_invitation(invitation: Invitation, password: str) -> User:
    """Set the family member's password, link them to the child and spend the invitation."""
    user = find_user_by_email(invitation.email)
    if user is None:
        user = User(
            email=invitation.email,
            name=invitation.name,
            role="family",
            area_id=invitation.child.area_id,
        )
        db.session.add(user)
    user.password_hash = security.hash_password(password)
    db.session.flush()
    link = db.session.get(FamilyLink, (user.id, invitation.child_id))
    if link is None:
        db.session.add(
            FamilyLink(
                user_id=user.id,
                child_id=invitation.child_id,
                relationship_to_child=invitation.relationship_to_child,
            )
        )
    invitation.accepted_at = utcnow()
    invitation.user_id = user.id
    audit.record("invitation_accepted", child=invitation.child, user=user)
    return user


def two_factor_required(user: User, roles_setting: str) -> bool:
    """Return whether the user must give a code as well as a password."""
    roles = {role.strip() for role in roles_setting.split(",") if role.strip()}
    return user.totp_secret is not None or user.role in roles


def new_two_factor_secret() -> str:
    """Return a new secret for an authenticator app."""
    return pyotp.random_base32()


def two_factor_uri(user: User, secret: str, issuer: str) -> str:
    """Return the otpauth link an authenticator app reads."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def code_matches(secret: str, code: str) -> bool:
    """Return whether the six-digit code is right now (or 30 seconds either side)."""
    code = "".join(code.split())
    return code.isdigit() and len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1)
