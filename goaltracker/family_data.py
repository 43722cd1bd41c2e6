"""Everything held about a child, gathered for the family to download and read."""

from datetime import UTC, datetime

from sqlalchemy import select

from goaltracker import audit, consent, goals, vocabulary
from goaltracker.extensions import db
from goaltracker.models import Child, FamilyLink, User


def _date(value) -> str | None:
    """Return a date or timestamp as ISO 8601 text."""
    return value.isoformat() if value is not None else None


def everything_held(child: Child) -> dict:
    """Return the child's whole record: details, goals, ratings, notes, sharing and access."""
    family = db.session.execute(
        select(User.name, User.email, FamilyLink.relationship_to_child)
        .join(FamilyLink, FamilyLink.user_id == User.id)
        .where(FamilyLink.child_id == child.id)
        .order_by(User.name)
    ).all()
    progress = goals.child_summary(child)
    return {
        "prepared_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "child": {
            "reference": child.reference,
            "first_name": child.first_name,
            "last_name": child.last_name,
            "date_of_birth": _date(child.date_of_birth),
            "primary_need": child.primary_need,
            "primary_need_label": vocabulary.label(
                vocabulary.PRIMARY_NEED_LABELS, child.primary_need
            ),
            "ehc_plan": child.ehcp,
            "area": child.area.name,
            "lead_organisation": child.organisation.name,
            "key_worker": child.key_worker.name if child.key_worker else None,
        },
        "family_members": [
            {"name": name, "email": email, "relationship": relationship}
            for name, email, relationship in family
        ],
        "goals": [
            {
                "text": item.goal.text,
                "earlier_wording": [revision.text for revision in item.goal.revisions],
                "occupation_area": item.goal.occupation_area,
                "importance": item.goal.importance,
                "set_on": _date(item.goal.set_on),
                "status": item.goal.status,
                "closed_on": _date(item.goal.closed_on),
                "outcomes": [outcome.title for outcome in item.goal.outcomes],
                "ratings": [
                    {
                        "assessed_on": _date(rating.assessed_on),
                        "rater": rating.rater,
                        "performance": rating.performance,
                        "satisfaction": rating.satisfaction,
                        "note": rating.note,
                        "recorded_by": rating.recorded_by.name if rating.recorded_by else None,
                    }
                    for rating in item.ratings
                ],
            }
            for item in progress
        ],
        "notes": [
            {
                "written_at": _date(note.created_at),
                "by": note.author.name if note.author else None,
                "text": note.body,
            }
            for note in goals.notes(child)
        ],
        "sharing": [
            {
                "organisation": line.organisation.name,
                "can_see": line.can_see,
                "always": line.always,
                "decided_at": _date(line.decided_at),
                "decided_by": line.decided_by.name if line.decided_by else None,
            }
            for line in consent.sharing(child)
        ],
        "access_history": [
            {
                "when": _date(event.occurred_at),
                "who": event.user.name if event.user else None,
                "organisation": event.user.organisation.name
                if event.user and event.user.organisation
                else None,
                "what": audit.describe(event),
            }
            for event in audit.access_history(child, limit=100_000)
        ],
    }
