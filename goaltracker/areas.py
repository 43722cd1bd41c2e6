"""Areas, their organisations and their strategic outcomes framework."""

import re
from datetime import date

from flask_babel import gettext
from sqlalchemy import func, select

from goaltracker import audit
from goaltracker.extensions import db
from goaltracker.models import Area, Organisation, StrategicOutcome, utcnow
from goaltracker.reports import kept, protect

CODE_PATTERN = re.compile(r"[A-Z0-9_]{1,32}")  # whole codes only: fullmatch, no trailing newline


class AreaError(ValueError):
    """A request to set up an area that cannot be carried out; the message says why."""


def area_by_code(code: str) -> Area | None:
    """Return the area with this code."""
    return db.session.scalar(select(Area).where(Area.code == code))


def create_area(
    code: str,
    name: str,
    *,
    suppression_threshold: int = 5,
    review_interval_days: int = 84,
    max_active_goals: int = 5,
    important_change: float = 2.0,
) -> Area:
    """Create an area with its settings; codes are upper-case letters, digits and underscores."""
    if not CODE_PATTERN.fullmatch(code):
        raise AreaError("Area code must be 1 to 32 of A-Z, 0-9 and _")
    if area_by_code(code) is not None:
        raise AreaError(f"An area with code {code} already exists")
    check_threshold(suppression_threshold)
    if review_interval_days < 1:
        raise AreaError("Review interval must be 1 day or more")
    if max_active_goals < 1:
        raise AreaError("Most active goals must be 1 or more")
    if important_change <= 0:
        raise AreaError("Important change must be more than 0")
    area = Area(
        code=code,
        name=name.strip() or code,
        suppression_threshold=suppression_threshold,
        review_interval_days=review_interval_days,
        max_active_goals=max_active_goals,
        important_change=important_change,
    )
    db.session.add(area)
    db.session.flush()
    kept.start(db.session, area)
    audit.record("area_created", area_id=area.id, detail={"code": code, **settings_of(area)})
    return area


def settings_of(area: Area) -> dict:
    """Return an area's settings by name, as the audit trail records them."""
    return {
        "review_interval_days": area.review_interval_days,
        "suppression_threshold": area.suppression_threshold,
        "max_active_goals": area.max_active_goals,
        "important_change": float(area.important_change),
        "retention_basis": area.retention_basis,
        "retention_years": area.retention_years,
    }


def set_public_outcomes(area: Area, publish: bool) -> bool:
    """Publish the area's protected outcomes page, or stop; audited. Returns whether it changed."""
    if area.public_outcomes == publish:
        return False
    area.public_outcomes = publish
    audit.record(
        "public_outcomes_changed",
        area_id=area.id,
        detail={"before": not publish, "after": publish},
    )
    return True


def check_threshold(threshold: int) -> None:
    """Refuse a suppression threshold outside 5 to 50 (domain.md section 5)."""
    low, high = protect.MINIMUM_THRESHOLD, protect.MAXIMUM_THRESHOLD
    if not low <= threshold <= high:
        raise AreaError(
            gettext(
                "The suppression threshold must be between %(low)s and %(high)s",
                low=low,
                high=high,
            )
        )


def add_outcome(area: Area, code: str, title: str, description: str = "") -> StrategicOutcome:
    """Add a strategic outcome at the end of the area's framework."""
    if not CODE_PATTERN.fullmatch(code):
        raise AreaError(gettext("Outcome code must be 1 to 32 of A-Z, 0-9 and _"))
    exists = db.session.scalar(
        select(StrategicOutcome.id).where(
            StrategicOutcome.area_id == area.id, StrategicOutcome.code == code
        )
    )
    if exists is not None:
        raise AreaError(
            gettext(
                "Area %(area)s already has an outcome with code %(code)s",
                area=area.code,
                code=code,
            )
        )
    if not title.strip():
        raise AreaError(gettext("Outcome title must not be empty"))
    last = db.session.scalar(
        select(func.max(StrategicOutcome.position)).where(StrategicOutcome.area_id == area.id)
    )
    outcome = StrategicOutcome(
        area_id=area.id,
        code=code,
        title=title.strip(),
        description=description.strip(),
        position=(last or 0) + 1,
    )
    db.session.add(outcome)
    db.session.flush()
    audit.record(
        "outcome_added",
        area_id=area.id,
        detail={"code": outcome.code, "title": outcome.title, "description": outcome.description},
    )
    return outcome


def organisation_named(area: Area, name: str) -> Organisation | None:
    """Return the area's organisation with this name."""
    return db.session.scalar(
        select(Organisation).where(Organisation.area_id == area.id, Organisation.name == name)
    )


def organisation_called(area: Area, name: str) -> Organisation | None:
    """Return the area's organisation with this name, ignoring case and surrounding spaces."""
    return db.session.scalar(
        select(Organisation).where(
            Organisation.area_id == area.id,
            func.lower(Organisation.name) == " ".join(name.split()).lower(),
        )
    )


def add_organisation(area: Area, name: str, type_: str = "other") -> Organisation:
    """Add an organisation (agency) to the area."""
    organisation = Organisation(area_id=area.id, name=name.strip(), type=type_)
    db.session.add(organisation)
    db.session.flush()
    audit.record(
        "organisation_added",
        area_id=area.id,
        detail={"organisation": organisation.id, "name": organisation.name, "type": type_},
    )
    return organisation


def outcome_of_area(area_id: int, outcome_id: int) -> StrategicOutcome | None:
    """Return the area's outcome with this id."""
    outcome = db.session.get(StrategicOutcome, outcome_id)
    return outcome if outcome is not None and outcome.area_id == area_id else None


def edit_outcome(outcome: StrategicOutcome, title: str, description: str) -> None:
    """Change an outcome's title and description; its code stays, so history still matches."""
    if not title.strip():
        raise AreaError(gettext("Outcome title must not be empty"))
    before = {"title": outcome.title, "description": outcome.description}
    outcome.title = title.strip()
    outcome.description = description.strip()
    after = {"title": outcome.title, "description": outcome.description}
    if before != after:
        audit.record(
            "outcome_changed",
            area_id=outcome.area_id,
            detail={"code": outcome.code, "before": before, "after": after},
        )


def move_outcome(outcome: StrategicOutcome, direction: int) -> None:
    """Swap an outcome with its neighbour, up (-1) or down (+1), in the area's order."""
    ordered = list(
        db.session.scalars(
            select(StrategicOutcome)
            .where(StrategicOutcome.area_id == outcome.area_id)
            .order_by(StrategicOutcome.position, StrategicOutcome.code)
        )
    )
    index = ordered.index(outcome)
    other = index + direction
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    audit.record(
        "outcomes_reordered",
        area_id=outcome.area_id,
        detail={"order": [item.code for item in ordered]},
    )


def set_retired(outcome: StrategicOutcome, retired: bool) -> None:
    """Retire an outcome (new goals cannot choose it; reports keep it) or bring it back."""
    if (outcome.retired_at is not None) == retired:
        return
    outcome.retired_at = utcnow() if retired else None
    audit.record(
        "outcome_retired" if retired else "outcome_brought_back",
        area_id=outcome.area_id,
        detail={"code": outcome.code},
    )


def update_settings(
    area: Area,
    *,
    review_interval_days: int,
    suppression_threshold: int,
    max_active_goals: int,
    important_change: float,
    retention_basis: str | None = None,
    retention_years: int | None = None,
) -> bool:
    """Change an area's settings, within the same limits as creating it.

    The review interval and the important change decide what the report counts as reviewed on
    time and as improved, so changing either updates the kept aggregates in the same transaction
    (see kept.settings_changed): every report follows the new setting at once. Returns
    whether it did, that is whether past quarter ends are worked out again.
    """
    if review_interval_days < 1 or max_active_goals < 1:
        raise AreaError("Settings must be 1 or more")
    if important_change <= 0:
        raise AreaError("Important change must be more than 0")
    check_threshold(suppression_threshold)
    counted_differently = area.review_interval_days != review_interval_days or float(
        area.important_change
    ) != float(important_change)
    before = settings_of(area)
    area.review_interval_days = review_interval_days
    area.suppression_threshold = suppression_threshold
    area.max_active_goals = max_active_goals
    area.important_change = float(important_change)
    if retention_basis is not None:
        if retention_basis not in ("age_25", "last_activity"):
            raise AreaError("Choose how long records are kept")
        area.retention_basis = retention_basis
    if retention_years is not None:
        if not 1 <= retention_years <= 50:
            raise AreaError("Records are kept for 1 to 50 years")
        area.retention_years = retention_years
    after = settings_of(area)
    if before != after:
        audit.record(
            "area_settings_changed",
            area_id=area.id,
            detail={
                "before": {name: value for name, value in before.items() if after[name] != value},
                "after": {name: value for name, value in after.items() if before[name] != value},
            },
        )
    if counted_differently:
        db.session.flush()
        kept.settings_changed(db.session, area, date.today())
    return counted_differently
