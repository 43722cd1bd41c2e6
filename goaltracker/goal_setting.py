"""Setting goals with a family, step by step: ideas from everyday activities in the family's own
words, how important each is, the ones that matter most, the area's outcomes they help with, then
all saved together.

Until they are saved, the goals wait in a draft kept in the database for that child and person
(never in a cookie), so a meeting can go back and forth between the steps.
"""

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from flask_babel import gettext, ngettext
from sqlalchemy import delete, select

from goaltracker import goals, vocabulary
from goaltracker.extensions import db
from goaltracker.models import Child, GoalDraft, User, utcnow

# Drafts nobody came back to are removed after this long.
DRAFT_DAYS = 7
# The most ideas one draft holds: enough for any conversation, and the page stays short.
MOST_IDEAS = 20


@dataclass
class Idea:
    """A goal as the family put it, with what kind of everyday activity it is and its importance."""

    key: int
    sub_area: str
    text: str
    importance: int

    @property
    def occupation_area(self) -> str:
        """Return the kind of activity (self-care, productivity, leisure) of the sub-area."""
        return vocabulary.OCCUPATION_AREA_OF_SUB_AREA[self.sub_area]


@dataclass
class Draft:
    """The ideas so far, the keys of those chosen, and each chosen idea's outcome ids."""

    ideas: list[Idea] = field(default_factory=list)
    chosen: list[int] = field(default_factory=list)
    outcomes: dict[int, list[int]] = field(default_factory=dict)
    outcomes_done: bool = False

    def idea(self, key: int) -> Idea | None:
        """Return the idea with this key."""
        return next((idea for idea in self.ideas if idea.key == key), None)

    def chosen_ideas(self) -> list[Idea]:
        """Return the chosen ideas, most important first."""
        ideas = [idea for idea in self.ideas if idea.key in self.chosen]
        return sorted(ideas, key=lambda idea: (-idea.importance, idea.key))

    def ideas_by_importance(self) -> list[Idea]:
        """Return every idea, most important first."""
        return sorted(self.ideas, key=lambda idea: (-idea.importance, idea.key))


NOT_STARTED, IN_PROGRESS, COMPLETED, CANNOT_START = (
    "not_started",
    "in_progress",
    "completed",
    "cannot_start",
)


def task_statuses(draft: Draft) -> dict[str, str]:
    """Return the status of each step of the task list: write, choose, outcomes, check."""
    write = COMPLETED if draft.ideas else NOT_STARTED
    choose = (COMPLETED if draft.chosen else NOT_STARTED) if draft.ideas else CANNOT_START
    link = (COMPLETED if draft.outcomes_done else NOT_STARTED) if draft.chosen else CANNOT_START
    check = NOT_STARTED if draft.chosen and draft.outcomes_done else CANNOT_START
    return {"write": write, "choose": choose, "outcomes": link, "check": check}


def places_left(child: Child) -> int:
    """Return how many more goals the child can have active, under the area's limit."""
    return max(0, child.area.max_active_goals - goals.active_goal_count(child))


def _from_data(data: dict) -> Draft:
    """Rebuild a draft from its stored form, dropping anything that no longer makes sense."""
    ideas = []
    for item in data.get("ideas", []):
        try:
            idea = Idea(
                int(item["key"]), str(item["sub_area"]), str(item["text"]), int(item["importance"])
            )
        except (KeyError, TypeError, ValueError):
            continue
        if idea.sub_area in vocabulary.OCCUPATION_AREA_OF_SUB_AREA:
            ideas.append(idea)
    keys = {idea.key for idea in ideas}
    return Draft(
        ideas=ideas,
        chosen=[key for key in data.get("chosen", []) if key in keys],
        outcomes={
            int(key): [int(value) for value in values]
            for key, values in data.get("outcomes", {}).items()
            if int(key) in keys
        },
        outcomes_done=bool(data.get("outcomes_done")),
    )


def load(child: Child, user: User) -> Draft:
    """Return the person's draft for the child, or an empty one."""
    held = db.session.scalar(
        select(GoalDraft).where(GoalDraft.child_id == child.id, GoalDraft.user_id == user.id)
    )
    return _from_data(held.data) if held else Draft()


def remove_stale_drafts() -> int:
    """Remove the drafts nobody came back to for DRAFT_DAYS; return how many."""
    result = db.session.execute(
        delete(GoalDraft).where(GoalDraft.updated_at < utcnow() - timedelta(days=DRAFT_DAYS))
    )
    return result.rowcount or 0


def save(child: Child, user: User, draft: Draft) -> None:
    """Keep the draft, and remove drafts that nobody came back to."""
    remove_stale_drafts()
    held = db.session.scalar(
        select(GoalDraft).where(GoalDraft.child_id == child.id, GoalDraft.user_id == user.id)
    )
    data = {
        "ideas": [asdict(idea) for idea in draft.ideas],
        "chosen": draft.chosen,
        "outcomes": {str(key): values for key, values in draft.outcomes.items()},
        "outcomes_done": draft.outcomes_done,
    }
    if held is None:
        db.session.add(GoalDraft(child_id=child.id, user_id=user.id, data=data))
    else:
        held.data, held.updated_at = data, utcnow()
    db.session.flush()


def discard(child: Child, user: User) -> None:
    """Forget the person's draft for the child."""
    db.session.execute(
        delete(GoalDraft).where(GoalDraft.child_id == child.id, GoalDraft.user_id == user.id)
    )


def add_idea(draft: Draft, sub_area: str, text: str, importance: int) -> Idea:
    """Add an idea, checked by the same rules as any goal."""
    if len(draft.ideas) >= MOST_IDEAS:
        raise goals.GoalError(
            gettext(
                "There are already %(most)s ideas. Choose the ones that matter most first.",
                most=MOST_IDEAS,
            ),
            "text",
        )
    if sub_area not in vocabulary.OCCUPATION_AREA_OF_SUB_AREA:
        raise goals.GoalError(
            gettext("Choose which everyday activity the goal is about"), "sub_area"
        )
    goals.check_goal_fields(
        text, vocabulary.OCCUPATION_AREA_OF_SUB_AREA[sub_area], sub_area, importance
    )
    idea = Idea(
        max((idea.key for idea in draft.ideas), default=0) + 1, sub_area, text.strip(), importance
    )
    draft.ideas.append(idea)
    draft.outcomes_done = False
    return idea


def remove_idea(draft: Draft, key: int) -> None:
    """Take an idea out, and out of the choice."""
    draft.ideas = [idea for idea in draft.ideas if idea.key != key]
    draft.chosen = [chosen for chosen in draft.chosen if chosen != key]
    draft.outcomes.pop(key, None)


def choose(draft: Draft, keys: list[int], places: int) -> None:
    """Choose the ideas that matter most, no more than the places left."""
    keys = [key for key in dict.fromkeys(keys) if draft.idea(key)]
    if not keys:
        raise goals.GoalError(gettext("Choose at least one goal to work on"), "chosen")
    if len(keys) > places:
        raise goals.GoalError(
            ngettext(
                "Choose %(num)d goal or fewer: that is how many more can be worked on at one time",
                "Choose %(num)d goals or fewer: that is how many more can be worked on at one time",
                places,
            ),
            "chosen",
        )
    if set(keys) != set(draft.chosen):
        draft.outcomes_done = False
    draft.chosen = keys
    draft.outcomes = {key: values for key, values in draft.outcomes.items() if key in keys}


def link_outcomes(draft: Draft, outcomes: dict[int, list[int]], known: set[int]) -> None:
    """Link each chosen idea to the area's outcomes (none is allowed)."""
    draft.outcomes = {
        key: [value for value in outcomes.get(key, []) if value in known] for key in draft.chosen
    }
    draft.outcomes_done = True


def save_goals(child: Child, draft: Draft, user: User, today: date) -> list:
    """Set every chosen goal, all or none, then forget the draft."""
    if not draft.chosen:
        raise goals.GoalError(gettext("Choose at least one goal to work on"), "chosen")
    if len(draft.chosen) > places_left(child):
        raise goals.GoalError(goals.limit_message(child), "chosen")
    saved = [
        goals.set_goal(
            child,
            text=idea.text,
            occupation_area=idea.occupation_area,
            sub_area=idea.sub_area,
            importance=idea.importance,
            set_on=today,
            set_by=user,
            outcome_ids=draft.outcomes.get(idea.key, []),
            today=today,
        )
        for idea in draft.chosen_ideas()
    ]
    discard(child, user)
    return saved
