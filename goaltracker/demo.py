"""Demo data for Demo Borough: the people of journeys.md and a year of goals and ratings."""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from goaltracker import areas, security
from goaltracker.extensions import db
from goaltracker.models import Child, Consent, FamilyLink, Goal, Rating, User
from goaltracker.reports import kept

AREA_CODE = "DEMO"
EXTRA_CHILDREN = 80
AREA_NAME = "Demo Borough"
DEMO_PASSWORD = "demo-goal-tracker"  # noqa: S105  (printed for people trying the demo)

OUTCOMES = [
    ("HEALTHY", "Be healthy", "Children sleep, eat and feel well, in body and mind."),
    ("SAFE", "Be safe", "Children are safe at home, at school and when out and about."),
    ("INCLUDED", "Be included", "Children have friends and take part in their community."),
    ("LEARNING", "Enjoy learning", "Children enjoy learning, at school, college or at home."),
    ("INDEPENDENT", "Be independent", "Children do more for themselves as they grow up."),
]

ORGANISATIONS = [
    ("Community Paediatrics", "health"),
    ("Northfield School", "education"),
    ("Children's Social Care", "social_care"),
    ("Sunrise Youth Project", "voluntary"),
]


@dataclass(frozen=True)
class DemoAccount:
    """A demo sign-in and who it is."""

    email: str
    name: str
    role: str
    organisation: str | None = None


STAFF = [
    DemoAccount("priya@demo.example", "Priya Shah", "practitioner", "Community Paediatrics"),
    DemoAccount("jo@demo.example", "Jo Green", "practitioner", "Northfield School"),
    DemoAccount("morgan@demo.example", "Morgan Lee", "manager"),
    DemoAccount("alex@demo.example", "Alex Kaur", "admin"),
]

# Maya turns 16 on the day the demo is made, so she can take over her record (journeys.md).
TURNS_16_TODAY = "Maya"

# The organisations beyond the key worker's that each family has let see the record.
SHARED_WITH = {
    "Amir": ["Northfield School"],
    "Maya": ["Northfield School", "Sunrise Youth Project"],
}

# (parent email, parent name, child first name, age, need, ehcp, key worker email, goals)
FAMILIES = [
    (
        "sam@demo.example",
        "Sam Rahman",
        "Amir",
        9,
        "ASD",
        True,
        "priya@demo.example",
        [
            ("Get dressed for school by myself", "self_care", "personal_care", 9, ["INDEPENDENT"]),
            (
                "Play a game with another child at break time",
                "leisure",
                "socialising",
                8,
                ["INCLUDED"],
            ),
            ("Sleep in my own bed all night", "self_care", "personal_care", 7, ["HEALTHY"]),
        ],
    ),
    (
        "lena@demo.example",
        "Lena Novak",
        "Noor",
        4,
        "SLCN",
        False,
        "priya@demo.example",
        [
            (
                "Ask for a drink using words or signs",
                "self_care",
                "personal_care",
                10,
                ["HEALTHY", "INCLUDED"],
            ),
            ("Join in with songs at nursery", "productivity", "play", 6, ["LEARNING"]),
        ],
    ),
    (
        "tom@demo.example",
        "Tom Okafor",
        "Kai",
        15,
        "SEMH",
        True,
        "jo@demo.example",
        [
            (
                "Stay in lessons for the whole morning",
                "productivity",
                "school_or_work",
                9,
                ["LEARNING"],
            ),
            ("Go to the youth club on Thursdays", "leisure", "socialising", 7, ["INCLUDED"]),
            ("Tell someone when I feel worried", "self_care", "community", 8, ["HEALTHY", "SAFE"]),
        ],
    ),
    (
        "rose@demo.example",
        "Rose Evans",
        "Ella",
        17,
        "PD",
        True,
        "priya@demo.example",
        [
            (
                "Use the bus to college",
                "self_care",
                "getting_around",
                10,
                ["INDEPENDENT", "INCLUDED"],
            ),
            ("Make a simple lunch", "productivity", "jobs_at_home", 7, ["INDEPENDENT"]),
        ],
    ),
    (
        "claire@demo.example",
        "Claire Byrne",
        TURNS_16_TODAY,
        16,
        "SEMH",
        True,
        "priya@demo.example",
        [
            ("Travel to college on my own", "self_care", "getting_around", 9, ["INDEPENDENT"]),
            (
                "Cook a meal for my family on Saturdays",
                "productivity",
                "jobs_at_home",
                7,
                ["INDEPENDENT", "HEALTHY"],
            ),
        ],
    ),
    (
        "dan@demo.example",
        "Dan Hughes",
        "Leo",
        12,
        "MLD",
        False,
        "jo@demo.example",
        [
            ("Read a comic on my own", "leisure", "quiet_recreation", 6, ["LEARNING"]),
            (
                "Walk to school with my friend",
                "self_care",
                "getting_around",
                8,
                ["INDEPENDENT", "SAFE"],
            ),
        ],
    ),
    (
        "ngozi@demo.example",
        "Ngozi Bello",
        "Zara",
        21,
        "ASD",
        True,
        "priya@demo.example",
        [
            (
                "Keep a volunteering job at the café",
                "productivity",
                "school_or_work",
                9,
                ["INDEPENDENT", "INCLUDED"],
            ),
            ("Go swimming once a week", "leisure", "active_recreation", 6, ["HEALTHY"]),
        ],
    ),
]


def years_ago(today: date, years: int, extra_days: int) -> date:
    """Return a birth date that makes someone `years` old today."""
    return date(today.year - years, 1, 1) + timedelta(days=extra_days)


def birthday_today(today: date, years: int) -> date:
    """Return the birth date of someone who is `years` old today (29 February: 1 March)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return date(today.year - years, 3, 1)


def add_series(goal: Goal, rater: str, dates: list[date], rng: random.Random, user: User) -> None:
    """Add a series of ratings that mostly improves, as real progress tends to."""
    performance = rng.randint(1, 4)
    satisfaction = rng.randint(1, 4)
    for assessed_on in dates:
        db.session.add(
            Rating(
                goal=goal,
                rater=rater,
                assessed_on=assessed_on,
                performance=performance,
                satisfaction=satisfaction,
                recorded_by_id=user.id,
            )
        )
        performance = max(1, min(10, performance + rng.choice([-1, 0, 1, 1, 2, 2, 3])))
        satisfaction = max(1, min(10, satisfaction + rng.choice([-1, 0, 1, 2, 2, 3])))


def seed(today: date | None = None) -> None:
    """Create Demo Borough with its outcomes, agencies, staff and seven families, and its kept
    report data."""
    today = today or date.today()
    rng = random.Random(2026)  # noqa: S311  (demo data, not security)
    area = areas.create_area(AREA_CODE, AREA_NAME)
    for code, title, description in OUTCOMES:
        areas.add_outcome(area, code, title, description)
    outcomes = {outcome.code: outcome for outcome in area.outcomes}
    organisations = {name: areas.add_organisation(area, name, kind) for name, kind in ORGANISATIONS}
    password_hash = security.hash_password(DEMO_PASSWORD)
    users = {}
    for account in STAFF:
        organisation = organisations.get(account.organisation) if account.organisation else None
        users[account.email] = User(
            email=account.email,
            name=account.name,
            role=account.role,
            area_id=area.id,
            organisation_id=organisation.id if organisation else None,
            password_hash=password_hash,
        )
        db.session.add(users[account.email])
    db.session.flush()
    review_dates = [today - timedelta(days=days) for days in (350, 260, 170, 80)]
    for index, family in enumerate(FAMILIES):
        email, parent_name, first_name, age, need, ehcp, key_worker_email, goals = family
        key_worker = users[key_worker_email]
        child = Child(
            area_id=area.id,
            reference=f"DEMO-{index + 1:03d}",
            first_name=first_name,
            last_name=parent_name.split()[-1],
            date_of_birth=birthday_today(today, age)
            if first_name == TURNS_16_TODAY
            else years_ago(today, age, 20 + index * 37),
            primary_need=need,
            ehcp=ehcp,
            organisation_id=key_worker.organisation_id,
            key_worker_id=key_worker.id,
        )
        parent = User(
            email=email,
            name=parent_name,
            role="family",
            area_id=area.id,
            password_hash=password_hash,
        )
        db.session.add_all([child, parent])
        db.session.flush()
        db.session.add(FamilyLink(user_id=parent.id, child_id=child.id))
        for organisation in SHARED_WITH.get(first_name, ()):
            db.session.add(
                Consent(
                    child_id=child.id,
                    organisation_id=organisations[organisation].id,
                    granted=True,
                    decided_by_id=parent.id,
                )
            )
        # Later families joined later, so their histories are shorter.
        dates = review_dates[index % 3 :]
        for text, occupation_area, sub_area, importance, codes in goals:
            goal = Goal(
                child=child,
                text=text,
                occupation_area=occupation_area,
                sub_area=sub_area,
                importance=importance,
                set_on=dates[0],
                outcomes=[outcomes[code] for code in codes],
                created_by_id=key_worker.id,
            )
            db.session.add(goal)
            add_series(goal, "parent_carer", dates, rng, key_worker)
            if age >= 8:
                add_series(goal, "child", dates[-2:] if len(dates) > 1 else dates, rng, key_worker)
    key_workers = [users["priya@demo.example"], users["jo@demo.example"]]
    for name, role_email in (("Children's Social Care", "sky"), ("Sunrise Youth Project", "ola")):
        worker = User(
            email=f"{role_email}@demo.example",
            name=f"{role_email.title()} (demo)",
            role="practitioner",
            area_id=area.id,
            organisation_id=organisations[name].id,
            password_hash=password_hash,
        )
        db.session.add(worker)
        key_workers.append(worker)
    db.session.flush()
    seed_caseloads(area, key_workers, EXTRA_CHILDREN, today, rng)
    db.session.flush()
    # The stories are written straight into the tables: the kept report data is built after.
    kept.rebuild(db.session, area, today)


FIRST_NAMES = (
    "Aisha Ben Chloe Dylan Esme Finn Grace Harry Isla Jack Kiran Lily Mason Nia Oscar Poppy "
    "Rhys Sofia Theo Uma Vinnie Willow Yusuf Zainab"
).split()
SAMPLE_GOALS = [
    ("Get ready for school on time", "self_care", "personal_care", ["INDEPENDENT"]),
    ("Eat a meal with the family", "self_care", "personal_care", ["HEALTHY"]),
    ("Join a club after school", "leisure", "socialising", ["INCLUDED"]),
    ("Read a book I choose", "leisure", "quiet_recreation", ["LEARNING"]),
    ("Cross the road safely", "self_care", "getting_around", ["SAFE", "INDEPENDENT"]),
    ("Finish my homework", "productivity", "school_or_work", ["LEARNING"]),
    ("Help make dinner", "productivity", "jobs_at_home", ["INDEPENDENT"]),
    ("Play football at the park", "leisure", "active_recreation", ["HEALTHY", "INCLUDED"]),
]


def seed_caseloads(area, key_workers: list[User], count: int, today: date, rng) -> None:
    """Add more children with goals and ratings, so that reports and caseloads look real."""
    outcomes = {outcome.code: outcome for outcome in area.outcomes}
    needs = ["ASD", "SEMH", "SLCN", "MLD", "SPLD", "PD", "SLD", "HI", "VI", "OTH"]
    for number in range(count):
        key_worker = key_workers[number % len(key_workers)]
        age = rng.randint(3, 23)
        child = Child(
            area_id=area.id,
            reference=f"DEMO-{100 + number:03d}",
            first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
            last_name=f"Demo{number:02d}",
            date_of_birth=years_ago(today, age, rng.randint(0, 360)),
            primary_need=rng.choice(needs),
            ehcp=rng.random() < 0.4,
            organisation_id=key_worker.organisation_id,
            key_worker_id=key_worker.id,
        )
        db.session.add(child)
        started = today - timedelta(days=rng.randint(30, 500))
        reviews = []
        day = started
        while day <= today:
            reviews.append(day)
            day += timedelta(days=rng.randint(60, 110))
        for text, occupation_area, sub_area, codes in rng.sample(SAMPLE_GOALS, rng.randint(1, 4)):
            goal = Goal(
                child=child,
                text=text,
                occupation_area=occupation_area,
                sub_area=sub_area,
                importance=rng.randint(5, 10),
                set_on=started,
                outcomes=[outcomes[code] for code in codes],
                created_by_id=key_worker.id,
            )
            db.session.add(goal)
            add_series(goal, "parent_carer", reviews, rng, key_worker)
            if age >= 8 and rng.random() < 0.6:
                add_series(goal, "child", reviews, rng, key_worker)
            if len(reviews) > 2 and rng.random() < 0.2:
                goal.status = rng.choice(["achieved", "stopped"])
                goal.closed_on = reviews[-1]


def sign_in_text() -> str:
    """Return the demo sign-ins, for printing when the app starts."""
    lines = [f"Demo sign-ins for {AREA_NAME} (password for all: {DEMO_PASSWORD}):"]
    for account in STAFF:
        where = f", {account.organisation}" if account.organisation else ""
        lines.append(f"  {account.role:<13} {account.email:<24} {account.name}{where}")
    for email, parent_name, child_name, *_ in FAMILIES:
        lines.append(f"  {'family':<13} {email:<24} {parent_name}, parent of {child_name}")
    return "\n".join(lines)
