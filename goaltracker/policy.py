"""Who may see or change what: every access rule of the service, in one place."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from goaltracker.extensions import db
from goaltracker.models import Area, Child, Consent, FamilyLink, User

HOME_ENDPOINTS = {
    "family": "family.home",
    "practitioner": "practitioner.home",
    "manager": "manager.home",
    "admin": "admin.home",
}


def home_endpoint(user: User) -> str:
    """Return the endpoint of the page each role lands on after signing in."""
    return HOME_ENDPOINTS[user.role]


def in_area(user: User, area_id: int) -> bool:
    """Return whether the user works in the area; an administrator without an area sees all."""
    if user.role == "admin" and user.area_id is None:
        return True
    return user.area_id == area_id


def is_family_of(user: User, child: Child) -> bool:
    """Return whether the user is a family member linked to the child."""
    if user.role != "family":
        return False
    return (
        db.session.scalar(
            select(FamilyLink.child_id).where(
                FamilyLink.user_id == user.id, FamilyLink.child_id == child.id
            )
        )
        is not None
    )


def organisation_has_consent(child: Child, organisation_id: int | None) -> bool:
    """Return whether the family has consented to the organisation seeing the child's goals."""
    if organisation_id is None:
        return False
    return bool(
        db.session.scalar(
            select(Consent.granted).where(
                Consent.child_id == child.id, Consent.organisation_id == organisation_id
            )
        )
    )


def organisation_can_see_child(organisation_id: int, area_id: int, child: Child) -> bool:
    """Return whether an organisation of an area may read the child's goals: the key worker's
    organisation, or one the family has shared the record with (an API key's records:read)."""
    return (
        child.erased_at is None
        and child.area_id == area_id
        and (
            child.organisation_id == organisation_id
            or organisation_has_consent(child, organisation_id)
        )
    )


def is_lead_practitioner(user: User, child: Child) -> bool:
    """Return whether the user is the key worker or works in the key worker's organisation."""
    return (
        user.role == "practitioner"
        and user.area_id == child.area_id
        and (child.key_worker_id == user.id or user.organisation_id == child.organisation_id)
    )


def can_see_child(user: User, child: Child) -> bool:
    """Return whether the user may see and add to the child's goals, ratings and notes."""
    if child.erased_at is not None or not user.is_authenticated:
        return False
    if user.role == "family":
        return is_family_of(user, child)
    if user.role == "practitioner":
        return is_lead_practitioner(user, child) or (
            user.area_id == child.area_id and organisation_has_consent(child, user.organisation_id)
        )
    return False


def children_practitioner_can_see(practitioner: User):
    """Return the ids of the children `can_see_child` lets a practitioner see, as one query.

    The same rule as `is_lead_practitioner` or consent, for lists computed by the database.
    """
    consented = select(Consent.child_id).where(
        Consent.organisation_id == practitioner.organisation_id, Consent.granted.is_(True)
    )
    return select(Child.id).where(
        Child.area_id == practitioner.area_id,
        Child.erased_at.is_(None),
        or_(
            Child.key_worker_id == practitioner.id,
            Child.organisation_id == practitioner.organisation_id,
            Child.id.in_(consented),
        ),
    )


def family_relationship(user: User, child: Child) -> str | None:
    """Return how a family member is linked to the child (parent_carer, young_person), or None."""
    if user.role != "family":
        return None
    return db.session.scalar(
        select(FamilyLink.relationship_to_child).where(
            FamilyLink.user_id == user.id, FamilyLink.child_id == child.id
        )
    )


def can_decide_consent(user: User, child: Child) -> bool:
    """Return whether the user may grant or withdraw organisations' access and invite family.

    The family decides; once a young person has taken over their record, only they do.
    """
    if child.erased_at is not None:
        return False
    relationship = family_relationship(user, child)
    if relationship is None:
        return False
    return child.handed_over_at is None or relationship == "young_person"


def can_take_over(user: User, child: Child, today) -> bool:
    """Return whether the user is the young person, 16 or over, and has not taken over yet."""
    from goaltracker import scoring

    return (
        child.erased_at is None
        and child.handed_over_at is None
        and child.date_of_birth is not None
        and scoring.age_on(child.date_of_birth, today) >= 16
        and family_relationship(user, child) == "young_person"
    )


def can_manage_family_access(user: User, child: Child) -> bool:
    """Return whether the user may remove a family member's access: a lead practitioner or admin."""
    return child.erased_at is None and (
        is_lead_practitioner(user, child) or (user.role == "admin" and in_area(user, child.area_id))
    )


def can_edit_details(user: User, child: Child) -> bool:
    """Return whether the user may change the child's details: a lead practitioner or an admin."""
    if child.erased_at is not None:
        return False
    return is_lead_practitioner(user, child) or (
        user.role == "admin" and in_area(user, child.area_id)
    )


def can_invite_family(user: User, child: Child) -> bool:
    """Return whether the user may invite a family member: the child's lead practitioners, or
    the family member who decides sharing."""
    return child.erased_at is None and (
        is_lead_practitioner(user, child) or can_decide_consent(user, child)
    )


def can_view_reports(user: User, area_id: int) -> bool:
    """Return whether the user may see the area's aggregate reports (never a child's record)."""
    return user.role in ("manager", "admin") and in_area(user, area_id)


def can_administer(user: User, area_id: int) -> bool:
    """Return whether the user may change the area's settings, outcomes, people and imports."""
    return user.role == "admin" and in_area(user, area_id)


def can_manage_staff(user: User, staff_member: User) -> bool:
    """Return whether the user may change a staff account: an administrator of its area."""
    return (
        user.role == "admin"
        and staff_member.role != "family"
        and staff_member.area_id is not None
        and in_area(user, staff_member.area_id)
    )


def can_reassign_key_worker(user: User, child: Child) -> bool:
    """Return whether the user may give the child a new key worker: the area's admin or manager."""
    return user.role in ("admin", "manager") and in_area(user, child.area_id)


# Who may open each kind of page, by role. Finer rules (whose child, which area) follow below.
FAMILY = ("family",)
PRACTITIONERS = ("practitioner",)
CHILD_TEAM = ("family", "practitioner")  # a child's own pages
AREA_STAFF = ("admin", "manager")  # an area's outcomes framework, children and key workers
REPORT_READERS = ("manager", "admin")  # the protected outcomes reports
KEY_WORKER_CHANGERS = ("practitioner", "admin")  # starting a change of key worker
ADMINISTRATORS = ("admin",)  # staff, settings, imports, erasure


def role_required(*roles: str) -> Callable:
    """Refuse (403) signed-in users whose role is not one of those named."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def own_area_or_abort() -> Area:
    """Return the area the signed-in admin or manager looks after: 404 for one with none."""
    return area_or_abort(current_user.area_id)


def area_or_abort(area_id: int | None) -> Area:
    """Return an area by id: 404 when there is none (or no id)."""
    if area_id is None:
        abort(404)
    return db.get_or_404(Area, area_id)


def report_area_or_abort(requested_id: int | None) -> Area:
    """Return the area whose reports the user may see: their own, or the one an admin of no
    area asks for; 403 when they may not."""
    area_id = current_user.area_id or requested_id
    if area_id is None or not can_view_reports(current_user, area_id):
        abort(403)
    return db.get_or_404(Area, area_id)


def child_or_abort(child_id: int, rule: Callable[[User, Child], bool] = can_see_child) -> Child:
    """Return the child when the signed-in user passes the rule: 404 when missing, 403 when not."""
    # Every child page reads the area's settings: load it with the child, not after.
    child = db.session.get(Child, child_id, options=[joinedload(Child.area)])
    if child is None or child.erased_at is not None:
        abort(404)
    if not rule(current_user, child):
        abort(403)
    return child
