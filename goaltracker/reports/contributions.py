"""Each child's contribution to the report's cells, day by day, from the child's records.

A child counts in a cell of outcome, rater view, organisation, age band, primary need and EHC
plan, with the sums of `columns.SUMS`. What a child contributes changes only on a few days: when a
goal is set, achieved or stopped, when a rating is made, when a review stops being on time, on the
birthdays that move the child into another age band, and when the need or EHC plan changes. The
kept data of `kept` stores these dated changes, so that the report as at any day is a bounded sum.

These are the same rules as the report's SQL in `definitions` and `compute`, for one child at a
time in Python; the test suite checks after every test that the two agree.
"""

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from itertools import pairwise

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from goaltracker.models import (
    Child,
    ChildDetail,
    Goal,
    Rating,
    StrategicOutcome,
    goal_outcome,
)
from goaltracker.reports.columns import (
    ALL_OUTCOMES_ID,
    ANY_RATER,
    EHCP_GROUPS,
    KEY_RANGE,
    SUMS,
)
from goaltracker.scoring import age_band
from goaltracker.vocabulary import AGE_BANDS, OTHER_AGE_BAND

# A cell without its area and date: (rater, outcome_id, organisation_id, age_band,
# primary_need, ehcp), the order of columns.CELL after those two.
Cell = tuple
CHILDREN_PER_QUERY = 2000
_SUM_COUNT = len(SUMS)
_CHILDREN, _GOALS, _RATINGS, _ACTIVE, _ON_TIME, _CHILD_VOICE = range(6)
_MEASURES = 6  # reassessed, baseline and latest performance and satisfaction, improved both
_RECORD_KEYS = _SUM_COUNT - 1


@dataclass(frozen=True)
class Settings:
    """What of an area's settings the contributions depend on."""

    area_id: int
    important_change: float
    review_interval_days: int

    @classmethod
    def of(cls, area) -> "Settings":
        return cls(area.id, float(area.important_change), area.review_interval_days)


@dataclass
class GoalRecord:
    """What of a goal the report reads: its dates, status, outcomes and ratings by date."""

    set_on: date
    status: str
    closed_on: date | None
    outcome_ids: list[int] = field(default_factory=list)
    # (assessed_on, rater, performance, satisfaction), in date order.
    ratings: list[tuple[date, str, int, int]] = field(default_factory=list)

    @cached_property
    def series(self) -> list[tuple[str, list[date], list[tuple]]]:
        """Return each rater's ratings and their dates, in date order (read once loaded)."""
        by_rater: dict[str, list] = {}
        for rating in self.ratings:
            by_rater.setdefault(rating[1], []).append(rating)
        return [
            (rater, [rating[0] for rating in ratings], ratings)
            for rater, ratings in by_rater.items()
        ]


@dataclass
class ChildRecord:
    """What of a child the report reads."""

    id: int
    area_id: int
    record_key: int
    date_of_birth: date | None
    organisation_id: int
    primary_need: str | None
    ehcp: bool | None
    erased: bool
    # (effective_from, primary_need, ehcp), in date order.
    details: list[tuple[date, str, bool]] = field(default_factory=list)
    goals: list[GoalRecord] = field(default_factory=list)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHILDREN_PER_QUERY):
        yield ids[start : start + CHILDREN_PER_QUERY]


def load(session: Session, children: Iterable[int]) -> list[ChildRecord]:
    """Read some children's records, a few set-based queries per two thousand children.

    What the session holds and has not flushed is not read."""
    records: list[ChildRecord] = []
    for some in _chunks(sorted(set(children))):
        records.extend(_load_some(session, some))
    return records


def _statements() -> dict:
    """Build the queries `load` runs once: it runs on every write of a child's record."""
    ids = bindparam("ids", expanding=True)
    return {
        # Each child once per dated detail, or once with none.
        "children": select(
            Child.id,
            Child.area_id,
            Child.record_key,
            Child.date_of_birth,
            Child.organisation_id,
            Child.primary_need,
            Child.ehcp,
            Child.erased_at,
            ChildDetail.effective_from,
            ChildDetail.primary_need.label("detail_need"),
            ChildDetail.ehcp.label("detail_ehcp"),
        )
        .outerjoin(ChildDetail, ChildDetail.child_id == Child.id)
        .where(Child.id.in_(ids))
        .order_by(Child.id, ChildDetail.effective_from),
        # Each goal once per outcome it is linked to, or once with none; only links to the
        # child's own area's outcomes count, as in the report (others give no outcome). Joins
        # one after the other, each down an index: SQLite would read a nested join in full.
        "goals": select(
            Goal.id,
            Goal.child_id,
            Goal.set_on,
            Goal.status,
            Goal.closed_on,
            StrategicOutcome.id.label("outcome_id"),
        )
        .join(Child, Child.id == Goal.child_id)
        .outerjoin(goal_outcome, goal_outcome.c.goal_id == Goal.id)
        .outerjoin(
            StrategicOutcome,
            and_(
                StrategicOutcome.id == goal_outcome.c.outcome_id,
                StrategicOutcome.area_id == Child.area_id,
            ),
        )
        .where(Goal.child_id.in_(ids))
        .order_by(Goal.id, StrategicOutcome.id),
        "ratings": select(
            Rating.goal_id,
            Rating.assessed_on,
            Rating.rater,
            Rating.performance,
            Rating.satisfaction,
        )
        .join(Goal, Goal.id == Rating.goal_id)
        .where(Goal.child_id.in_(ids))
        .order_by(Rating.goal_id, Rating.assessed_on),
    }


_QUERIES = _statements()


def _load_some(session: Session, ids: list[int]) -> list[ChildRecord]:
    # Core queries on the session's connection: the caller has flushed what it wrote.
    connection = session.connection()
    parameters = {"ids": ids}
    children: dict[int, ChildRecord] = {}
    for row in connection.execute(_QUERIES["children"], parameters):
        child = children.get(row.id)
        if child is None:
            child = children[row.id] = ChildRecord(
                id=row.id,
                area_id=row.area_id,
                record_key=row.record_key,
                date_of_birth=row.date_of_birth,
                organisation_id=row.organisation_id,
                primary_need=row.primary_need,
                ehcp=row.ehcp,
                erased=row.erased_at is not None,
            )
        if row.effective_from is not None:
            child.details.append((row.effective_from, row.detail_need, row.detail_ehcp))
    goals: dict[int, GoalRecord] = {}
    for row in connection.execute(_QUERIES["goals"], parameters):
        goal = goals.get(row.id)
        if goal is None:
            goal = goals[row.id] = GoalRecord(row.set_on, row.status, row.closed_on)
            children[row.child_id].goals.append(goal)
        if row.outcome_id is not None:
            goal.outcome_ids.append(row.outcome_id)
    for row in connection.execute(_QUERIES["ratings"], parameters):
        goals[row.goal_id].ratings.append(
            (row.assessed_on, row.rater, row.performance, row.satisfaction)
        )
    return list(children.values())


def _details_on(child: ChildRecord, day: date) -> tuple[str | None, bool | None]:
    """Return the primary need and EHC plan in force on a day: the latest that took effect by
    then; before the first, the first; with no history, the record's own."""
    if not child.details:
        return child.primary_need, child.ehcp
    in_force = child.details[0]
    for detail in child.details:
        if detail[0] <= day:
            in_force = detail
        else:
            break
    return in_force[1], in_force[2]


def _series_measures(ratings: list, count: int, important_change: float) -> list[int]:
    """Return the count and "better off" measures of a series' first `count` ratings: nothing
    unless reassessed."""
    if count < 2:
        return [count, 0, 0, 0, 0, 0, 0, 0]
    _, _, first_performance, first_satisfaction = ratings[0]
    _, _, last_performance, last_satisfaction = ratings[count - 1]
    return [
        count,
        1,
        first_performance,
        last_performance,
        first_satisfaction,
        last_satisfaction,
        int(last_performance - first_performance >= important_change),
        int(last_satisfaction - first_satisfaction >= important_change),
    ]


def contribution(child: ChildRecord, day: date, settings: Settings) -> dict[Cell, list[int]]:
    """Return what the child adds to each cell of the report as at a day."""
    cells: dict[Cell, list[int]] = {}
    if child.erased:
        return cells
    band = age_band(child.date_of_birth, day) if child.date_of_birth else OTHER_AGE_BAND
    need, ehcp = _details_on(child, day)
    cohort = (child.organisation_id, band, need, EHCP_GROUPS[bool(ehcp)])
    on_time_from = day - timedelta(days=settings.review_interval_days)
    for goal in child.goals:
        if goal.set_on > day:
            continue
        # Each rater's ratings made by the day: the first `count` of the series.
        counted = [
            (rater, dates, ratings, count)
            for rater, dates, ratings in goal.series
            if (count := bisect_right(dates, day))
        ]
        still_open = goal.closed_on is not None and goal.closed_on > day
        active = int(goal.status == "active" or still_open)
        latest_on = max((dates[count - 1] for _, dates, _, count in counted), default=None)
        facts = (
            active,
            int(bool(active) and latest_on is not None and latest_on >= on_time_from),
            int(any(rater == "child" for rater, *_ in counted)),
        )
        units = [
            (rater, _series_measures(ratings, count, settings.important_change))
            for rater, _, ratings, count in counted
        ]
        every = [0] * 8
        for _, measures in units:
            for position, value in enumerate(measures):
                every[position] += value
        units.append((ANY_RATER, every))
        for outcome_id in (ALL_OUTCOMES_ID, *goal.outcome_ids):
            for rater, measures in units:
                sums = cells.get((rater, outcome_id, *cohort))
                if sums is None:
                    sums = cells[(rater, outcome_id, *cohort)] = [0] * _SUM_COUNT
                    sums[_CHILDREN] = 1
                    sums[_RECORD_KEYS] = child.record_key
                sums[_GOALS] += 1
                sums[_RATINGS] += measures[0]
                sums[_ACTIVE] += facts[0]
                sums[_ON_TIME] += facts[1]
                sums[_CHILD_VOICE] += facts[2]
                for position in range(7):
                    sums[_MEASURES + position] += measures[1 + position]
    return cells


def _birthdays(date_of_birth: date) -> Iterator[date]:
    """Yield the days the child enters or leaves an age band (29 February ages on 1 March)."""
    yield date_of_birth
    ages = {int(age) for band in AGE_BANDS for age in band.split("-")}
    for age in sorted({*ages, *(age + 1 for age in ages)}):
        try:
            yield date_of_birth.replace(year=date_of_birth.year + age)
        except ValueError:
            yield date(date_of_birth.year + age, 3, 1)


def change_days(child: ChildRecord, settings: Settings) -> list[date]:
    """Return every day on which the child's contribution can change, in order."""
    days: set[date] = set()
    if child.erased or not child.goals:
        return []
    late = timedelta(days=settings.review_interval_days + 1)
    for goal in child.goals:
        days.add(goal.set_on)
        if goal.closed_on is not None:
            days.add(goal.closed_on)
        rated = sorted({rating[0] for rating in goal.ratings})
        days.update(rated)
        # A goal's review stops being on time the day after the interval from its latest
        # rating, unless another rating comes by then.
        for rated_on, rated_next in pairwise([*rated, None]):
            if rated_next is None or rated_next > rated_on + late:
                days.add(rated_on + late)
    if child.date_of_birth is not None:
        days.update(_birthdays(child.date_of_birth))
    days.update(detail[0] for detail in child.details)
    first = min(goal.set_on for goal in child.goals)
    return sorted(day for day in days if day >= first)


def changes(
    child: ChildRecord, settings: Settings, since: date | None = None
) -> dict[tuple[date, Cell], list[int]]:
    """Return how the child's contribution changes on each day it changes: {(day, cell): delta}.

    The report as at D is the sum of every change on or before D. Record keys change modulo 256.
    With `since`, only the changes from that day on, each against the contribution the day
    before: what a write that cannot affect earlier days needs, at a fraction of the work.
    """
    result: dict[tuple[date, Cell], list[int]] = {}
    before: dict[Cell, list[int]] = {}
    days = change_days(child, settings)
    if since is not None:
        earlier = [day for day in days if day < since]
        if earlier:
            before = contribution(child, earlier[-1], settings)
        days = [day for day in days if day >= since]
    for day in days:
        now = contribution(child, day, settings)
        for cell, delta in difference(before, now).items():
            result[(day, cell)] = delta
        before = now
    return result


def difference(old: dict, new: dict) -> dict:
    """Return new minus old, key by key, for the keys whose sums differ (neither is changed)."""
    result = {}
    for key in old.keys() | new.keys():
        was, now = old.get(key), new.get(key)
        if was == now:
            continue
        delta = subtract(now, was)
        if any(delta):
            result[key] = delta
    return result


ZERO = (0,) * _SUM_COUNT


def subtract(new, old) -> list[int]:
    """Return new minus old (either may be None for nothing), record keys modulo 256."""
    new = new or ZERO
    old = old or ZERO
    delta = [a - b for a, b in zip(new, old, strict=True)]
    delta[_RECORD_KEYS] %= KEY_RANGE
    return delta


def add_into(total: list[int], more) -> None:
    """Add `more` into `total` in place, record keys modulo 256 (changes are mostly zeros)."""
    for position, value in enumerate(more):
        if value:
            total[position] += value
    total[_RECORD_KEYS] %= KEY_RANGE
