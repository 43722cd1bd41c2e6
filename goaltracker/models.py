"""The data model of domain.md sections 1-3: areas, people, children, goals, ratings, audit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from goaltracker.extensions import db
from goaltracker.reports.columns import CELL, FULL_GRAIN, SUMS
from goaltracker.vocabulary import GOAL_TEXT_LONGEST


def new_record_key() -> int:
    """Return a new child's secret record key: a random whole number from 0 to 255."""
    return secrets.randbelow(256)


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Store aware timestamps converted to UTC."""
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        """Read timestamps back as aware UTC values."""
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Area(db.Model):
    """A local area with its strategic outcomes framework and settings."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    review_interval_days: Mapped[int] = mapped_column(Integer, default=84)
    suppression_threshold: Mapped[int] = mapped_column(Integer, default=5)
    max_active_goals: Mapped[int] = mapped_column(Integer, default=5)
    important_change: Mapped[float] = mapped_column(Float, default=2.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Whether the protected outcomes report is published on a public page for families.
    public_outcomes: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # How long records are kept: so many years after the young person's 25th birthday
    # ("age_25") or after the record's last activity ("last_activity").
    retention_basis: Mapped[str] = mapped_column(
        String(20), default="age_25", server_default="age_25"
    )
    retention_years: Mapped[int] = mapped_column(Integer, default=6, server_default="6")

    organisations: Mapped[list[Organisation]] = relationship(
        back_populates="area", order_by="Organisation.name"
    )
    outcomes: Mapped[list[StrategicOutcome]] = relationship(
        back_populates="area", order_by="StrategicOutcome.position"
    )

    __table_args__ = (
        CheckConstraint("review_interval_days > 0", name="review_interval_positive"),
        CheckConstraint(
            "suppression_threshold BETWEEN 5 AND 50", name="suppression_threshold_range"
        ),
        CheckConstraint("max_active_goals >= 1", name="max_active_goals_positive"),
        CheckConstraint("important_change > 0", name="important_change_positive"),
        CheckConstraint(
            "retention_basis IN ('age_25', 'last_activity')", name="retention_basis_known"
        ),
        CheckConstraint("retention_years BETWEEN 1 AND 50", name="retention_years_range"),
    )


class Organisation(db.Model):
    """An agency of an area: education, health, social care, voluntary or other."""

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20), default="other")

    area: Mapped[Area] = relationship(back_populates="organisations")

    __table_args__ = (UniqueConstraint("area_id", "name"),)


class User(UserMixin, db.Model):
    """Someone who signs in: a family member, practitioner, manager or administrator."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_reminders: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The time step of the last code accepted, so that no code works twice.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Staff who sign in through their organisation's single sign-on may have no local password.
    password_sign_in: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivation_reason: Mapped[str | None] = mapped_column(Text)

    area: Mapped[Area | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    family_links: Mapped[list[FamilyLink]] = relationship(back_populates="user")

    __table_args__ = (
        CheckConstraint(
            "role IN ('family', 'practitioner', 'manager', 'admin')", name="role_known"
        ),
    )

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot sign in."""
        return self.active

    def children_query(self):
        """Return a query of the children this family member is linked to."""
        return (
            select(Child)
            .join(FamilyLink, FamilyLink.child_id == Child.id)
            .where(FamilyLink.user_id == self.id, Child.erased_at.is_(None))
            .options(joinedload(Child.area))
            .order_by(Child.first_name)
        )


class Child(db.Model):
    """A child or young person aged 0-25 with a key worker and cohort attributes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    reference: Mapped[str] = mapped_column(String(64))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    # The current values; reports as at a date read `details`. Empty once the record is erased.
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    primary_need: Mapped[str | None] = mapped_column(String(8))
    ehcp: Mapped[bool | None] = mapped_column(Boolean, default=False)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    key_worker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A secret random number 0-255, drawn once: never shown, exported or changed (domain.md 5).
    record_key: Mapped[int] = mapped_column(Integer, default=new_record_key)
    # When the young person took over their own record (from 16), and so decides sharing.
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    area: Mapped[Area] = relationship()
    organisation: Mapped[Organisation] = relationship()
    key_worker: Mapped[User | None] = relationship()
    goals: Mapped[list[Goal]] = relationship(back_populates="child", order_by="Goal.id")
    family_links: Mapped[list[FamilyLink]] = relationship(back_populates="child")
    consents: Mapped[list[Consent]] = relationship(back_populates="child")
    details: Mapped[list[ChildDetail]] = relationship(
        back_populates="child", order_by="ChildDetail.effective_from"
    )

    __table_args__ = (
        UniqueConstraint("area_id", "reference"),
        Index("ix_child_key_worker_id", "key_worker_id"),
        Index("ix_child_organisation_id", "organisation_id"),
        CheckConstraint("record_key BETWEEN 0 AND 255", name="record_key_range"),
    )

    @property
    def display_name(self) -> str:
        """Return the name people see, or the reference when no name is held."""
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.reference


class ChildDetail(db.Model):
    """A child's primary need and EHC plan from a date on (domain.md 1).

    Each value is kept with the date it took effect, so a report as at a date uses the values
    in force on that date.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    primary_need: Mapped[str] = mapped_column(String(8))
    ehcp: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    child: Mapped[Child] = relationship(back_populates="details")

    __table_args__ = (UniqueConstraint("child_id", "effective_from"),)


class ErasedReference(db.Model):
    """A keyed hash of an erased child's reference, so an import cannot bring them back.

    The reference itself is never kept: only an HMAC of it with a key the database does not hold.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    reference_hash: Mapped[str] = mapped_column(String(64))
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("area_id", "reference_hash"),)


class KeyWorkerRequest(db.Model):
    """A request that the family agree to a key worker in an organisation they stopped."""

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    key_worker_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted: Mapped[bool | None] = mapped_column(Boolean)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    child: Mapped[Child] = relationship()
    key_worker: Mapped[User] = relationship(foreign_keys=[key_worker_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])


class FamilyLink(db.Model):
    """A family member's link to a child: a parent or carer, or the young person themselves."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), primary_key=True, index=True)
    relationship_to_child: Mapped[str] = mapped_column(String(20), default="parent_carer")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="family_links")
    child: Mapped[Child] = relationship(back_populates="family_links")


class Consent(db.Model):
    """A family's current decision to let one organisation's practitioners see a child's goals."""

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    granted: Mapped[bool] = mapped_column(Boolean)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    child: Mapped[Child] = relationship(back_populates="consents")
    organisation: Mapped[Organisation] = relationship()
    decided_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("child_id", "organisation_id"),)


class ConsentRequest(db.Model):
    """A practitioner's request that the family lets another organisation see the record."""

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    requested_by: Mapped[User | None] = relationship()


goal_outcome = Table(
    "goal_outcome",
    db.metadata,
    Column("goal_id", ForeignKey("goal.id"), primary_key=True),
    Column("outcome_id", ForeignKey("strategic_outcome.id"), primary_key=True, index=True),
)


class StrategicOutcome(db.Model):
    """One of an area's strategic outcomes that goals contribute to."""

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    area: Mapped[Area] = relationship(back_populates="outcomes")

    __table_args__ = (UniqueConstraint("area_id", "code"),)


class Goal(db.Model):
    """Something the child or family wants to do, in their own words."""

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"))
    reference: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(GOAL_TEXT_LONGEST))
    occupation_area: Mapped[str] = mapped_column(String(20))
    sub_area: Mapped[str | None] = mapped_column(String(40))
    importance: Mapped[int] = mapped_column(Integer)
    set_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="active")
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    child: Mapped[Child] = relationship(back_populates="goals")
    outcomes: Mapped[list[StrategicOutcome]] = relationship(
        secondary=goal_outcome, order_by="StrategicOutcome.position"
    )
    ratings: Mapped[list[Rating]] = relationship(
        back_populates="goal", order_by="[Rating.assessed_on, Rating.rater]"
    )
    revisions: Mapped[list[GoalRevision]] = relationship(
        back_populates="goal", order_by="GoalRevision.changed_at"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("child_id", "reference"),
        Index("ix_goal_child_id_status", "child_id", "status"),
        CheckConstraint("importance BETWEEN 1 AND 10", name="importance_range"),
        CheckConstraint("status IN ('active', 'achieved', 'stopped')", name="status_known"),
        CheckConstraint(
            "occupation_area IN ('self_care', 'productivity', 'leisure')",
            name="occupation_area_known",
        ),
    )


class GoalRevision(db.Model):
    """An earlier wording of a goal, kept when the wording changes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id"), index=True)
    text: Mapped[str] = mapped_column(String(GOAL_TEXT_LONGEST))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="revisions")
    changed_by: Mapped[User | None] = relationship()


class Rating(db.Model):
    """One rater's view of one goal on one day: performance and satisfaction, 1-10."""

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id"))
    rater: Mapped[str] = mapped_column(String(20))
    assessed_on: Mapped[date] = mapped_column(Date)
    performance: Mapped[int] = mapped_column(Integer)
    satisfaction: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="ratings")
    recorded_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("goal_id", "rater", "assessed_on"),
        CheckConstraint("performance BETWEEN 1 AND 10", name="performance_range"),
        CheckConstraint("satisfaction BETWEEN 1 AND 10", name="satisfaction_range"),
        CheckConstraint("rater IN ('child', 'parent_carer')", name="rater_known"),
    )


class Note(db.Model):
    """A note on a child's record, such as a family's news between meetings."""

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()
    goal: Mapped[Goal | None] = relationship()


def hash_token(token: str) -> str:
    """Return the stored form of a link's token or a recovery code: only its hash is kept.

    The tokens are random and long, so a fast hash is enough: nothing can be guessed from it.
    """
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(db.Model):
    """A single-use, expiring link: a family member to a child's record, or a new member of staff.

    The link never sets the password of an account that already has one: its owner signs in
    with their own password and accepts.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default="family", server_default="family")
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"), index=True)
    relationship_to_child: Mapped[str] = mapped_column(String(20), default="parent_carer")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # A staff invitation's role, area and organisation; the account is made when it is sent.
    role: Mapped[str | None] = mapped_column(String(20))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))

    child: Mapped[Child | None] = relationship()

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    __table_args__ = (
        CheckConstraint("kind IN ('family', 'staff')", name="kind_known"),
        CheckConstraint("kind = 'staff' OR child_id IS NOT NULL", name="family_needs_child"),
    )

    hash_token = staticmethod(hash_token)


class ApiToken(db.Model):
    """A key an administrator issues for another system to read from the API, for a named
    purpose with scopes; shown once, kept only as a hash, expiring and revocable."""

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # Space-separated, among api.tokens.SCOPES.
    scopes: Mapped[str] = mapped_column(String(100))
    # records:read is for one organisation's children.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the key, so that people can tell their keys apart.
    hint: Mapped[str] = mapped_column(String(12))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    area: Mapped[Area] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    hash_token = staticmethod(hash_token)

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class UserSession(db.Model):
    """A signed-in session, kept on the server: it works only while its record is open."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_because: Mapped[str | None] = mapped_column(String(30))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    # How the person signed in: "password" or "single_sign_on".
    method: Mapped[str] = mapped_column(String(20), default="password")

    user: Mapped[User] = relationship()


class PasswordReset(db.Model):
    """A single-use link, valid for an hour, to set a new password after forgetting it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SavedForm(db.Model):
    """What someone sent after their session timed out, kept for them for a short time.

    Once they have signed in again, the same page's form is shown filled with it. Passwords and
    codes are never kept.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    path: Mapped[str] = mapped_column(String(500))
    data: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GoalDraft(db.Model):
    """Goals being set with a family, not saved yet: the ideas written, the ones chosen and
    their outcomes. One per child and person; removed when the goals are saved or discarded,
    when the record is erased, and after a week."""

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    data: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("child_id", "user_id"),)


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator app; only its hash is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEvent(db.Model):
    """An append-only record of who saw or changed what, when and from where."""

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("child.id"))
    action: Mapped[str] = mapped_column(String(50))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User | None] = relationship()
    child: Mapped[Child | None] = relationship()

    __table_args__ = (Index("ix_audit_event_child_id_occurred_at", "child_id", "occurred_at"),)


class _KeptCell:
    """What both kept tables hold per row: the area, the cell (reports.columns.CELL) at its
    grain, and a column for each of the report's sums (reports.columns.SUMS)."""

    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    rater: Mapped[str] = mapped_column(String(20))
    outcome_id: Mapped[int] = mapped_column(Integer)
    organisation_id: Mapped[int] = mapped_column(Integer)
    age_band: Mapped[str] = mapped_column(String(8))
    primary_need: Mapped[str] = mapped_column(String(8))
    ehcp: Mapped[str] = mapped_column(String(3))
    # Which of reports.columns.GRAINS the cell is at (the dimensions it leaves out hold "").
    grain: Mapped[int] = mapped_column(SmallInteger, default=FULL_GRAIN, server_default="5")


for _name in SUMS:
    setattr(_KeptCell, _name, mapped_column(Integer, default=0, nullable=False))
_KeptCell.record_keys = mapped_column(Integer, default=0, server_default="0", nullable=False)


class AggregateSnapshot(db.Model):
    """A report date (today or a month end) whose figures are kept in outcome_aggregate."""

    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True)
    as_at: Mapped[date] = mapped_column(Date, primary_key=True)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutcomeAggregate(_KeptCell, db.Model):
    """The outcomes report's counts and sums for one cell of area, date, outcome and cohort.

    Cells partition children by organisation, age band, primary need and EHC plan, so a report
    with any filters and breakdown is a sum over a bounded number of cells, whatever the number
    of children. Rater "any" counts each goal once; "child" and "parent_carer" count the goals
    that rater rated, with that rater's ratings, as the rater filter and breakdown do.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    as_at: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("area_id", "as_at", *CELL, name="uq_outcome_aggregate_cell"),
        Index("ix_outcome_aggregate_area_grain_as_at", "area_id", "grain", "as_at"),
    )


class OutcomeChange(_KeptCell, db.Model):
    """How the sums of one cell change on one day: the report as at D is the kept figures of
    the latest kept date before D plus the changes after it, up to D (see reports.kept)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("area_id", "day", *CELL, name="uq_outcome_change_cell"),
        Index("ix_outcome_change_area_grain_day", "area_id", "grain", "day"),
    )


class OutcomeJournal(_KeptCell, db.Model):
    """What one write of a child's record changed in the full-grain cells on one day, not yet
    added into outcome_aggregate and outcome_change: reports add it in when they read them, and
    `reports.kept.fold` moves it into them (see reports.kept)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)

    # An area's first and last rows, and all of them, are a step down this index.
    __table_args__ = (Index("ix_outcome_journal_area_id", "area_id", "id"),)


class KeptChanges(db.Model):
    """An area whose dated changes (outcome_change) are complete and kept up to date."""

    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
