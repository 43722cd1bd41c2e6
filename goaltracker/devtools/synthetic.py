"""Synthetic children, goals and ratings at national scale, for benchmarks and load tests.

Every child is generated from its own random stream (the seed and the child's number), so the
data does not depend on the batch size, and seeding 100 children then 100 more gives the same
children as seeding 200 at once. Rows are written a batch at a time with Core statements (COPY on
PostgreSQL) and committed per batch, so memory stays flat however many children there are.
"""

import bisect
import itertools
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from goaltracker import bulk
from goaltracker.extensions import db
from goaltracker.models import (
    Area,
    Child,
    Goal,
    Organisation,
    Rating,
    StrategicOutcome,
    goal_outcome,
)
from goaltracker.reports import kept

REFERENCE_PREFIX = "SYN-"
DEFAULT_BATCH_SIZE = 5000
# Two years of history: goals are set and rated within this many days before today.
HISTORY_DAYS = 730

# Primary needs weighted roughly like England's SEN2 and school census figures for children with
# EHC plans and SEN support together: autism, SEMH and speech and language needs are the commonest.
PRIMARY_NEED_WEIGHTS: dict[str, float] = {
    "ASD": 22,
    "SLCN": 21,
    "SEMH": 18,
    "MLD": 11,
    "SPLD": 8,
    "SLD": 5,
    "OTH": 4,
    "PD": 3,
    "NSA": 3,
    "HI": 1.5,
    "PMLD": 1.3,
    "VI": 1,
    "MSI": 0.3,
}
EHCP_SHARE = 0.3
# (youngest, oldest, weight): most children with plans are of school age; a few records outlive
# the 0 to 25 range, so that reports have someone in the band "other".
AGE_WEIGHTS: tuple[tuple[int, int, float], ...] = (
    (0, 4, 6),
    (5, 10, 36),
    (11, 15, 33),
    (16, 19, 17),
    (20, 25, 7.5),
    (26, 30, 0.5),
)
YOUNGEST_AGE_DAYS = 120
# Children rate their own goals from about eight (domain.md section 3).
CHILD_RATER_AGE = 8
GOAL_COUNT_WEIGHTS: dict[int, float] = {1: 15, 2: 25, 3: 30, 4: 18, 5: 12}
RATING_COUNT_WEIGHTS: dict[int, float] = {1: 20, 2: 25, 3: 22, 4: 15, 5: 10, 6: 8}
OUTCOME_COUNT_WEIGHTS: dict[int, float] = {0: 15, 1: 60, 2: 25}
# Families choose goals that matter to them, so importance leans high.
IMPORTANCE_WEIGHTS: dict[int, float] = {
    1: 1,
    2: 1,
    3: 2,
    4: 3,
    5: 6,
    6: 9,
    7: 14,
    8: 20,
    9: 20,
    10: 24,
}
ACHIEVED_SHARE = 0.10
STOPPED_SHARE = 0.05
BACKDATED_SHARE = 0.15
REVIEW_GAP_DAYS = (56, 120)

ORGANISATION_TYPE_WEIGHTS: dict[str, float] = {
    "education": 45,
    "health": 30,
    "social_care": 15,
    "voluntary": 7,
    "other": 3,
}
ORGANISATIONS: tuple[tuple[str, str], ...] = (
    ("Riverside Primary School", "education"),
    ("Northgate Academy", "education"),
    ("Oakfield Special School", "education"),
    ("Westbrook College", "education"),
    ("Community Paediatrics", "health"),
    ("Speech and Language Therapy", "health"),
    ("Children's Occupational Therapy", "health"),
    ("Child and Adolescent Mental Health Service", "health"),
    ("Children's Social Care", "social_care"),
    ("Short Breaks Service", "social_care"),
    ("Parent Carer Forum", "voluntary"),
    ("Early Years SEND Team", "other"),
)
OUTCOMES: tuple[tuple[str, str, str], ...] = (
    ("EMPLOYMENT", "Employment", "Young people have paid work, training or volunteering."),
    ("INDEPENDENT_LIVING", "Independent living", "Children do more for themselves as they grow."),
    ("COMMUNITY", "Community inclusion", "Children have friends and take part in their community."),
    ("GOOD_HEALTH", "Good health", "Children sleep, eat and feel well, in body and mind."),
    ("LEARNING", "Enjoy learning", "Children enjoy learning, at school, college or at home."),
)
# Goals in families' own words, by the sub-area of activity they belong to.
GOAL_TEXTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("self_care", "personal_care"): (
        "Get dressed for school by myself",
        "Brush my teeth without reminders",
        "Use the toilet at school",
        "Have a shower on my own",
        "Sleep in my own bed all night",
        "Eat a meal with a knife and fork",
        "Try one new food each week",
        "Take my medicine at the right time",
    ),
    ("self_care", "getting_around"): (
        "Walk to school with a friend",
        "Use the bus to college",
        "Cross the road safely",
        "Ride my bike in the park",
        "Use my wheelchair in the playground",
        "Get in and out of the car safely",
    ),
    ("self_care", "community"): (
        "Pay for something in a shop",
        "Ask for help when I am lost",
        "Order food in a café",
        "Go to the doctor's without getting upset",
        "Tell someone when I feel worried",
        "Use my phone to let mum know where I am",
    ),
    ("productivity", "school_or_work"): (
        "Stay in lessons for the whole morning",
        "Finish my homework",
        "Ask the teacher for help",
        "Go to school every day this term",
        "Keep my volunteering job at the café",
        "Apply for a college course",
        "Put my hand up in class",
    ),
    ("productivity", "play"): (
        "Take turns in a game",
        "Play with another child at break time",
        "Join in with songs at nursery",
        "Play with my brother without fighting",
        "Build something with Lego by myself",
    ),
    ("productivity", "jobs_at_home"): (
        "Make a simple lunch",
        "Tidy my bedroom",
        "Help make dinner",
        "Do my own washing",
        "Set the table for tea",
        "Look after my money for the week",
    ),
    ("leisure", "quiet_recreation"): (
        "Read a comic on my own",
        "Draw a picture to show my family",
        "Finish a jigsaw",
        "Listen to music to calm down",
        "Play a computer game with a friend online",
    ),
    ("leisure", "active_recreation"): (
        "Go swimming once a week",
        "Play football at the park",
        "Learn to ride a scooter",
        "Go to a dance class",
        "Walk the dog with dad",
    ),
    ("leisure", "socialising"): (
        "Go to the youth club on Thursdays",
        "Have a friend round for tea",
        "Join a club after school",
        "Say hello to people I know",
        "Go to a birthday party",
        "Talk to my cousins on a video call",
    ),
}
GOAL_TEXT_ENDINGS: tuple[str, ...] = ("", "", "", " most days", " without help", " by the summer")
_GOAL_CHOICES: tuple[tuple[str, str, str], ...] = tuple(
    (occupation_area, sub_area, goal_text)
    for (occupation_area, sub_area), texts in GOAL_TEXTS.items()
    for goal_text in texts
)


class SyntheticRating(NamedTuple):
    """One generated rating: who rated, when, the two scores, and when it was typed in."""

    rater: str
    assessed_on: date
    performance: int
    satisfaction: int
    recorded_at: datetime


class SyntheticGoal(NamedTuple):
    """One generated goal; outcomes are positions in the area's list of outcomes."""

    reference: str
    text: str
    occupation_area: str
    sub_area: str
    importance: int
    set_on: date
    status: str
    closed_on: date | None
    created_at: datetime
    outcomes: tuple[int, ...]
    ratings: tuple[SyntheticRating, ...]


class SyntheticChild(NamedTuple):
    """One generated child; the organisation is a position in the area's list of organisations."""

    number: int
    reference: str
    date_of_birth: date
    primary_need: str
    ehcp: bool
    organisation: int
    created_at: datetime
    goals: tuple[SyntheticGoal, ...]
    record_key: int


@dataclass
class SyntheticSummary:
    """What seeding wrote: rows per table, and the organisations and outcomes it had to add."""

    children: int = 0
    goals: int = 0
    outcome_links: int = 0
    ratings: int = 0
    organisations_created: int = 0
    outcomes_created: int = 0
    first_reference: str | None = None
    last_reference: str | None = None


class _Weighted:
    """A weighted choice that is cheap to repeat millions of times: cumulative weights, once."""

    def __init__(self, weights: dict):
        """Keep the values and their running totals."""
        self.values = tuple(weights)
        self.cumulative = tuple(itertools.accumulate(weights.values()))

    def pick(self, stream: random.Random):
        """Return one value, chosen with the probabilities of the weights."""
        point = stream.random() * self.cumulative[-1]
        return self.values[bisect.bisect_right(self.cumulative, point)]


_PRIMARY_NEEDS = _Weighted(PRIMARY_NEED_WEIGHTS)
_AGE_BANDS = _Weighted({(youngest, oldest): weight for youngest, oldest, weight in AGE_WEIGHTS})
_GOAL_COUNTS = _Weighted(GOAL_COUNT_WEIGHTS)
_RATING_COUNTS = _Weighted(RATING_COUNT_WEIGHTS)
_OUTCOME_COUNTS = _Weighted(OUTCOME_COUNT_WEIGHTS)
_IMPORTANCE = _Weighted(IMPORTANCE_WEIGHTS)


def organisation_weights(types: Sequence[str]) -> tuple[float, ...]:
    """Return how likely each organisation is to lead, from its type, shared among its type."""
    per_type = {kind: types.count(kind) for kind in set(types)}
    return tuple(
        ORGANISATION_TYPE_WEIGHTS.get(kind, ORGANISATION_TYPE_WEIGHTS["other"]) / per_type[kind]
        for kind in types
    )


def child_random(seed: int, number: int) -> random.Random:
    """Return the random stream of one child: the same for a seed and number, whatever else."""
    return random.Random((seed << 32) | number)  # noqa: S311  (synthetic data, not security)


def _clamp(value: float) -> int:
    """Round a score and keep it on the 1 to 10 scale."""
    return max(1, min(10, round(value)))


def _at(day: date, stream: random.Random) -> datetime:
    """Return a time in the working day on a date, in UTC."""
    return datetime.combine(day, time(stream.randint(8, 17), stream.randint(0, 59)), UTC)


def _series(
    stream: random.Random, rater: str, first_on: date, last_on: date, today: date
) -> tuple[SyntheticRating, ...]:
    """Return one rater's ratings of a goal: reviews every two to four months, mostly improving."""
    wanted = _RATING_COUNTS.pick(stream)
    performance = _clamp(stream.gauss(3.3, 1.5))
    satisfaction = _clamp(performance + stream.gauss(0.3 if rater == "child" else 0, 1.3))
    ratings = []
    assessed_on = first_on
    yesterday = today - timedelta(days=1)
    while len(ratings) < wanted and assessed_on <= last_on:
        recorded_on = assessed_on
        if stream.random() < BACKDATED_SHARE:
            # Typed in later than the review: a paper form entered at the office.
            recorded_on = min(assessed_on + timedelta(days=stream.randint(1, 45)), yesterday)
        ratings.append(
            SyntheticRating(rater, assessed_on, performance, satisfaction, _at(recorded_on, stream))
        )
        change = stream.gauss(0.8, 1.2)
        performance = _clamp(performance + change)
        satisfaction = _clamp(satisfaction + 0.6 * change + stream.gauss(0.3, 1.0))
        assessed_on += timedelta(days=stream.randint(*REVIEW_GAP_DAYS))
    return tuple(ratings)


def _goal(
    stream: random.Random,
    reference: str,
    date_of_birth: date,
    set_on: date,
    today: date,
    outcome_count: int,
) -> SyntheticGoal:
    """Return one goal with its outcomes, status and one or two raters' series."""
    occupation_area, sub_area, goal_text = stream.choice(_GOAL_CHOICES)
    goal_text += stream.choice(GOAL_TEXT_ENDINGS)
    yesterday = today - timedelta(days=1)
    status, closed_on = "active", None
    chance = stream.random()
    span = (yesterday - set_on).days
    if chance < ACHIEVED_SHARE + STOPPED_SHARE and span >= 1:
        status = "achieved" if chance < ACHIEVED_SHARE else "stopped"
        closed_on = set_on + timedelta(days=stream.randint(min(30, span), span))
    last_on = closed_on or yesterday
    linked = min(_OUTCOME_COUNTS.pick(stream), outcome_count)
    outcomes = tuple(sorted(stream.sample(range(outcome_count), linked)))
    child_can_rate = date_of_birth + timedelta(days=round(CHILD_RATER_AGE * 365.25)) <= set_on
    raters = ["parent_carer"]
    if child_can_rate:
        chance = stream.random()
        if chance < 0.15:
            raters = ["child"]
        elif chance < 0.6:
            raters = ["parent_carer", "child"]
    ratings: list[SyntheticRating] = []
    for rater in raters:
        # Most series start on the day the goal is set; some at the next meeting.
        first_on = set_on + timedelta(days=stream.choice((0, 0, 0, stream.randint(1, 21))))
        ratings.extend(_series(stream, rater, min(first_on, last_on), last_on, today))
    return SyntheticGoal(
        reference=reference,
        text=goal_text,
        occupation_area=occupation_area,
        sub_area=sub_area,
        importance=_IMPORTANCE.pick(stream),
        set_on=set_on,
        status=status,
        closed_on=closed_on,
        created_at=_at(set_on, stream),
        outcomes=outcomes,
        ratings=tuple(ratings),
    )


def synthetic_child(
    seed: int,
    number: int,
    today: date,
    organisation_weights: Sequence[float],
    outcome_count: int,
    prefix: str = REFERENCE_PREFIX,
) -> SyntheticChild:
    """Return child number `number` of a seed: cohort attributes, goals and ratings."""
    stream = child_random(seed, number)
    youngest, oldest = _AGE_BANDS.pick(stream)
    age_days = stream.randint(
        max(round(youngest * 365.25), YOUNGEST_AGE_DAYS), round((oldest + 1) * 365.25) - 1
    )
    date_of_birth = today - timedelta(days=age_days)
    organisation = stream.choices(range(len(organisation_weights)), organisation_weights)[0]
    yesterday = today - timedelta(days=1)
    # A child joins within the last two years, and not before a few months old.
    earliest = max(today - timedelta(days=HISTORY_DAYS), date_of_birth + timedelta(days=90))
    joined_on = earliest + timedelta(
        days=stream.randint(0, max(0, (yesterday - earliest).days - 7))
    )
    reference = f"{prefix}{number}"
    goals = []
    for position in range(1, _GOAL_COUNTS.pick(stream) + 1):
        set_on = joined_on
        if stream.random() < 0.4:
            # Some goals are added at a later review.
            set_on += timedelta(days=stream.randint(0, round((yesterday - joined_on).days * 0.6)))
        goals.append(
            _goal(stream, f"{reference}-G{position}", date_of_birth, set_on, today, outcome_count)
        )
    return SyntheticChild(
        number=number,
        reference=reference,
        date_of_birth=date_of_birth,
        primary_need=_PRIMARY_NEEDS.pick(stream),
        ehcp=stream.random() < EHCP_SHARE,
        organisation=organisation,
        created_at=_at(joined_on, stream),
        goals=tuple(goals),
        # Drawn last, so the rest of the child is what the same seed always gave.
        record_key=stream.randrange(256),
    )


def synthetic_children(
    seed: int,
    numbers: range,
    today: date,
    organisation_weights: Sequence[float],
    outcome_count: int,
    prefix: str = REFERENCE_PREFIX,
) -> Iterator[SyntheticChild]:
    """Yield the children with these numbers, one at a time."""
    for number in numbers:
        yield synthetic_child(seed, number, today, organisation_weights, outcome_count, prefix)


def _ensure_organisations(session: Session, area: Area) -> tuple[list[Organisation], int]:
    """Return the area's organisations by name, adding a realistic mix when it has fewer than 3."""
    existing = list(
        session.scalars(
            select(Organisation).where(Organisation.area_id == area.id).order_by(Organisation.name)
        )
    )
    created = 0
    if len(existing) < 3:
        taken = {organisation.name.casefold() for organisation in existing}
        for name, kind in ORGANISATIONS:
            if name.casefold() not in taken:
                session.add(Organisation(area_id=area.id, name=name, type=kind))
                created += 1
        session.flush()
        existing = list(
            session.scalars(
                select(Organisation)
                .where(Organisation.area_id == area.id)
                .order_by(Organisation.name)
            )
        )
    return existing, created


def _ensure_outcomes(session: Session, area: Area) -> tuple[list[StrategicOutcome], int]:
    """Return the area's current outcomes in order, adding five when it has none at all."""
    statement = (
        select(StrategicOutcome)
        .where(StrategicOutcome.area_id == area.id)
        .order_by(StrategicOutcome.position, StrategicOutcome.code)
    )
    outcomes = list(session.scalars(statement))
    created = 0
    if not outcomes:
        for position, (code, title, description) in enumerate(OUTCOMES, start=1):
            session.add(
                StrategicOutcome(
                    area_id=area.id,
                    code=code,
                    title=title,
                    description=description,
                    position=position,
                )
            )
            created += 1
        session.flush()
        outcomes = list(session.scalars(statement))
    # Retired outcomes keep their history but take no new goals.
    return [outcome for outcome in outcomes if outcome.retired_at is None], created


def _next_number(session: Session, area: Area) -> int:
    """Return the number of the next synthetic child, after any the area already holds."""
    held = session.scalar(
        select(func.count(Child.id)).where(
            Child.area_id == area.id, Child.reference.like(f"{REFERENCE_PREFIX}%")
        )
    )
    return held + 1


CHILD_COLUMNS = (
    "area_id",
    "reference",
    "first_name",
    "last_name",
    "date_of_birth",
    "primary_need",
    "ehcp",
    "organisation_id",
    "created_at",
    "record_key",
)
GOAL_COLUMNS = (
    "child_id",
    "reference",
    "text",
    "occupation_area",
    "sub_area",
    "importance",
    "set_on",
    "status",
    "closed_on",
    "created_at",
    "version",
)
RATING_COLUMNS = (
    "goal_id",
    "rater",
    "assessed_on",
    "performance",
    "satisfaction",
    "note",
    "recorded_at",
)


class _InsertWriter:
    """Writes a batch with Core INSERTs; RETURNING gives back the ids the database assigned."""

    def __init__(self, session: Session):
        """Write through the session's connection and transaction."""
        self.session = session

    def children(self, rows: list[tuple]) -> dict[str, int]:
        """Insert children and return their ids by reference."""
        # Natural keys come back with the ids, so the rows may return in any order: asking for
        # parameter order would make SQLite insert one row at a time.
        result = self.session.execute(
            insert(Child.__table__).returning(Child.id, Child.reference),
            [dict(zip(CHILD_COLUMNS, row, strict=True)) for row in rows],
        )
        return {reference: child_id for child_id, reference in result}

    def goals(self, rows: list[tuple]) -> dict[str, int]:
        """Insert goals and return their ids by reference."""
        result = self.session.execute(
            insert(Goal.__table__).returning(Goal.id, Goal.reference),
            [dict(zip(GOAL_COLUMNS, row, strict=True)) for row in rows],
        )
        return {reference: goal_id for goal_id, reference in result}

    def outcome_links(self, rows: list[tuple[int, int]]) -> None:
        """Link goals to outcomes."""
        if rows:
            self.session.execute(
                insert(goal_outcome),
                [{"goal_id": goal_id, "outcome_id": outcome_id} for goal_id, outcome_id in rows],
            )

    def ratings(self, rows: list[tuple]) -> None:
        """Insert ratings."""
        if rows:
            self.session.execute(
                insert(Rating.__table__),
                [dict(zip(RATING_COLUMNS, row, strict=True)) for row in rows],
            )


class _CopyWriter:
    """Writes a batch with PostgreSQL's COPY, many times faster than INSERT for bulk loads.

    COPY returns nothing, so the ids of children and goals are taken from their tables'
    sequences first (the database still assigns them) and written explicitly.
    """

    def __init__(self, session: Session):
        """Write through the session's connection and transaction."""
        self.session = session

    def _ids(self, table: str, count: int) -> list[int]:
        """Take `count` ids from a table's sequence, in ascending order."""
        return bulk.new_ids(self.session, db.metadata.tables[table], count)

    def _copy(self, table: str, columns: Sequence[str], rows: Iterator[tuple] | list) -> None:
        """Copy rows into a table's columns."""
        bulk.copy_rows(self.session, db.metadata.tables[table], columns, rows)

    def children(self, rows: list[tuple]) -> dict[str, int]:
        """Copy children and return their ids by reference."""
        ids = self._ids("child", len(rows))
        self._copy(
            "child",
            ("id", *CHILD_COLUMNS),
            [(child_id, *row) for child_id, row in zip(ids, rows, strict=True)],
        )
        return {row[1]: child_id for child_id, row in zip(ids, rows, strict=True)}

    def goals(self, rows: list[tuple]) -> dict[str, int]:
        """Copy goals and return their ids by reference."""
        ids = self._ids("goal", len(rows))
        self._copy(
            "goal",
            ("id", *GOAL_COLUMNS),
            [(goal_id, *row) for goal_id, row in zip(ids, rows, strict=True)],
        )
        return {row[1]: goal_id for goal_id, row in zip(ids, rows, strict=True)}

    def outcome_links(self, rows: list[tuple[int, int]]) -> None:
        """Copy the links of goals to outcomes."""
        self._copy("goal_outcome", ("goal_id", "outcome_id"), rows)

    def ratings(self, rows: list[tuple]) -> None:
        """Copy ratings; their ids come from the column's default."""
        self._copy("rating", RATING_COLUMNS, rows)


def _write_batch(
    writer, area: Area, batch: list[SyntheticChild], organisations, outcomes, summary
) -> None:
    """Write one batch of children with their goals, outcome links and ratings."""
    child_ids = writer.children(
        [
            (
                area.id,
                child.reference,
                "",
                "",
                child.date_of_birth,
                child.primary_need,
                child.ehcp,
                organisations[child.organisation].id,
                child.created_at,
                child.record_key,
            )
            for child in batch
        ]
    )
    goal_ids = writer.goals(
        [
            (
                child_ids[child.reference],
                goal.reference,
                goal.text,
                goal.occupation_area,
                goal.sub_area,
                goal.importance,
                goal.set_on,
                goal.status,
                goal.closed_on,
                goal.created_at,
                1,
            )
            for child in batch
            for goal in child.goals
        ]
    )
    links = [
        (goal_ids[goal.reference], outcomes[position].id)
        for child in batch
        for goal in child.goals
        for position in goal.outcomes
    ]
    writer.outcome_links(links)
    ratings = [
        (
            goal_ids[goal.reference],
            rating.rater,
            rating.assessed_on,
            rating.performance,
            rating.satisfaction,
            "",
            rating.recorded_at,
        )
        for child in batch
        for goal in child.goals
        for rating in goal.ratings
    ]
    writer.ratings(ratings)
    summary.children += len(batch)
    summary.goals += len(goal_ids)
    summary.outcome_links += len(links)
    summary.ratings += len(ratings)


def _batches(children: Iterator[SyntheticChild], size: int) -> Iterator[list[SyntheticChild]]:
    """Yield lists of at most `size` children."""
    while batch := list(itertools.islice(children, size)):
        yield batch


def seed_synthetic(
    session: Session,
    area: Area,
    children: int,
    *,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    today: date | None = None,
    use_copy: bool | None = None,
) -> SyntheticSummary:
    """Add synthetic children (SYN-<n>) with goals and ratings to an area, committing per batch.

    Adds 12 organisations when the area has fewer than 3, and 5 outcomes when it has none.
    Numbering continues after the area's existing synthetic children. `progress` is called with
    the number of children each batch added. PostgreSQL is written with COPY unless `use_copy` is
    False. The bulk writes go round `kept.tracking`, so the area's kept report data is dropped
    first (its reports are computed from the records): rebuild it afterwards with `kept.rebuild`.
    """
    if children < 0:
        raise ValueError("The number of children must be 0 or more")
    if batch_size < 1:
        raise ValueError("The batch size must be 1 or more")
    today = today or date.today()
    kept.forget(session, area)
    organisations, organisations_created = _ensure_organisations(session, area)
    outcomes, outcomes_created = _ensure_outcomes(session, area)
    first = _next_number(session, area)
    session.commit()
    summary = SyntheticSummary(
        organisations_created=organisations_created, outcomes_created=outcomes_created
    )
    if children == 0:
        return summary
    summary.first_reference = f"{REFERENCE_PREFIX}{first}"
    summary.last_reference = f"{REFERENCE_PREFIX}{first + children - 1}"
    if use_copy is None:
        use_copy = session.get_bind().dialect.name == "postgresql"
    writer = _CopyWriter(session) if use_copy else _InsertWriter(session)
    weights = organisation_weights([organisation.type for organisation in organisations])
    generated = synthetic_children(
        seed, range(first, first + children), today, weights, len(outcomes)
    )
    for batch in _batches(generated, batch_size):
        _write_batch(writer, area, batch, organisations, outcomes, summary)
        session.commit()
        if progress is not None:
            progress(len(batch))
    return summary
