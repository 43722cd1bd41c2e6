"""Children's records: adding children, the caseload, and family links."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, delete, func, or_, select, true

from goaltracker import audit, policy, scoring
from goaltracker.extensions import db
from goaltracker.models import (
    Child,
    Consent,
    FamilyLink,
    Goal,
    Invitation,
    KeyWorkerRequest,
    Rating,
    User,
    utcnow,
)
from goaltracker.reports import definitions, kept
from goaltracker.reports.definitions import REVIEW_ORDER


def new_reference() -> str:
    """Return a short reference for a child added without one."""
    return "C-" + secrets.token_hex(4).upper()


def add_child(
    key_worker: User,
    *,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    primary_need: str,
    ehcp: bool,
    reference: str | None = None,
) -> Child:
    """Add a child to the key worker's caseload, in the key worker's area and organisation."""
    child = Child(
        area_id=key_worker.area_id,
        organisation_id=key_worker.organisation_id,
        key_worker_id=key_worker.id,
        reference=(reference or "").strip() or new_reference(),
        first_name=first_name.strip(),
        last_name=(last_name or "").strip(),
        date_of_birth=date_of_birth,
        primary_need=primary_need,
        ehcp=ehcp,
    )
    db.session.add(child)
    db.session.flush()
    audit.record("child_added", child=child, user=key_worker)
    return child


def reference_taken(area_id: int, reference: str) -> bool:
    """Return whether another child of the area already has this reference."""
    return (
        db.session.scalar(
            select(Child.id).where(Child.area_id == area_id, Child.reference == reference.strip())
        )
        is not None
    )


@dataclass(frozen=True)
class CaseloadEntry:
    """One child on a caseload, with what the key worker needs to plan reviews."""

    child: Child
    last_rated_on: date | None
    active_goals: int
    got_worse: bool
    review_status: str
    review_due_on: date | None
    # From 16 a young person can take over their own record (domain.md 1).
    could_take_over: bool = False


@dataclass(frozen=True)
class CaseloadPage:
    """One page of a caseload, and how many children match in all."""

    entries: list[CaseloadEntry]
    total: int
    page: int
    per_page: int
    counts: dict[str, int]

    @property
    def pages(self) -> int:
        """Return the number of pages."""
        return max(1, -(-self.total // self.per_page))


CASELOAD_SORTS = ("due", "name", "last_review", "active_goals", "worse")
CASELOAD_SHOWS = ("all", "needs_review", "overdue", "worse")


def _worse_children(children, important_change: float):
    """Return a query of children with an active goal whose latest rating fell by T or more."""
    ranked = (
        select(
            Goal.child_id,
            Rating.goal_id,
            Rating.rater,
            Rating.performance,
            Rating.satisfaction,
            *definitions.series_positions(),
        )
        .join(Goal, Goal.id == Rating.goal_id)
        .where(Goal.status == "active", Goal.child_id.in_(children))
        .cte("ranked")
    )
    baseline = ranked.alias("baseline")
    latest = ranked.alias("latest")
    return (
        select(latest.c.child_id)
        .join(
            baseline,
            and_(baseline.c.goal_id == latest.c.goal_id, baseline.c.rater == latest.c.rater),
        )
        .where(
            latest.c.from_last == 1,
            baseline.c.from_first == 1,
            latest.c.from_first > 1,
            or_(
                latest.c.performance - baseline.c.performance <= -important_change,
                latest.c.satisfaction - baseline.c.satisfaction <= -important_change,
            ),
        )
        .distinct()
    )


def children_matching(search: str):
    """Return a query of the children whose name contains the words or whose reference starts
    with them, whatever the case (wildcards are taken literally)."""
    words = " ".join(search.split()).lower()
    full_name = func.lower(
        func.coalesce(Child.first_name, "") + " " + func.coalesce(Child.last_name, "")
    )
    return select(Child.id).where(
        or_(
            full_name.contains(words, autoescape=True),
            func.lower(Child.reference).startswith(words, autoescape=True),
        )
    )


def caseload(
    practitioner: User,
    *,
    today: date,
    sort: str = "due",
    show: str = "all",
    search: str = "",
    page: int = 1,
    per_page: int = 25,
) -> CaseloadPage:
    """Return a page of the practitioner's caseload, computed by the database in one pass.

    `search` keeps children whose first name, last name or full name contains the words, or
    whose reference starts with them, whatever the case.
    """
    area = practitioner.area
    visible = policy.children_practitioner_can_see(practitioner)
    last_rated = (
        select(Goal.child_id, func.max(Rating.assessed_on).label("last_rated_on"))
        .join(Rating, Rating.goal_id == Goal.id)
        .where(Goal.child_id.in_(visible))
        .group_by(Goal.child_id)
        .subquery()
    )
    active = (
        select(Goal.child_id, func.count(Goal.id).label("active_goals"))
        .where(Goal.status == "active", Goal.child_id.in_(visible))
        .group_by(Goal.child_id)
        .subquery()
    )
    worse = _worse_children(visible, area.important_change).subquery()
    status = definitions.review_status_order(
        last_rated.c.last_rated_on, today, area.review_interval_days
    ).label("status_order")
    got_worse = case((worse.c.child_id.is_not(None), 1), else_=0).label("got_worse")
    active_goals = func.coalesce(active.c.active_goals, 0).label("active_goals")
    rows = (
        select(
            Child.id.label("child_id"), last_rated.c.last_rated_on, active_goals, got_worse, status
        )
        .outerjoin(last_rated, last_rated.c.child_id == Child.id)
        .outerjoin(active, active.c.child_id == Child.id)
        .outerjoin(worse, worse.c.child_id == Child.id)
        .where(Child.id.in_(visible))
        .subquery()
    )
    counts = dict(
        db.session.execute(
            select(rows.c.status_order, func.count()).group_by(rows.c.status_order)
        ).all()
    )
    worse_count = db.session.scalar(select(func.count()).where(rows.c.got_worse == 1))
    filters = {
        "all": true(),
        "needs_review": rows.c.status_order != REVIEW_ORDER.index(scoring.NOT_DUE),
        "overdue": rows.c.status_order == REVIEW_ORDER.index(scoring.OVERDUE),
        "worse": rows.c.got_worse == 1,
    }
    condition = filters.get(show, true())
    if search.strip():
        condition = and_(condition, rows.c.child_id.in_(children_matching(search)))
    names = (Child.first_name, Child.last_name, Child.id)
    orders = {
        "due": (rows.c.status_order, rows.c.last_rated_on.asc(), *names),
        "name": names,
        "last_review": (rows.c.last_rated_on.desc(), *names),
        "active_goals": (rows.c.active_goals.desc(), *names),
        "worse": (rows.c.got_worse.desc(), rows.c.status_order, *names),
    }
    total = db.session.scalar(select(func.count()).select_from(rows).where(condition))
    page = max(1, page)
    result = db.session.execute(
        select(Child, rows.c.last_rated_on, rows.c.active_goals, rows.c.got_worse)
        .join(rows, rows.c.child_id == Child.id)
        .where(condition)
        .order_by(*orders.get(sort, orders["due"]))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    entries = [
        CaseloadEntry(
            child=child,
            last_rated_on=last_rated_on,
            active_goals=active_count,
            got_worse=bool(worse_flag),
            review_status=scoring.review_status(last_rated_on, today, area.review_interval_days),
            review_due_on=scoring.review_due_on(last_rated_on, area.review_interval_days),
            could_take_over=child.handed_over_at is None
            and child.date_of_birth is not None
            and scoring.age_on(child.date_of_birth, today) >= 16,
        )
        for child, last_rated_on, active_count, worse_flag in result
    ]
    summary = {REVIEW_ORDER[place]: value for place, value in counts.items()}
    summary["worse"] = worse_count
    return CaseloadPage(entries, total, page, per_page, summary)


def practitioners_of_area(area_id: int) -> list[User]:
    """Return the area's active practitioners, by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.area_id == area_id, User.role == "practitioner", User.active.is_(True))
            .order_by(User.name)
        )
    )


# The key worker filter's value for children who have none.
NO_KEY_WORKER = 0


def children_of_area(
    area_id: int,
    page: int = 1,
    per_page: int = 50,
    reference: str = "",
    key_worker_id: int | None = None,
) -> tuple[list[Child], int]:
    """Return a page of the area's children by reference, and how many there are; with a
    reference, only those whose reference starts with it (any case); with a key worker, only
    theirs (NO_KEY_WORKER: only those who have none)."""
    condition = [Child.area_id == area_id, Child.erased_at.is_(None)]
    if reference.strip():
        condition.append(
            func.upper(Child.reference).startswith(reference.strip().upper(), autoescape=True)
        )
    if key_worker_id == NO_KEY_WORKER:
        condition.append(Child.key_worker_id.is_(None))
    elif key_worker_id is not None:
        condition.append(Child.key_worker_id == key_worker_id)
    total = db.session.scalar(select(func.count(Child.id)).where(*condition))
    children = db.session.scalars(
        select(Child)
        .where(*condition)
        .order_by(Child.reference)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    ).all()
    return list(children), total


class NeedsFamilyConsent(Exception):
    """The family stopped the new key worker's organisation: they are asked before the move."""


def family_stopped(child: Child, organisation_id: int | None) -> bool:
    """Return whether the family has stopped an organisation seeing the child's record."""
    if organisation_id is None or organisation_id == child.organisation_id:
        return False
    return (
        db.session.scalar(
            select(Consent.id).where(
                Consent.child_id == child.id,
                Consent.organisation_id == organisation_id,
                Consent.granted.is_(False),
            )
        )
        is not None
    )


def change_key_worker(child: Child, key_worker: User, changed_by: User) -> None:
    """Give the child a new key worker, whose organisation becomes the lead organisation.

    Raises NeedsFamilyConsent when the family stopped that organisation: moving the child there
    would override their decision, so they are asked first (see `ask_family_about_key_worker`).
    """
    if family_stopped(child, key_worker.organisation_id):
        raise NeedsFamilyConsent(child)
    change_key_workers([child], key_worker, changed_by)


def ask_family_about_key_worker(
    child: Child, key_worker: User, requested_by: User
) -> KeyWorkerRequest:
    """Ask the family to agree to a key worker in an organisation they stopped; audited."""
    request = db.session.scalar(
        select(KeyWorkerRequest).where(
            KeyWorkerRequest.child_id == child.id,
            KeyWorkerRequest.key_worker_id == key_worker.id,
            KeyWorkerRequest.answered_at.is_(None),
        )
    )
    if request is None:
        request = KeyWorkerRequest(
            child_id=child.id, key_worker_id=key_worker.id, requested_by_id=requested_by.id
        )
        db.session.add(request)
        audit.record(
            "key_worker_change_requested",
            child=child,
            user=requested_by,
            detail={
                "key_worker_id": key_worker.id,
                "organisation": key_worker.organisation.name if key_worker.organisation else None,
            },
        )
    db.session.flush()
    return request


def open_key_worker_requests(child: Child) -> list[KeyWorkerRequest]:
    """Return the questions about a new key worker the family has not answered."""
    return list(
        db.session.scalars(
            select(KeyWorkerRequest)
            .where(KeyWorkerRequest.child_id == child.id, KeyWorkerRequest.answered_at.is_(None))
            .order_by(KeyWorkerRequest.requested_at)
        )
    )


def all_key_worker_requests(child: Child) -> list[KeyWorkerRequest]:
    """Return every question asked of the family about a new key worker, oldest first."""
    return list(
        db.session.scalars(
            select(KeyWorkerRequest)
            .where(KeyWorkerRequest.child_id == child.id)
            .order_by(KeyWorkerRequest.requested_at)
        )
    )


def answer_key_worker_request(request: KeyWorkerRequest, accepted: bool, answered_by: User) -> None:
    """Record the family's answer; if they agree, the key worker changes at once."""
    if request.answered_at is not None:
        raise ValueError("This question has already been answered")
    child = request.child
    request.answered_at = utcnow()
    request.accepted = accepted
    request.answered_by_id = answered_by.id
    audit.record(
        "key_worker_change_answered",
        child=child,
        user=answered_by,
        detail={"key_worker_id": request.key_worker_id, "accepted": accepted},
    )
    if accepted:
        # Agreeing to the key worker is agreeing to their organisation seeing the record.
        decision = db.session.scalar(
            select(Consent).where(
                Consent.child_id == child.id,
                Consent.organisation_id == request.key_worker.organisation_id,
            )
        )
        if decision is not None:
            decision.granted = True
            decision.decided_by_id = answered_by.id
            decision.decided_at = utcnow()
        change_key_workers([child], request.key_worker, answered_by)


def change_key_workers(children: list[Child], key_worker: User, changed_by: User) -> int:
    """Give several children one new key worker, in one change, audited per child."""
    if key_worker.role != "practitioner" or any(
        child.area_id != key_worker.area_id for child in children
    ):
        raise ValueError("The key worker must be a practitioner in the children's area")
    with kept.tracking(db.session, [child.id for child in children]):
        for child in children:
            before = {
                "key_worker_id": child.key_worker_id,
                "organisation_id": child.organisation_id,
            }
            child.key_worker_id = key_worker.id
            child.organisation_id = key_worker.organisation_id
            audit.record(
                "key_worker_changed",
                child=child,
                user=changed_by,
                detail={"before": before, "key_worker_id": key_worker.id},
            )
    db.session.flush()
    return len(children)


def move_children(children: list[Child], key_worker: User, changed_by: User) -> tuple[int, int]:
    """Give the children a new key worker, except those whose family stopped that key worker's
    organisation: their families are asked first. Return how many moved and how many were asked.
    """
    stopped = [child for child in children if family_stopped(child, key_worker.organisation_id)]
    moving = [child for child in children if child not in stopped]
    moved = change_key_workers(moving, key_worker, changed_by) if moving else 0
    for child in stopped:
        ask_family_about_key_worker(child, key_worker, changed_by)
    return moved, len(stopped)


@dataclass(frozen=True)
class FamilyMember:
    """Someone of the family who can see the record, or has been invited to."""

    user_id: int | None
    name: str
    email: str
    relationship: str
    since: datetime | None
    invited: bool  # True: an invitation not yet accepted


def family_members(child: Child) -> list[FamilyMember]:
    """Return the family members who can see the record, then the invitations still open."""
    members = [
        FamilyMember(
            user.id, user.name, user.email, link.relationship_to_child, link.created_at, False
        )
        for link, user in db.session.execute(
            select(FamilyLink, User)
            .join(User, User.id == FamilyLink.user_id)
            .where(FamilyLink.child_id == child.id)
            .order_by(FamilyLink.created_at, User.name)
        )
    ]
    linked = {member.email for member in members}
    open_invitations = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.child_id == child.id,
            Invitation.accepted_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.created_at)
    )
    for invitation in open_invitations:
        if invitation.email not in linked:
            members.append(
                FamilyMember(
                    None,
                    invitation.name,
                    invitation.email,
                    invitation.relationship_to_child,
                    invitation.created_at,
                    True,
                )
            )
            linked.add(invitation.email)
    return members


def remove_family_member(child: Child, member: User, reason: str, removed_by: User) -> bool:
    """Take away a family member's access to the child's record, at once; audited with a reason.

    Returns whether anyone is left in the family to see the record.
    """
    link = db.session.get(FamilyLink, (member.id, child.id))
    if link is None:
        raise ValueError("That person cannot see this record")
    reason = reason.strip()
    if not reason:
        raise ValueError("Say why their access is being removed")
    db.session.delete(link)
    # Their invitations to this child go too, so the link in an old email does nothing.
    db.session.execute(
        delete(Invitation).where(
            Invitation.child_id == child.id,
            Invitation.email == member.email,
            Invitation.accepted_at.is_(None),
        )
    )
    audit.record(
        "family_member_removed",
        child=child,
        user=removed_by,
        detail={"member": member.name, "reason": reason[:500]},
    )
    db.session.flush()
    return (
        db.session.scalar(select(FamilyLink.user_id).where(FamilyLink.child_id == child.id))
        is not None
    )
