"""Invitations: family members to a child's record, and new staff to an area.

An invitation link never sets the password of an account that already has one. When the email
already belongs to an account, its owner signs in with their own password (and second factor)
and then accepts; the link alone gives nothing. Staff addresses cannot be invited as family.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import render_template
from flask_babel import gettext
from sqlalchemy import select

from goaltracker import audit, mail, security
from goaltracker.accounts import STAFF_ROLES, AccountError, find_user_by_email, normalise_email
from goaltracker.extensions import db
from goaltracker.models import Area, Child, FamilyLink, Invitation, Organisation, User, utcnow

# What accepting needs: a new account's password, or the existing account's owner to sign in.
NEW_PASSWORD = "new_password"  # noqa: S105  (a step, not a password)
SIGN_IN = "sign_in"


@dataclass(frozen=True)
class InvitationSent:
    """A new invitation and the token for its link, which is never stored."""

    invitation: Invitation
    token: str


def _new_invitation(**fields) -> InvitationSent:
    """Add an invitation with a fresh token and return it with the token."""
    token = security.new_token()
    invitation = Invitation(token_hash=Invitation.hash_token(token), **fields)
    db.session.add(invitation)
    return InvitationSent(invitation=invitation, token=token)


def invite_family_member(
    child: Child,
    *,
    email: str,
    name: str,
    relationship_to_child: str,
    invited_by: User,
    valid_days: int,
) -> InvitationSent:
    """Invite a parent, carer or the young person to the child's record; refuse staff addresses."""
    existing = find_user_by_email(email)
    if existing is not None and existing.role != "family":
        raise AccountError(
            gettext(
                "This email address belongs to a staff account. "
                "Use the family member's own personal email address"
            )
        )
    sent = _new_invitation(
        kind="family",
        email=normalise_email(email),
        name=name.strip(),
        child_id=child.id,
        relationship_to_child=relationship_to_child,
        created_by_id=invited_by.id,
        expires_at=utcnow() + timedelta(days=valid_days),
    )
    audit.record(
        "family_invited",
        child=child,
        user=invited_by,
        detail={
            "email": sent.invitation.email,
            "relationship": relationship_to_child,
            "existing_account": existing is not None,
        },
    )
    return sent


def invite_staff(
    area: Area,
    *,
    email: str,
    name: str,
    role: str,
    organisation: Organisation | None,
    invited_by: User | None,
    valid_days: int,
) -> InvitationSent:
    """Make a staff account without a password, and an invitation for its owner to set one."""
    if role not in STAFF_ROLES:
        raise AccountError(gettext("Choose a role: practitioner, manager or administrator"))
    if role == "practitioner" and organisation is None:
        raise AccountError(gettext("Choose the practitioner's organisation"))
    if organisation is not None and organisation.area_id != area.id:
        raise AccountError(gettext("Choose an organisation of this area"))
    if find_user_by_email(email) is not None:
        raise AccountError(
            gettext(
                "An account with this email address already exists. "
                "Find it in the staff list to change its role"
            )
        )
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        role=role,
        area_id=area.id,
        organisation_id=organisation.id if organisation is not None else None,
        password_hash=None,
    )
    db.session.add(user)
    db.session.flush()
    sent = _new_invitation(
        kind="staff",
        email=user.email,
        name=user.name,
        role=role,
        area_id=area.id,
        organisation_id=user.organisation_id,
        user_id=user.id,
        created_by_id=invited_by.id if invited_by is not None else None,
        expires_at=utcnow() + timedelta(days=valid_days),
    )
    audit.record(
        "staff_invited",
        user=invited_by,
        area_id=area.id,
        detail={"email": user.email, "role": role, "organisation": user.organisation_id},
    )
    return sent


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
    if invitation.kind == "family" and (
        invitation.child is None or invitation.child.erased_at is not None
    ):
        return None, "not_found"
    account = invited_account(invitation)
    if account is not None and (
        not account.active or (invitation.kind == "family" and account.role != "family")
    ):
        return None, "not_found"
    return invitation, None


def invited_account(invitation: Invitation) -> User | None:
    """Return the account the invitation is for, when it exists already."""
    if invitation.user_id is not None:
        return db.session.get(User, invitation.user_id)
    return find_user_by_email(invitation.email)


def what_accepting_needs(invitation: Invitation) -> str:
    """Return NEW_PASSWORD when the invitation makes the account, else SIGN_IN.

    Only a staff account made for this invitation and never given a password, or a family
    member with no account at all, sets a password through the link.
    """
    account = invited_account(invitation)
    if account is None:
        return NEW_PASSWORD
    if (
        invitation.kind == "staff"
        and account.id == invitation.user_id
        and account.password_hash is None
    ):
        return NEW_PASSWORD
    return SIGN_IN


def accept_with_new_password(invitation: Invitation, password: str) -> User:
    """Set up the invited account with its first password and spend the invitation."""
    if what_accepting_needs(invitation) != NEW_PASSWORD:
        raise AccountError(gettext("Sign in with your own password to accept this invitation"))
    user = invited_account(invitation)
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
    _spend(invitation, user)
    return user


def accept_signed_in(invitation: Invitation, user: User) -> None:
    """Accept the invitation for the signed-in owner of the invited account."""
    account = invited_account(invitation)
    if account is None or account.id != user.id:
        raise AccountError(gettext("This invitation is for another account"))
    _spend(invitation, user)


def _spend(invitation: Invitation, user: User) -> None:
    """Link a family member to the child, and mark the invitation used."""
    if invitation.kind == "family":
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
    audit.record(
        "invitation_accepted",
        child=invitation.child,
        user=user,
        area_id=invitation.area_id or (invitation.child.area_id if invitation.child else None),
        detail={"kind": invitation.kind},
    )


def send_email(sent: InvitationSent, link: str) -> bool:
    """Email an invitation, saying plainly what it asks; return whether the email went.

    An invitation to an existing account says that its owner signs in with their own password to
    accept, and that the link changes nothing on its own.
    """
    return mail.send_or_log(
        sent.invitation.email,
        gettext("You have been invited to Goal Tracker"),
        render_template(
            "email/invitation.txt",
            invitation=sent.invitation,
            link=link,
            existing_account=what_accepting_needs(sent.invitation) == SIGN_IN,
        ),
    )
