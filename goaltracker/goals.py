"""Goals and their ratings: setting, rating, reviewing and closing, by the scoring rules."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import has_request_context
from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, select

from goaltracker import audit, i18n, scoring, vocabulary
from goaltracker.extensions import db
from goaltracker.models import Child, Goal, GoalRevision, Note, Rating, StrategicOutcome, User
from goaltracker.reports import kept


class GoalError(ValueError):
    """A change to goals or ratings that the rules do not allow; the message says why."""

    def __init__(self, message: str, field_name: str | None = None):
        """Keep the name of the form field the problem belongs to, if any."""
        super().__init__(message)
        self.field_name = field_name


@dataclass(frozen=True)
class GoalProgress:
    """A goal's ratings and, per rater, its series summary as at a date."""

    goal: Goal
    ratings: list[Rating]
    series: dict[str, scoring.SeriesSummary] = field(default_factory=dict)

    def ratings_by(self, rater: str) -> list[Rating]:
        """Return this rater's ratings in date order."""
        return [rating for rating in self.ratings if rating.rater == rater]


def _summaries(ratings: list[Rating], as_at: date, important_change: float) -> dict:
    """Summarise a goal's ratings per rater, in the order of the vocabulary's raters."""
    by_rater: dict[str, list[scoring.Score]] = defaultdict(list)
    for rating in ratings:
        by_rater[rating.rater].append(
            scoring.Score(rating.assessed_on, rating.performance, rating.satisfaction)
        )
    return {
        rater: scoring.summarise_series(by_rater[rater], as_at, important_change)
        for rater in vocabulary.RATERS
        if rater in by_rater
    }


def _ratings_by_goal(goal_ids: list[int]) -> dict[int, list[Rating]]:
    """Return the ratings of several goals, from one query, in date order."""
    ratings: dict[int, list[Rating]] = defaultdict(list)
    if goal_ids:
        for rating in db.session.scalars(
            select(Rating)
            .where(Rating.goal_id.in_(goal_ids))
            .order_by(Rating.assessed_on, Rating.rater)
        ):
            ratings[rating.goal_id].append(rating)
    return ratings


def goal_progress(goal: Goal, as_at: date | None = None) -> GoalProgress:
    """Return a goal's ratings and per-rater progress as at a date (today by default)."""
    ratings = _ratings_by_goal([goal.id])[goal.id]
    important_change = goal.child.area.important_change
    return GoalProgress(goal, ratings, _summaries(ratings, as_at or date.today(), important_change))


def child_summary(child: Child, as_at: date | None = None) -> list[GoalProgress]:
    """Return every goal of a child with its progress: active goals first, then closed ones."""
    child_goals = list(
        db.session.scalars(
            select(Goal).where(Goal.child_id == child.id).order_by(Goal.set_on, Goal.id)
        )
    )
    child_goals.sort(key=lambda goal: goal.status != "active")
    ratings = _ratings_by_goal([goal.id for goal in child_goals])
    as_at = as_at or date.today()
    important_change = child.area.important_change
    return [
        GoalProgress(goal, ratings[goal.id], _summaries(ratings[goal.id], as_at, important_change))
        for goal in child_goals
    ]


def active_goals(child: Child) -> list[Goal]:
    """Return the child's active goals, oldest first."""
    return list(
        db.session.scalars(
            select(Goal)
            .where(Goal.child_id == child.id, Goal.status == "active")
            .order_by(Goal.set_on, Goal.id)
        )
    )


def active_goal_count(child: Child) -> int:
    """Return how many goals the child has active now."""
    return db.session.scalar(
        select(func.count(Goal.id)).where(Goal.child_id == child.id, Goal.status == "active")
    )


def goal_limit_reached(child: Child) -> bool:
    """Return whether the child already has the area's most active goals."""
    return active_goal_count(child) >= child.area.max_active_goals


def limit_message(child: Child) -> str:
    """Say plainly why no more goals can be set."""
    limit = child.area.max_active_goals
    if not child.first_name:
        return gettext(
            "This child already has %(limit)s goals to work on, the most at one time. Mark a goal "
            "as achieved or stopped before setting a new one.",
            limit=limit,
        )
    return gettext(
        "%(name)s already has %(limit)s goals to work on, the most at one time. Mark a goal as "
        "achieved or stopped before setting a new one.",
        name=child.first_name,
        limit=limit,
    )


def _day_in_words(value: date) -> str:
    """Return a date as people write it (3 March 2026), in the page's language."""
    if has_request_context() and i18n.language() != i18n.DEFAULT:
        return i18n.format_day(value)
    return f"{value.day} {value:%B %Y}"


def outcomes_for_goals(child: Child) -> list[StrategicOutcome]:
    """Return the area's outcomes that new goals may link to: not retired, in the area's order."""
    return list(
        db.session.scalars(
            select(StrategicOutcome)
            .where(StrategicOutcome.area_id == child.area_id, StrategicOutcome.retired_at.is_(None))
            .order_by(StrategicOutcome.position, StrategicOutcome.code)
        )
    )


def _outcomes_by_id(child: Child, outcome_ids: list[int]) -> list[StrategicOutcome]:
    """Return the chosen outcomes, refusing any that are not the area's current ones."""
    allowed = {outcome.id: outcome for outcome in outcomes_for_goals(child)}
    chosen = [allowed[outcome_id] for outcome_id in outcome_ids if outcome_id in allowed]
    if len(chosen) != len(set(outcome_ids)):
        raise GoalError(gettext("Choose outcomes from the list"), "outcomes")
    return chosen


def check_goal_fields(text: str, occupation_area: str, sub_area: str | None, importance: int):
    """Apply the rules every goal meets, whoever sets it."""
    if not text.strip():
        raise GoalError(gettext("Enter the goal"), "text")
    if len(text.strip()) > vocabulary.GOAL_TEXT_LONGEST:
        raise GoalError(
            gettext(
                "The goal must be %(most)s characters or fewer", most=vocabulary.GOAL_TEXT_LONGEST
            ),
            "text",
        )
    if occupation_area not in vocabulary.OCCUPATION_AREAS:
        raise GoalError(
            gettext("Choose what kind of activity the goal is about"), "occupation_area"
        )
    if sub_area and vocabulary.OCCUPATION_AREA_OF_SUB_AREA.get(sub_area) != occupation_area:
        raise GoalError(gettext("Choose a kind of activity that fits the area"), "sub_area")
    if not scoring.is_valid_score(importance):
        raise GoalError(gettext("Choose how important the goal is, from 1 to 10"), "importance")


def set_goal(
    child: Child,
    *,
    text: str,
    occupation_area: str,
    importance: int,
    set_on: date,
    set_by: User,
    sub_area: str | None = None,
    outcome_ids: list[int] | None = None,
    today: date | None = None,
) -> Goal:
    """Set a new goal in the family's words, within the area's limit of active goals."""
    check_goal_fields(text, occupation_area, sub_area, importance)
    if set_on > (today or date.today()):
        raise GoalError(gettext("The date the goal was set must be today or in the past"), "set_on")
    if goal_limit_reached(child):
        raise GoalError(limit_message(child))
    with kept.tracking(db.session, [child.id], since=set_on):
        goal = Goal(
            child_id=child.id,
            text=text.strip(),
            occupation_area=occupation_area,
            sub_area=sub_area or None,
            importance=importance,
            set_on=set_on,
            created_by_id=set_by.id,
            outcomes=_outcomes_by_id(child, outcome_ids or []),
        )
        db.session.add(goal)
        db.session.flush()
    audit.record("goal_set", child=child, user=set_by, detail={"goal_id": goal.id})
    return goal


# Lazy: shown in the page's language wherever it is raised.
CHANGED_MEANWHILE = lazy_gettext(
    "Someone else changed this goal while you were working on it. "
    "Check the goal as it is now, then make your change again."
)


def check_version(goal: Goal, expected_version: int | None) -> None:
    """Refuse a change made to an older copy of the goal than the one stored now."""
    if expected_version is not None and expected_version != goal.version:
        raise GoalError(CHANGED_MEANWHILE, "version")


def edit_goal(
    goal: Goal,
    *,
    text: str,
    importance: int,
    outcome_ids: list[int],
    changed_by: User,
    expected_version: int | None = None,
) -> None:
    """Change a goal's wording, importance or outcomes, keeping the earlier wording."""
    check_version(goal, expected_version)
    check_goal_fields(text, goal.occupation_area, goal.sub_area, importance)
    text = text.strip()
    if text != goal.text:
        db.session.add(GoalRevision(goal_id=goal.id, text=goal.text, changed_by_id=changed_by.id))
    before = {
        "text": goal.text,
        "importance": goal.importance,
        "outcomes": [outcome.code for outcome in goal.outcomes],
    }
    with kept.tracking(db.session, [goal.child_id], since=goal.set_on):
        goal.text = text
        goal.importance = importance
        goal.outcomes = _outcomes_by_id(goal.child, outcome_ids) + [
            outcome for outcome in goal.outcomes if outcome.retired_at is not None
        ]
    audit.record(
        "goal_edited",
        child=goal.child,
        user=changed_by,
        detail={"goal_id": goal.id, "before": before},
    )


def change_status(
    goal: Goal,
    status: str,
    *,
    on: date | None,
    changed_by: User,
    expected_version: int | None = None,
    today: date | None = None,
) -> None:
    """Mark a goal achieved or stopped on a date, or re-open it; every rating is kept."""
    check_version(goal, expected_version)
    today = today or date.today()
    if status not in vocabulary.GOAL_STATUSES:
        raise GoalError(gettext("Choose what happened to the goal"), "status")
    if status == "active":
        if goal.status != "active" and goal_limit_reached(goal.child):
            raise GoalError(limit_message(goal.child), "status")
        closed_on = None
    else:
        if on is None:
            raise GoalError(gettext("Enter the date"), "closed_on")
        if on > today:
            raise GoalError(gettext("The date must be today or in the past"), "closed_on")
        if on < goal.set_on:
            raise GoalError(
                gettext(
                    "The date must be on or after the goal was set (%(day)s)",
                    day=f"{goal.set_on:%d %m %Y}",
                ),
                "closed_on",
            )
        closed_on = on
    before = {
        "status": goal.status,
        "closed_on": goal.closed_on.isoformat() if goal.closed_on else None,
    }
    with kept.tracking(db.session, [goal.child_id], since=goal.set_on):
        goal.status = status
        goal.closed_on = closed_on
    audit.record(
        "goal_status_changed",
        child=goal.child,
        user=changed_by,
        detail={"goal_id": goal.id, "before": before, "status": status},
    )


@dataclass(frozen=True)
class ReviewResult:
    """What recording a review did: ratings added, corrected, or already there; or, when that
    day's ratings would be replaced without the caller saying so, nothing, and who recorded
    them (`needs_confirmation`)."""

    created: int
    corrected: int
    unchanged: int
    needs_confirmation: bool = False
    earlier: tuple = ()


def existing_ratings(goal_ids: list[int], rater: str, assessed_on: date) -> dict[int, Rating]:
    """Return the rater's ratings on that day for these goals, by goal."""
    if not goal_ids:
        return {}
    return {
        rating.goal_id: rating
        for rating in db.session.scalars(
            select(Rating).where(
                Rating.goal_id.in_(goal_ids),
                Rating.rater == rater,
                Rating.assessed_on == assessed_on,
            )
        )
    }


@dataclass(frozen=True)
class EarlierRatings:
    """Who recorded a rater's ratings already saved on a day, and when they last did."""

    recorded_by: User | None
    recorded_at: datetime


def earlier_ratings(goal_ids: list[int], rater: str, assessed_on: date) -> list[EarlierRatings]:
    """Return who recorded the rater's ratings of these goals on that day, latest last."""
    latest: dict[int | None, Rating] = {}
    for rating in existing_ratings(goal_ids, rater, assessed_on).values():
        held = latest.get(rating.recorded_by_id)
        if held is None or rating.recorded_at > held.recorded_at:
            latest[rating.recorded_by_id] = rating
    return sorted(
        (EarlierRatings(rating.recorded_by, rating.recorded_at) for rating in latest.values()),
        key=lambda earlier: earlier.recorded_at,
    )


def record_review(
    child: Child,
    *,
    rater: str,
    assessed_on: date,
    scores: Mapping[int, tuple[int, int]],
    recorded_by: User,
    note: str = "",
    replace_same_day: bool = False,
    today: date | None = None,
) -> ReviewResult:
    """Record one rater's ratings of several goals on one day, all of them or none.

    Rating again on the same day corrects that day's rating, but only when the caller says so
    (otherwise nothing is written, and the result needs confirmation and says who recorded
    that day's ratings); the replaced values are kept in the audit trail.
    """
    today = today or date.today()
    if rater not in vocabulary.RATERS:
        raise GoalError(gettext("Say whose view these ratings are"), "rater")
    if assessed_on > today:
        raise GoalError(gettext("The date must be today or in the past"), "assessed_on")
    if not scores:
        raise GoalError(gettext("Rate at least one goal"), "scores")
    goals = {goal.id: goal for goal in child.goals}
    for goal_id, (performance, satisfaction) in scores.items():
        goal = goals.get(goal_id)
        if goal is None:
            raise GoalError(gettext("Rate only this child's goals"), "scores")
        if not (scoring.is_valid_score(performance) and scoring.is_valid_score(satisfaction)):
            raise GoalError(gettext("Scores must be whole numbers from 1 to 10"), f"goal-{goal_id}")
        if assessed_on < goal.set_on:
            raise GoalError(
                gettext(
                    "The date must be on or after the goal “%(goal)s” was set (%(day)s)",
                    goal=goal.text[:60],
                    day=_day_in_words(goal.set_on),
                ),
                "assessed_on",
            )
    # Tracked first, so that the day's ratings are read once other reviews of this child have
    # finished: two reviews sent at the same moment (a double click) correct, not duplicate.
    with kept.tracking(db.session, [child.id], since=assessed_on):
        return _write_review(child, rater, assessed_on, scores, recorded_by, note, replace_same_day)


def _write_review(
    child: Child,
    rater: str,
    assessed_on: date,
    scores: Mapping[int, tuple[int, int]],
    recorded_by: User,
    note: str,
    replace_same_day: bool,
) -> ReviewResult:
    """Write a checked review, or nothing when it would replace a day's ratings unasked."""
    existing = existing_ratings(list(scores), rater, assessed_on)
    changes = {
        goal_id: rating
        for goal_id, rating in existing.items()
        if (rating.performance, rating.satisfaction) != tuple(scores[goal_id])
    }
    if changes and not replace_same_day:
        # Nothing is written: the caller asks first, then sends the review again to replace.
        earlier = tuple(earlier_ratings(list(changes), rater, assessed_on))
        return ReviewResult(0, 0, 0, needs_confirmation=True, earlier=earlier)
    created = 0
    for goal_id, (performance, satisfaction) in scores.items():
        rating = existing.get(goal_id)
        if rating is None:
            db.session.add(
                Rating(
                    goal_id=goal_id,
                    rater=rater,
                    assessed_on=assessed_on,
                    performance=performance,
                    satisfaction=satisfaction,
                    note=note.strip(),
                    recorded_by_id=recorded_by.id,
                )
            )
            created += 1
        elif goal_id in changes:
            audit.record(
                "rating_corrected",
                child=child,
                user=recorded_by,
                detail={
                    "goal_id": goal_id,
                    "rater": rater,
                    "assessed_on": assessed_on.isoformat(),
                    "before": {
                        "performance": rating.performance,
                        "satisfaction": rating.satisfaction,
                    },
                    "after": {"performance": performance, "satisfaction": satisfaction},
                },
            )
            rating.performance, rating.satisfaction = performance, satisfaction
            rating.recorded_by_id = recorded_by.id
    if created or changes:
        if note.strip():
            db.session.add(Note(child_id=child.id, author_id=recorded_by.id, body=note.strip()))
        audit.record(
            "review_recorded",
            child=child,
            user=recorded_by,
            detail={
                "rater": rater,
                "assessed_on": assessed_on.isoformat(),
                "goals": sorted(scores),
            },
        )
    return ReviewResult(created, len(changes), len(existing) - len(changes))


@dataclass(frozen=True)
class ReviewGoalLine:
    """One goal in a review: this review's scores, the previous ones, and the change from first."""

    goal: Goal
    rating: Rating
    previous: Rating | None
    series: scoring.SeriesSummary


@dataclass(frozen=True)
class Review:
    """One rater's ratings of a child's goals on one date, with totals and change."""

    rater: str
    assessed_on: date
    lines: list[ReviewGoalLine]
    total_performance: float
    total_satisfaction: float
    total_change_performance: float | None
    total_change_satisfaction: float | None


def review(child: Child, rater: str, assessed_on: date) -> Review | None:
    """Return the review of that rater and date, compared with earlier ratings; None if none."""
    progress = {item.goal.id: item for item in child_summary(child, as_at=assessed_on)}
    lines = []
    for item in progress.values():
        ratings = item.ratings_by(rater)
        today = [rating for rating in ratings if rating.assessed_on == assessed_on]
        if not today:
            continue
        earlier = [rating for rating in ratings if rating.assessed_on < assessed_on]
        lines.append(
            ReviewGoalLine(
                item.goal, today[0], earlier[-1] if earlier else None, item.series[rater]
            )
        )
    if not lines:
        return None
    total_performance, total_satisfaction = scoring.review_totals(
        [line.rating.performance for line in lines], [line.rating.satisfaction for line in lines]
    )
    change_performance, change_satisfaction = scoring.total_change(line.series for line in lines)
    return Review(
        rater,
        assessed_on,
        lines,
        total_performance,
        total_satisfaction,
        change_performance,
        change_satisfaction,
    )


@dataclass(frozen=True)
class ReviewTotals:
    """One review's date, rater, goals rated and total scores (the means of its ratings)."""

    rater: str
    assessed_on: date
    goals_rated: int
    total_performance: float
    total_satisfaction: float


def reviews(child: Child) -> list[ReviewTotals]:
    """Return every review of the child with its totals, newest first, from one query."""
    rows = db.session.execute(
        select(
            Rating.rater,
            Rating.assessed_on,
            func.count(Rating.id),
            func.sum(Rating.performance),
            func.sum(Rating.satisfaction),
        )
        .join(Goal, Goal.id == Rating.goal_id)
        .where(Goal.child_id == child.id)
        .group_by(Rating.rater, Rating.assessed_on)
        .order_by(Rating.assessed_on.desc(), Rating.rater)
    )
    # Totals are sums divided in Python, so both databases give the same full-precision value.
    return [
        ReviewTotals(rater, assessed_on, count, performance / count, satisfaction / count)
        for rater, assessed_on, count, performance, satisfaction in rows
    ]


def last_rated_on(child: Child) -> date | None:
    """Return the date of the child's latest rating, by anyone."""
    return db.session.scalar(
        select(func.max(Rating.assessed_on))
        .join(Goal, Goal.id == Rating.goal_id)
        .where(Goal.child_id == child.id)
    )


def add_note(child: Child, body: str, author: User, goal: Goal | None = None) -> Note:
    """Add a note to the child's record, such as news between meetings."""
    body = body.strip()
    if not body:
        raise GoalError(gettext("Enter the note"), "body")
    if len(body) > 2000:
        raise GoalError(gettext("The note must be 2000 characters or fewer"), "body")
    note = Note(
        child_id=child.id, author_id=author.id, body=body, goal_id=goal.id if goal else None
    )
    db.session.add(note)
    db.session.flush()
    audit.record("note_added", child=child, user=author, detail={"note_id": note.id})
    return note


def notes(child: Child) -> list[Note]:
    """Return the child's notes, newest first."""
    return list(
        db.session.scalars(
            select(Note).where(Note.child_id == child.id).order_by(Note.created_at.desc())
        )
    )
