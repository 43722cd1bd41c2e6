"""Test factories: small functions that make valid records with sensible defaults."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import count

from sqlalchemy import event

from goaltracker import security
from goaltracker.extensions import db
from goaltracker.models import (
    Area,
    Child,
    Consent,
    FamilyLink,
    Goal,
    Organisation,
    Rating,
    StrategicOutcome,
    User,
)
from goaltracker.reports import kept

PASSWORD = "correct horse battery staple"  # noqa: S105
_PASSWORD_HASH = None
_sequence = count(1)
FIRST_RATING_DAY = date(2026, 1, 10)


def password_hash() -> str:
    """Return a hash of the test password, computed once because Argon2 is slow on purpose."""
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = security.hash_password(PASSWORD)
    return _PASSWORD_HASH


def make_area(code: str | None = None, **settings) -> Area:
    """Make an area with the default settings unless told otherwise."""
    area = Area(
        code=code or f"AREA{next(_sequence)}", name=settings.pop("name", "Test Area"), **settings
    )
    db.session.add(area)
    db.session.flush()
    kept.start(db.session, area)
    return area


def make_organisation(area: Area, name: str | None = None, type_: str = "health") -> Organisation:
    """Make an organisation in the area."""
    organisation = Organisation(area_id=area.id, name=name or f"Org {next(_sequence)}", type=type_)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def make_user(
    role: str, area: Area | None = None, organisation: Organisation | None = None, **fields
) -> User:
    """Make a user who can sign in with the test password."""
    number = next(_sequence)
    user = User(
        email=fields.pop("email", f"{role}{number}@example.com"),
        name=fields.pop("name", f"{role.title()} {number}"),
        role=role,
        area_id=area.id if area else None,
        organisation_id=organisation.id if organisation else None,
        password_hash=password_hash(),
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_child(key_worker: User, **fields) -> Child:
    """Make a child on the key worker's caseload."""
    number = next(_sequence)
    child = Child(
        area_id=key_worker.area_id,
        organisation_id=key_worker.organisation_id,
        key_worker_id=key_worker.id,
        reference=fields.pop("reference", f"CHILD-{number}"),
        first_name=fields.pop("first_name", f"Child{number}"),
        date_of_birth=fields.pop("date_of_birth", date(2016, 5, 10)),
        primary_need=fields.pop("primary_need", "ASD"),
        ehcp=fields.pop("ehcp", True),
        **fields,
    )
    with kept.tracking(db.session, [], area=key_worker.area) as tracked:
        db.session.add(child)
        db.session.flush()
        tracked.include([child.id])
    return child


def link_family(user: User, child: Child) -> None:
    """Link a family member to a child."""
    db.session.add(FamilyLink(user_id=user.id, child_id=child.id))
    db.session.flush()


def grant_consent(child: Child, organisation: Organisation, granted: bool = True) -> Consent:
    """Record the family's decision about an organisation."""
    consent = Consent(child_id=child.id, organisation_id=organisation.id, granted=granted)
    db.session.add(consent)
    db.session.flush()
    return consent


def make_outcome(area: Area, code: str, title: str | None = None, position: int = 0):
    """Make a strategic outcome."""
    outcome = StrategicOutcome(
        area_id=area.id, code=code, title=title or code.title(), position=position
    )
    db.session.add(outcome)
    db.session.flush()
    return outcome


def make_goal(child: Child, **fields) -> Goal:
    """Make an active goal for the child (with its outcomes, if given, as `outcomes=`)."""
    goal = Goal(
        child_id=child.id,
        text=fields.pop("text", "Get dressed for school by myself"),
        occupation_area=fields.pop("occupation_area", "self_care"),
        importance=fields.pop("importance", 8),
        set_on=fields.pop("set_on", date(2026, 1, 5)),
        **fields,
    )
    with kept.tracking(db.session, [child.id]):
        db.session.add(goal)
        db.session.flush()
    return goal


def make_rating(
    goal: Goal, assessed_on: date, performance: int, satisfaction: int, rater: str = "parent_carer"
) -> Rating:
    """Make a rating of a goal."""
    rating = Rating(
        goal_id=goal.id,
        rater=rater,
        assessed_on=assessed_on,
        performance=performance,
        satisfaction=satisfaction,
    )
    with kept.tracking(db.session, [goal.child_id]):
        db.session.add(rating)
        db.session.flush()
    return rating


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block; an executemany counts once."""
    executed: list[str] = []

    def count_statement(_connection, _cursor, statement, *_arguments):
        """Keep one statement."""
        executed.append(statement)

    event.listen(db.engine, "before_cursor_execute", count_statement)
    try:
        yield executed
    finally:
        event.remove(db.engine, "before_cursor_execute", count_statement)


def make_rated_children(world, count: int, second_on: date, second_scores) -> None:
    """Give the world's area `count` children, each with a goal under its outcome rated 2 and 2
    on 1 September 2025 and again on `second_on` with `second_scores(number)`; committed."""
    for number in range(count):
        child = make_child(world.key_worker, first_name=f"Rated {number}")
        goal = make_goal(child, set_on=date(2025, 9, 1), outcomes=[world.outcome])
        make_rating(goal, date(2025, 9, 1), 2, 2)
        make_rating(goal, second_on, *second_scores(number))
    db.session.commit()


def issue_api_key(world, scopes, *, organisation=None, name="Power BI board pack", days=30):
    """Issue an API key of the world's area by its administrator; return (token, secret)."""
    from goaltracker.api import tokens

    token, secret = tokens.issue(
        db.session,
        world.area,
        name=name,
        scopes=list(scopes),
        days=days,
        issued_by=world.admin,
        organisation=organisation,
    )
    db.session.commit()
    return token, secret


@dataclass
class World:
    """Everyone the access tests need: one of each role, related and unrelated."""

    area: Area
    other_area: Area
    health: Organisation
    school: Organisation
    key_worker: User
    colleague: User
    school_practitioner: User
    other_area_practitioner: User
    parent: User
    other_parent: User
    manager: User
    admin: User
    other_area_admin: User
    child: Child
    other_child: Child
    goal: Goal
    other_goal: Goal
    outcome: StrategicOutcome
    # An administrator who looks after no area (as the first account of a new service).
    arealess_admin: User | None = None


def build_world() -> World:
    """Build the small world of the access tests and commit it."""
    area = make_area("TEST", name="Test Borough")
    other_area = make_area("OTHER", name="Other Borough")
    health = make_organisation(area, "Community Paediatrics", "health")
    school = make_organisation(area, "Northfield School", "education")
    other_org = make_organisation(other_area, "Elsewhere Health", "health")
    key_worker = make_user("practitioner", area, health, email="priya@example.com")
    colleague = make_user("practitioner", area, health, email="colleague@example.com")
    school_practitioner = make_user("practitioner", area, school, email="jo@example.com")
    other_area_practitioner = make_user("practitioner", other_area, other_org)
    parent = make_user("family", area, email="sam@example.com")
    other_parent = make_user("family", area, email="other.parent@example.com")
    manager = make_user("manager", area, email="morgan@example.com")
    admin = make_user("admin", area, email="alex@example.com")
    other_area_admin = make_user("admin", other_area)
    arealess_admin = make_user("admin", None, email="root@example.com")
    child = make_child(key_worker, first_name="Amir")
    other_child = make_child(key_worker, first_name="Maya")
    link_family(parent, child)
    link_family(other_parent, other_child)
    goal = make_goal(child)
    make_rating(goal, FIRST_RATING_DAY, 3, 4)
    other_goal = make_goal(other_child, text="Ask for a drink")
    outcome = make_outcome(area, "HEALTHY", "Be healthy", position=1)
    db.session.commit()
    return World(
        area,
        other_area,
        health,
        school,
        key_worker,
        colleague,
        school_practitioner,
        other_area_practitioner,
        parent,
        other_parent,
        manager,
        admin,
        other_area_admin,
        child,
        other_child,
        goal,
        other_goal,
        outcome,
        arealess_admin=arealess_admin,
    )


def route_values(world: World) -> dict:
    """Return a value for every URL parameter of the app's routes, taken from the world."""
    return {
        "child_id": world.child.id,
        "goal_id": world.goal.id,
        "token": "no-such-token",
        "rater": "parent_carer",
        "assessed_on": FIRST_RATING_DAY.isoformat(),
        "organisation_id": world.school.id,
        "kind": "json",
        "outcome_id": world.outcome.id,
        "action": "up",
        "code": "ALL",
        "user_id": world.colleague.id,
        "request_id": 999_999,
        "step": 1,
        "key": 1,
        "session_id": 999_999,
        "token_id": 999_999,
        "reference": world.child.reference,
        # The world's area does not publish its outcomes unless a test says so.
        "area_code": "TEST",
    }


def build_url(rule, world: World) -> str:
    """Fill a URL rule's parameters from the world."""
    values = route_values(world)
    return rule.build({name: values[name] for name in rule.arguments})[1]
