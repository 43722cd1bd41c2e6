"""The young person taking over their own record, from their 16th birthday (domain.md 1).

Until they accept, nothing changes. Once they do, sharing decisions are theirs: each parent's or
carer's access continues only if they agree (asked one by one), and they are asked to confirm or
change each organisation's access.
"""

from datetime import date

from flask_babel import gettext
from sqlalchemy import select

from goaltracker import audit, policy
from goaltracker.extensions import db
from goaltracker.models import Child, FamilyLink, User, utcnow


class HandoverError(ValueError):
    """A handover that cannot happen; the message says why."""


def family_to_ask(child: Child) -> list[tuple[FamilyLink, User]]:
    """Return the parents and carers whose access the young person decides on."""
    return list(
        db.session.execute(
            select(FamilyLink, User)
            .join(User, User.id == FamilyLink.user_id)
            .where(
                FamilyLink.child_id == child.id,
                FamilyLink.relationship_to_child != "young_person",
            )
            .order_by(User.name)
        )
    )


def take_over(child: Child, young_person: User, keep: dict[int, bool], today: date) -> None:
    """Hand the record to the young person; keep the access of the parents they agree to.

    `keep` answers, for each parent or carer (by account id), whether they keep access; one
    not answered does not.
    """
    if child.handed_over_at is not None:
        raise HandoverError(gettext("The record has already been handed over"))
    if not policy.can_take_over(young_person, child, today):
        raise HandoverError(
            gettext("Only the young person, from their 16th birthday, can take over")
        )
    child.handed_over_at = utcnow()
    audit.record("handover_accepted", child=child, user=young_person)
    for link, member in family_to_ask(child):
        if keep.get(member.id):
            audit.record(
                "family_access_kept", child=child, user=young_person, detail={"member": member.name}
            )
        else:
            db.session.delete(link)
            audit.record(
                "family_member_removed",
                child=child,
                user=young_person,
                detail={
                    "member": member.name,
                    "reason": "The young person took over their record and did not share it",
                },
            )
    db.session.flush()
