"""Children's records: adding children, the caseload, and family links."""

import secrets
from datetime import date

from sqlalchemy import or_, select

from goaltracker import audit
from goaltracker.extensions import db
from goaltracker.models import Child, Consent, User


def new_reference() -> str:
    """Return a short reference for a child added without one."""
    return "C-" + secrets.token_hex(4).upper()


def add_child(
    key_worker: User,
    *,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    primary_need: str,
    ehcp: bool,
    reference: str | None = None,
) -> Child:
    """Add a child to the key worker's caseload, in the key worker's area and organisation."""
    child = Child(
        area_id=key_worker.area_id,
        organisation_id=key_worker.organisation_id,
        key_worker_id=key_worker.id,
        reference=(reference or "").strip() or new_reference(),
        first_name=first_name.strip(),
        last_name=(last_name or "").strip(),
        date_of_birth=date_of_birth,
        primary_need=primary_need,
        ehcp=ehcp,
    )
    db.session.add(child)
    db.session.flush()
    audit.record("child_added", child=child, user=key_worker)
    return child


def reference_taken(area_id: int, reference: str) -> bool:
    """Return whether another child of the area already has this reference."""
    return (
        db.session.scalar(
            select(Child.id).where(Child.area_id == area_id, Child.reference == reference.strip())
        )
        is not None
    )


def caseload_query(practitioner: User):
    """Return a query of the children a practitioner may see: key-worked, own agency, consented."""
    consented = select(Consent.child_id).where(
        Consent.organisation_id == practitioner.organisation_id, Consent.granted.is_(True)
    )
    return (
        select(Child)
        .where(
            Child.area_id == practitioner.area_id,
            Child.erased_at.is_(None),
            or_(
                Child.key_worker_id == practitioner.id,
                Child.organisation_id == practitioner.organisation_id,
                Child.id.in_(consented),
            ),
        )
        .order_by(Child.first_name, Child.last_name, Child.id)
    )
