"""A child's own rating, one goal at a time: the answers so far, and the picture of then and now.

The answers wait in the person's session until the last goal, then are saved together as one
review (`goals.record_review`, rater "child"), so a half-finished rating changes nothing.
"""

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import date

from goaltracker import goals
from goaltracker.models import Child

SESSION_KEY = "child_rating"


@dataclass
class RatingInProgress:
    """The day being rated and the answers given so far, by goal id (None: skipped)."""

    child_id: int
    day: date
    answers: dict[int, tuple[int, int] | None] = field(default_factory=dict)

    def scores(self) -> dict[int, tuple[int, int]]:
        """Return the goals answered, with their two scores."""
        return {goal_id: answer for goal_id, answer in self.answers.items() if answer}


def start(session: MutableMapping, child_id: int, day: date) -> RatingInProgress:
    """Begin a rating of the child's goals on a day, forgetting any earlier unfinished one."""
    rating = RatingInProgress(child_id, day)
    save(session, rating)
    return rating


def save(session: MutableMapping, rating: RatingInProgress) -> None:
    """Keep the rating in the session."""
    session[SESSION_KEY] = {
        "child": rating.child_id,
        "day": rating.day.isoformat(),
        "answers": {
            str(goal_id): list(answer) if answer else None
            for goal_id, answer in rating.answers.items()
        },
    }


def load(session: MutableMapping, child_id: int) -> RatingInProgress | None:
    """Return the unfinished rating of this child, if the session holds one."""
    held = session.get(SESSION_KEY)
    if not isinstance(held, dict) or held.get("child") != child_id:
        return None
    try:
        day = date.fromisoformat(held["day"])
        answers = {
            int(goal_id): (int(answer[0]), int(answer[1])) if answer else None
            for goal_id, answer in held.get("answers", {}).items()
        }
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return RatingInProgress(child_id, day, answers)


def clear(session: MutableMapping) -> None:
    """Forget the rating in progress."""
    session.pop(SESSION_KEY, None)


@dataclass(frozen=True)
class ThenAndNow:
    """One goal's first rating by the child and the one just saved."""

    goal_text: str
    then: tuple[date, int, int] | None  # None: this was the first rating
    now: tuple[date, int, int]


def then_and_now(child: Child, day: date) -> list[ThenAndNow]:
    """Return, for each goal the child rated on the day, their first rating and that day's."""
    pictures = []
    for item in goals.child_summary(child, as_at=day):
        own = item.ratings_by("child")
        today = next((rating for rating in own if rating.assessed_on == day), None)
        if today is None:
            continue
        first = own[0]
        then = None
        if first.assessed_on < day:
            then = (first.assessed_on, first.performance, first.satisfaction)
        pictures.append(
            ThenAndNow(item.goal.text, then, (day, today.performance, today.satisfaction))
        )
    return pictures
