"""Everything held about a child, gathered for the family to download and read.

The data keeps the service's codes (for machines) beside their labels (for people); the page
made from it says dates in words, times in Europe/London, and labels rather than codes. The
child's secret record key is never in it.
"""

from datetime import UTC, datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from goaltracker import audit, child_details, consent, goals, records, vocabulary
from goaltracker.extensions import db
from goaltracker.models import AuditEvent, Child, ConsentRequest, Goal, Invitation, User
from goaltracker.templating import local_time


def _date(value) -> str | None:
    """Return a date or timestamp as ISO 8601 text (timestamps in Europe/London time)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return local_time(value).isoformat(timespec="seconds")
    return value.isoformat()


def _replaced_scores(child: Child) -> list[dict]:
    """Return every score that was corrected, with what it was and what replaced it."""
    goal_words = dict(
        db.session.execute(select(Goal.id, Goal.text).where(Goal.child_id == child.id)).all()
    )
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.child_id == child.id, AuditEvent.action == "rating_corrected")
        .options(joinedload(AuditEvent.user))
        .order_by(AuditEvent.occurred_at)
    )
    replaced = []
    for event in events:
        detail = event.detail or {}
        replaced.append(
            {
                "goal": goal_words.get(detail.get("goal_id"), gettext("a goal")),
                "rater": detail.get("rater"),
                "rater_label": vocabulary.label(vocabulary.RATER_LABELS, detail.get("rater")),
                "assessed_on": detail.get("assessed_on"),
                "before": detail.get("before"),
                "after": detail.get("after"),
                "replaced_at": _date(event.occurred_at),
                "replaced_by": event.user.name if event.user else None,
            }
        )
    return replaced


def everything_held(child: Child) -> dict:
    """Return the child's whole record: details, goals, ratings, notes, sharing and access."""
    progress = goals.child_summary(child)
    requests = db.session.scalars(
        select(ConsentRequest)
        .where(ConsentRequest.child_id == child.id)
        .options(joinedload(ConsentRequest.organisation), joinedload(ConsentRequest.requested_by))
        .order_by(ConsentRequest.requested_at)
    )
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.child_id == child.id).order_by(Invitation.created_at)
    )
    inviters = {
        user.id: user.name
        for user in db.session.scalars(
            select(User)
            .join(Invitation, Invitation.created_by_id == User.id)
            .where(Invitation.child_id == child.id)
        )
    }
    return {
        "prepared_at": _date(datetime.now(UTC)),
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
            "took_over_own_record_at": _date(child.handed_over_at),
        },
        "details_over_time": [
            {
                "from": _date(entry.effective_from),
                "primary_need": entry.primary_need,
                "primary_need_label": vocabulary.label(
                    vocabulary.PRIMARY_NEED_LABELS, entry.primary_need
                ),
                "ehc_plan": entry.ehcp,
            }
            for entry in child_details.history(child)
        ],
        "family_members": [
            {
                "name": member.name,
                "email": member.email,
                "relationship": member.relationship,
                "relationship_label": vocabulary.label(
                    vocabulary.RELATIONSHIP_LABELS, member.relationship
                ),
                "since": _date(member.since),
                "invited_not_joined": member.invited,
            }
            for member in records.family_members(child)
        ],
        "invitations": [
            {
                "name": invitation.name,
                "email": invitation.email,
                "relationship_label": vocabulary.label(
                    vocabulary.RELATIONSHIP_LABELS, invitation.relationship_to_child
                ),
                "sent_at": _date(invitation.created_at),
                "sent_by": inviters.get(invitation.created_by_id),
                "accepted_at": _date(invitation.accepted_at),
                "expires_at": _date(invitation.expires_at),
            }
            for invitation in invitations
        ],
        "goals": [
            {
                "text": item.goal.text,
                "earlier_wording": [revision.text for revision in item.goal.revisions],
                "occupation_area": item.goal.occupation_area,
                "occupation_area_label": vocabulary.label(
                    vocabulary.OCCUPATION_AREA_LABELS, item.goal.occupation_area
                ),
                "importance": item.goal.importance,
                "set_on": _date(item.goal.set_on),
                "status": item.goal.status,
                "status_label": vocabulary.label(vocabulary.GOAL_STATUS_LABELS, item.goal.status),
                "closed_on": _date(item.goal.closed_on),
                "outcomes": [outcome.title for outcome in item.goal.outcomes],
                "ratings": [
                    {
                        "assessed_on": _date(rating.assessed_on),
                        "rater": rating.rater,
                        "rater_label": vocabulary.label(vocabulary.RATER_LABELS, rating.rater),
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
        "replaced_scores": _replaced_scores(child),
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
        "sharing_requests": [
            {
                "organisation": request.organisation.name,
                "asked_by": request.requested_by.name if request.requested_by else None,
                "asked_at": _date(request.requested_at),
                "answered_at": _date(request.answered_at),
            }
            for request in requests
        ],
        "key_worker_requests": [
            {
                "key_worker": request.key_worker.name,
                "organisation": request.key_worker.organisation.name
                if request.key_worker.organisation
                else None,
                "asked_at": _date(request.requested_at),
                "answered_at": _date(request.answered_at),
                "agreed": request.accepted,
            }
            for request in records.all_key_worker_requests(child)
        ],
        "access_history": [
            {
                "when": _date(event.occurred_at),
                "who": event.user.name if event.user else None,
                "organisation": event.user.organisation.name
                if event.user and event.user.organisation
                else None,
                "what": audit.describe(event),
                "from_address": event.ip_address,
            }
            for event in audit.access_history(child, limit=100_000)
        ],
    }
