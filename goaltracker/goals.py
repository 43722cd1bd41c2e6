"""Goals and their ratings: setting, rating, reviewing and closing, by the scoring rules."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from goaltracker import scoring, vocabulary
from goaltracker.extensions import db
from goaltracker.models import Child, Goal, Rating


@dataclass(frozen=True)
class GoalProgress:
    """A goal's ratings and, per rater, its series summary as at a date."""

    goal: Goal
    ratings: list[Rating]
    series: dict[str, scoring.SeriesSummary] = field(default_factory=dict)


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


def goal_progress(goal: Goal, as_at: date | None = None) -> GoalProgress:
    """Return a goal's ratings and per-rater progress as at a date (today by default)."""
    as_at = as_at or date.today()
    ratings = list(
        db.session.scalars(
            select(Rating)
            .where(Rating.goal_id == goal.id)
            .order_by(Rating.assessed_on, Rating.rater)
        )
    )
    important_change = goal.child.area.important_change
    return GoalProgress(goal, ratings, _summaries(ratings, as_at, important_change))


def child_summary(child: Child, as_at: date | None = None) -> list[GoalProgress]:
    """Return every goal of a child with its progress, from one query of the ratings."""
    as_at = as_at or date.today()
    child_goals = list(
        db.session.scalars(select(Goal).where(Goal.child_id == child.id).order_by(Goal.id))
    )
    ratings_by_goal: dict[int, list[Rating]] = defaultdict(list)
    for rating in db.session.scalars(
        select(Rating)
        .join(Goal, Goal.id == Rating.goal_id)
        .where(Goal.child_id == child.id)
        .order_by(Rating.assessed_on, Rating.rater)
    ):
        ratings_by_goal[rating.goal_id].append(rating)
    important_change = child.area.important_change
    return [
        GoalProgress(
            goal,
            ratings_by_goal[goal.id],
            _summaries(ratings_by_goal[goal.id], as_at, important_change),
        )
        for goal in child_goals
    ]
