"""Staff accounts through their working life: invited, changed, deactivated, reactivated."""

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from goaltracker import areas, audit
from goaltracker.accounts import STAFF_ROLES, AccountError, invitations, sessions, two_factor
from goaltracker.extensions import db
from goaltracker.models import Area, Child, Organisation, User, utcnow


@dataclass(frozen=True)
class StaffMember:
    """One line of the staff list: the account and how many children they key-work."""

    user: User
    caseload: int


def staff_of_area(area_id: int | None, *, include_inactive: bool = True) -> list[StaffMember]:
    """Return the staff of an area (every area's when None), with caseload sizes, in one query."""
    caseload = (
        select(Child.key_worker_id, func.count(Child.id).label("children"))
        .where(Child.erased_at.is_(None))
        .group_by(Child.key_worker_id)
        .subquery()
    )
    query = (
        select(User, func.coalesce(caseload.c.children, 0))
        .outerjoin(caseload, caseload.c.key_worker_id == User.id)
        .where(User.role.in_(STAFF_ROLES))
        .options(joinedload(User.organisation))
        .order_by(User.active.desc(), User.name, User.id)
    )
    if area_id is not None:
        query = query.where(User.area_id == area_id)
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return [StaffMember(user, children) for user, children in db.session.execute(query)]


def caseload_of(user: User) -> list[Child]:
    """Return the children a practitioner key-works, by reference."""
    return list(
        db.session.scalars(
            select(Child)
            .where(Child.key_worker_id == user.id, Child.erased_at.is_(None))
            .order_by(Child.reference)
        )
    )


def change_role(
    user: User, role: str, organisation: Organisation | None, *, changed_by: User
) -> bool:
    """Change a member of staff's role or organisation; their sessions end when either changes.

    Returns whether anything changed. A practitioner needs an organisation of their area, and a
    practitioner who still key-works children keeps the practitioner role until they are moved.
    """
    if role not in STAFF_ROLES:
        raise AccountError(gettext("Choose a role: practitioner, manager or administrator"))
    if role == "practitioner" and organisation is None:
        raise AccountError(gettext("Choose the practitioner's organisation"))
    if organisation is not None and organisation.area_id != user.area_id:
        raise AccountError(gettext("Choose an organisation of this area"))
    if user.id == changed_by.id and role != "admin":
        raise AccountError(gettext("You cannot take away your own administrator role"))
    if user.role == "practitioner" and role != "practitioner" and caseload_of(user):
        raise AccountError(
            gettext("This practitioner still key-works children. Give them new key workers first")
        )
    organisation_id = organisation.id if organisation is not None else None
    if role != "practitioner" and organisation is None:
        organisation_id = user.organisation_id if role == user.role else None
    before = {"role": user.role, "organisation": user.organisation_id}
    after = {"role": role, "organisation": organisation_id}
    if before == after:
        return False
    user.role = role
    user.organisation_id = organisation_id
    sessions.end_all(user, "role_changed")
    audit.record(
        "staff_role_changed",
        user=changed_by,
        area_id=user.area_id,
        detail={"account": user.email, "before": before, "after": after},
    )
    return True


def deactivate(user: User, reason: str, *, changed_by: User) -> None:
    """Stop an account working at once: every session ends and sign-in is refused."""
    if user.id == changed_by.id:
        raise AccountError(gettext("You cannot deactivate your own account"))
    if not user.active:
        raise AccountError(gettext("This account is already deactivated"))
    reason = reason.strip()
    if not reason:
        raise AccountError(gettext("Say why the account is being deactivated"))
    user.active = False
    user.deactivated_at = utcnow()
    user.deactivation_reason = reason[:500]
    sessions.end_all(user, "deactivated")
    audit.record(
        "account_deactivated",
        user=changed_by,
        area_id=user.area_id,
        detail={"account": user.email, "reason": user.deactivation_reason},
    )


def reactivate(user: User, *, changed_by: User) -> None:
    """Let a deactivated account sign in again."""
    if user.active:
        raise AccountError(gettext("This account is already active"))
    user.active = True
    user.deactivated_at = None
    user.deactivation_reason = None
    audit.record(
        "account_reactivated", user=changed_by, area_id=user.area_id, detail={"account": user.email}
    )


def reset_two_factor(user: User, *, changed_by: User) -> None:
    """Remove a member of staff's second factor so that they set it up again at next sign-in."""
    if user.totp_secret is None:
        raise AccountError(gettext("This account has no second factor to reset"))
    two_factor.reset(user, changed_by)


def set_password_sign_in(user: User, allowed: bool, *, changed_by: User) -> None:
    """Allow or stop signing in with a local password (staff who use single sign-on)."""
    if user.password_sign_in == allowed:
        return
    user.password_sign_in = allowed
    if not allowed:
        sessions.end_all(user, "password_sign_in_stopped")
    audit.record(
        "password_sign_in_changed",
        user=changed_by,
        area_id=user.area_id,
        detail={"account": user.email, "allowed": allowed},
    )


def create_user(
    *,
    email: str,
    name: str,
    role: str,
    area: Area,
    organisation_name: str | None,
    valid_days: int,
) -> invitations.InvitationSent:
    """Make a staff account for scripted set-up, returning its one-time set-password link."""
    organisation = None
    if organisation_name:
        organisation = areas.organisation_called(area, organisation_name)
        if organisation is None:
            raise AccountError(f"Area {area.code} has no organisation called {organisation_name}")
    return invitations.invite_staff(
        area,
        email=email,
        name=name,
        role=role,
        organisation=organisation,
        invited_by=None,
        valid_days=valid_days,
    )
