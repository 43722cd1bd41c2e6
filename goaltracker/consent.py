"""The family's control of sharing: which organisations may see a child's goals."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select

from goaltracker import audit, mail
from goaltracker.extensions import db
from goaltracker.models import (
    Child,
    Consent,
    ConsentRequest,
    FamilyLink,
    Organisation,
    User,
    utcnow,
)


class ConsentError(ValueError):
    """A sharing decision that cannot be made; the message says why."""


@dataclass(frozen=True)
class SharingLine:
    """One organisation of the area and whether it can see the child's record."""

    organisation: Organisation
    can_see: bool
    always: bool  # the key worker's organisation always has access
    decided_at: datetime | None
    decided_by: User | None
    requested_by: User | None


def _organisation_in_area(child: Child, organisation_id: int) -> Organisation:
    """Return the organisation when it belongs to the child's area."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.area_id != child.area_id:
        raise ConsentError(gettext("Choose an organisation from the list"))
    return organisation


def sharing(child: Child) -> list[SharingLine]:
    """Return every organisation of the child's area with its access to the record."""
    consents = {
        consent.organisation_id: consent
        for consent in db.session.scalars(select(Consent).where(Consent.child_id == child.id))
    }
    requests = {
        request.organisation_id: request
        for request in db.session.scalars(
            select(ConsentRequest).where(
                ConsentRequest.child_id == child.id, ConsentRequest.answered_at.is_(None)
            )
        )
    }
    organisations = db.session.scalars(
        select(Organisation)
        .where(Organisation.area_id == child.area_id)
        .order_by(Organisation.name)
    )
    lines = []
    for organisation in organisations:
        consent = consents.get(organisation.id)
        request = requests.get(organisation.id)
        always = organisation.id == child.organisation_id
        lines.append(
            SharingLine(
                organisation=organisation,
                can_see=always or bool(consent and consent.granted),
                always=always,
                decided_at=consent.decided_at if consent else None,
                decided_by=consent.decided_by if consent else None,
                requested_by=request.requested_by if request else None,
            )
        )
    return lines


def organisations_that_can_see(child: Child) -> list[Organisation]:
    """Return the organisations whose practitioners can see the record now."""
    return [line.organisation for line in sharing(child) if line.can_see]


def decide(child: Child, organisation_id: int, granted: bool, decided_by: User) -> Consent:
    """Record the family's decision for one organisation; it takes effect at once."""
    organisation = _organisation_in_area(child, organisation_id)
    if organisation.id == child.organisation_id:
        raise ConsentError(
            gettext(
                "%(organisation)s is the key worker's organisation, which always has access",
                organisation=organisation.name,
            )
        )
    consent = db.session.scalar(
        select(Consent).where(
            Consent.child_id == child.id, Consent.organisation_id == organisation.id
        )
    )
    if consent is None:
        consent = Consent(child_id=child.id, organisation_id=organisation.id, granted=granted)
        db.session.add(consent)
    consent.granted = granted
    consent.decided_by_id = decided_by.id
    consent.decided_at = utcnow()
    for request in db.session.scalars(
        select(ConsentRequest).where(
            ConsentRequest.child_id == child.id,
            ConsentRequest.organisation_id == organisation.id,
            ConsentRequest.answered_at.is_(None),
        )
    ):
        request.answered_at = utcnow()
    audit.record(
        "consent_granted" if granted else "consent_withdrawn",
        child=child,
        user=decided_by,
        detail={"organisation_id": organisation.id, "organisation": organisation.name},
    )
    db.session.flush()
    return consent


def ask(child: Child, organisation_id: int, requested_by: User, sign_in_link: str) -> bool:
    """Ask the family to let an organisation see the record, by a message that names no one.

    The request is saved whether or not the email goes (the family also sees it when they sign
    in); returns whether every family member was emailed.
    """
    organisation = _organisation_in_area(child, organisation_id)
    if any(line.can_see for line in sharing(child) if line.organisation.id == organisation.id):
        raise ConsentError(
            gettext("%(organisation)s can already see the record", organisation=organisation.name)
        )
    db.session.add(
        ConsentRequest(
            child_id=child.id, organisation_id=organisation.id, requested_by_id=requested_by.id
        )
    )
    audit.record(
        "consent_requested",
        child=child,
        user=requested_by,
        detail={"organisation_id": organisation.id, "organisation": organisation.name},
    )
    family = db.session.scalars(
        select(User)
        .join(FamilyLink, FamilyLink.user_id == User.id)
        .where(FamilyLink.child_id == child.id)
    )
    emailed = True
    for member in family:
        emailed &= mail.send_or_log(
            member.email,
            gettext("Goal Tracker: a question about sharing"),
            gettext("Your key worker has asked you a question about who can see your goals.")
            + "\n\n"
            + gettext("Sign in to answer: %(link)s", link=sign_in_link)
            + "\n",
        )
    db.session.flush()
    return emailed
