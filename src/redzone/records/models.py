"""The domain model: every concept of the brief as a mapped table (SQLAlchemy 2 ORM).

Sealed values (a person's identity, a testimony's text, an evidence file's original name,
a TOTP secret) are stored only as AES-GCM ciphertext (`*_sealed` columns, see
security/keys.py) on every backend; reading them goes through `records.identity`, which
checks the policy and writes the audit entry. Gazetteer places and vocabulary codes are
data files (`redzone.vocab`), referenced here by their stable ids. The linkage tables live in
`records.linkage` and are re-exported here, so every table is importable from this module.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from redzone.records.base import Base, Timestamp, utcnow  # noqa: F401 — re-exported
from redzone.records.linkage import (IncidentCluster, IncidentPair, LinkDecision, LinkPair,  # noqa: F401
                                     LinkRun, PersonCluster)


class Organisation(Base):
    """A documentation organisation; the list it holds is one "system" for estimation."""

    __tablename__ = "organisation"
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(40), default="ngo")


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200), default="")
    role: Mapped[str] = mapped_column(sa.String(40))
    organisation_id: Mapped[str | None] = mapped_column(sa.ForeignKey("organisation.id"))
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    totp_secret_sealed: Mapped[bytes | None]
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class AccessGrant(Base):
    """An explicit grant letting one user see one person's sealed identity."""

    __tablename__ = "access_grant"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    granted_by: Mapped[str] = mapped_column(sa.String(80))
    granted_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    __table_args__ = (sa.UniqueConstraint("user_id", "person_id"),)


class Source(Base):
    """An interview, statement, report, article or document; graded on the Admiralty scale."""

    __tablename__ = "source"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    organisation_id: Mapped[str | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    date: Mapped[dt.date | None]
    reliability: Mapped[str] = mapped_column(sa.String(1), default="F")
    credibility: Mapped[int] = mapped_column(default=6)
    text_sealed: Mapped[bytes | None]
    text_digest: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    interviewee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    consent_scopes: Mapped[list[str]] = mapped_column(default=list)
    consent_recorded_at: Mapped[dt.date | None]
    consent_withdrawn_at: Mapped[dt.date | None]
    created_by: Mapped[str] = mapped_column(sa.String(80), default="system")
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    revision: Mapped[int] = mapped_column(server_default="0", server_onupdate=sa.FetchedValue())
    __table_args__ = (
        sa.CheckConstraint("reliability IN ('A','B','C','D','E','F')", name="reliability"),
        sa.CheckConstraint("credibility BETWEEN 1 AND 6", name="credibility"),
    )

    attestations: Mapped[list[Attestation]] = relationship(back_populates="source")


class Person(Base):
    """A victim, witness or perpetrator as recorded by one organisation, known by a pseudonymous code."""

    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    organisation_id: Mapped[str | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    person_role: Mapped[str] = mapped_column(sa.String(20), default="victim")
    sex: Mapped[str] = mapped_column(sa.String(10), default="unknown")
    birth_year_min: Mapped[int | None]
    birth_year_max: Mapped[int | None]
    origin_place_id: Mapped[str | None] = mapped_column(sa.String(120))
    crossing_year: Mapped[int | None]
    identity_sealed: Mapped[bytes | None]
    created_by: Mapped[str] = mapped_column(sa.String(80), default="system")
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    # Counted up by a trigger on each update of the record's content (migration 0010), as on sources,
    # events, groups and acts: a re-import compares it with the revision its last import left.
    revision: Mapped[int] = mapped_column(server_default="0", server_onupdate=sa.FetchedValue())

    acts: Mapped[list[Act]] = relationship(back_populates="victim", foreign_keys="Act.victim_id")
    participations: Mapped[list[Participation]] = relationship(back_populates="person", order_by="Participation.sequence")


class Group(Base):
    """A perpetrator organisation or unit: broker network, border post, PSB office, detention facility."""

    __tablename__ = "perpetrator_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(40))
    place_id: Mapped[str | None] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    revision: Mapped[int] = mapped_column(server_default="0", server_onupdate=sa.FetchedValue())


class Event(Base):
    """Something that happened at a place and time; the date carries its precision."""

    __tablename__ = "event"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    place_id: Mapped[str | None] = mapped_column(sa.String(120))
    # Derived from place_id through the gazetteer when written, so statistics need no join to data files.
    province_id: Mapped[str | None] = mapped_column(sa.String(120), index=True)
    date_start: Mapped[dt.date | None]
    date_end: Mapped[dt.date | None]
    date_precision: Mapped[str] = mapped_column(sa.String(10), default="unknown")
    year: Mapped[int | None] = mapped_column(index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    revision: Mapped[int] = mapped_column(server_default="0", server_onupdate=sa.FetchedValue())
    __table_args__ = (
        sa.CheckConstraint("date_precision IN ('day','month','year','range','unknown')", name="date_precision"),
    )

    # Deleting an event deletes them (ON DELETE CASCADE; passive, so the ORM leaves it to the database).
    attestations: Mapped[list[EventAttestation]] = relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True, order_by="EventAttestation.id")

    def date_text(self, range_separator: str = "–") -> str | None:
        """The date at its recorded precision: 2016-05-03, 2016-05, 2016, 2015-03-01–2016-06-30."""
        if self.date_start is None or self.date_precision == "unknown":
            return None
        if self.date_precision == "month":
            return self.date_start.strftime("%Y-%m")
        if self.date_precision == "year":
            return str(self.date_start.year)
        if self.date_precision == "range" and self.date_end:
            return f"{self.date_start.isoformat()}{range_separator}{self.date_end.isoformat()}"
        return self.date_start.isoformat()


class Participation(Base):
    """One step of a person's journey: the events they went through, in order."""

    __tablename__ = "participation"
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    sequence: Mapped[int] = mapped_column(default=0)

    person: Mapped[Person] = relationship(back_populates="participations")
    event: Mapped[Event] = relationship()


class Act(Base):
    """A violation: who did what to whom, in which event, with its details."""

    __tablename__ = "act"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    victim_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    violation: Mapped[str] = mapped_column(sa.String(60), index=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event.id"), index=True)
    # Copies of the event's province and year, kept by database triggers (migration 0006) so that
    # statistics count acts by province or year from one index, without a join.
    province_id: Mapped[str | None] = mapped_column(sa.String(120), index=True, server_default=sa.FetchedValue(),
                                                    server_onupdate=sa.FetchedValue())
    year: Mapped[int | None] = mapped_column(index=True, server_default=sa.FetchedValue(),
                                             server_onupdate=sa.FetchedValue())
    price_amount: Mapped[float | None] = mapped_column(sa.Numeric(18, 2, asdecimal=False))
    price_currency: Mapped[str | None] = mapped_column(sa.String(3))
    duration_days: Mapped[int | None]
    victim_count: Mapped[int | None]
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by: Mapped[str] = mapped_column(sa.String(80), default="system")
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    revision: Mapped[int] = mapped_column(server_default="0", server_onupdate=sa.FetchedValue())

    victim: Mapped[Person | None] = relationship(back_populates="acts", foreign_keys=[victim_id])
    event: Mapped[Event | None] = relationship()
    perpetrators: Mapped[list[ActPerpetrator]] = relationship(back_populates="act", cascade="all, delete-orphan")
    attestations: Mapped[list[Attestation]] = relationship(back_populates="act", cascade="all, delete-orphan")


class ActPerpetrator(Base):
    """A perpetrator of an act in a role: a group, an individual, or just the role when unknown."""

    __tablename__ = "act_perpetrator"
    __table_args__ = (sa.Index("ix_act_perpetrator_role_act", "role", "act_id"),)  # counts by role from the index
    id: Mapped[int] = mapped_column(primary_key=True)
    act_id: Mapped[int] = mapped_column(sa.ForeignKey("act.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(40), index=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("perpetrator_group.id"))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))

    act: Mapped[Act] = relationship(back_populates="perpetrators")
    group: Mapped[Group | None] = relationship()


class Attestation(Base):
    """A source attesting an act, with the character span of the quoted passage in its text."""

    __tablename__ = "attestation"
    id: Mapped[int] = mapped_column(primary_key=True)
    act_id: Mapped[int] = mapped_column(sa.ForeignKey("act.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(sa.ForeignKey("source.id"), index=True)
    span_start: Mapped[int | None]
    span_end: Mapped[int | None]
    __table_args__ = (
        sa.UniqueConstraint("act_id", "source_id", "span_start", "span_end", name="span"),
        sa.CheckConstraint("span_start IS NULL OR (span_start >= 0 AND span_end > span_start)", name="span"),
    )

    act: Mapped[Act] = relationship(back_populates="attestations")
    source: Mapped[Source] = relationship(back_populates="attestations")


class EventAttestation(Base):
    """A source attesting an event of its own (a journey step told in a testimony, a place or date
    accepted from a text), with the character span of the quoted passage when there is one. An act's
    event is attested through the act's attestations as well."""

    __tablename__ = "event_attestation"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(sa.ForeignKey("source.id"), index=True)
    span_start: Mapped[int | None]
    span_end: Mapped[int | None]
    __table_args__ = (
        sa.UniqueConstraint("event_id", "source_id", "span_start", "span_end"),
        sa.CheckConstraint("span_start IS NULL OR (span_start >= 0 AND span_end > span_start)", name="span"),
    )

    event: Mapped[Event] = relationship(back_populates="attestations")
    source: Mapped[Source] = relationship()


class Claim(Base):
    """A figure asserted by a source ("up to 500,000 at risk"), kept to compare with others."""

    __tablename__ = "claim"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    source_id: Mapped[int] = mapped_column(sa.ForeignKey("source.id"), index=True)
    measure: Mapped[str] = mapped_column(sa.String(120), index=True)
    value: Mapped[float]
    value_max: Mapped[float | None]
    qualifier: Mapped[str] = mapped_column(sa.String(20), default="exact")
    unit: Mapped[str] = mapped_column(sa.String(40), default="persons")
    scope: Mapped[str] = mapped_column(sa.String(200), default="")
    year: Mapped[int | None]
    span_start: Mapped[int | None]
    span_end: Mapped[int | None]


class Evidence(Base):
    """A file stored encrypted in the workspace, with its digest and acquisition facts."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    source_id: Mapped[int | None] = mapped_column(sa.ForeignKey("source.id"), index=True)
    filename_sealed: Mapped[bytes | None]
    media_type: Mapped[str] = mapped_column(sa.String(100), default="application/octet-stream")
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    acquired_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    acquired_by: Mapped[str] = mapped_column(sa.String(80), default="")
    acquisition_method: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)

    custody: Mapped[list[CustodyEntry]] = relationship(back_populates="evidence", order_by="CustodyEntry.id")


class CustodyEntry(Base):
    """One hand an evidence file passed through, or one use of it."""

    __tablename__ = "custody_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(80))
    action: Mapped[str] = mapped_column(sa.String(40))
    holder: Mapped[str] = mapped_column(sa.String(200), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    sha256: Mapped[str | None] = mapped_column(sa.String(64))

    evidence: Mapped[Evidence] = relationship(back_populates="custody")


class AuditEntry(Base):
    """An append-only, hash-chained record of a write or of a read of sealed data (never the value)."""

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(Timestamp)
    actor: Mapped[str] = mapped_column(sa.String(80), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))
    record_type: Mapped[str] = mapped_column(sa.String(40), default="")
    record_id: Mapped[str] = mapped_column(sa.String(60), default="", index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    previous_hash: Mapped[str] = mapped_column(sa.String(64))
    entry_hash: Mapped[str] = mapped_column(sa.String(64))


class ExternalRef(Base):
    """A record's id in the system that issued an imported file: the same ref finds the same record again."""

    __tablename__ = "external_ref"
    id: Mapped[int] = mapped_column(primary_key=True)
    # The organisation whose system issued the ref; '' when the import named none (no foreign key for that reason).
    organisation_id: Mapped[str] = mapped_column(sa.String(64), default="")
    record_type: Mapped[str] = mapped_column(sa.String(20))
    ref: Mapped[str] = mapped_column(sa.String(200))
    record_id: Mapped[int]
    # Keyed digest (KeyRing.digest) of the row last imported: equal digest = nothing to update.
    row_digest: Mapped[str] = mapped_column(sa.String(64))
    imported_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    # The record's revision when this import last wrote it, and the audit chain's last entry then: a later
    # revision, or a later audited write naming the record, is a change made since (see exchange.writer).
    record_revision: Mapped[int] = mapped_column(server_default="0")
    audit_mark: Mapped[int] = mapped_column(server_default="0")
    __table_args__ = (sa.UniqueConstraint("organisation_id", "record_type", "ref"),)


class WorkspaceMeta(Base):
    """Facts about the workspace itself: schema purpose, vocabulary version, demo truth summary."""

    __tablename__ = "workspace_meta"
    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DemoTruth(Base):
    """Synthetic demo only: which true (simulated) individual each person record describes."""

    __tablename__ = "demo_truth"
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    true_id: Mapped[int] = mapped_column(index=True)


# --- search index ---


class SearchDocument(Base):
    """The search terms of one part of one record: 'meta' (code, title, analysable fields) or
    'text' (a testimony's text, shown only to roles that may read it). On SQLite the terms are the
    normalised tokens, indexed by FTS5 inside the encrypted file; on PostgreSQL they are keyed
    digests of those tokens, so the server never holds searchable plaintext (see redzone.search)."""

    __tablename__ = "search_document"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    record_id: Mapped[int]
    part: Mapped[str] = mapped_column(sa.String(10))
    terms: Mapped[str] = mapped_column(sa.Text, default="")
    indexed_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    __table_args__ = (sa.UniqueConstraint("kind", "record_id", "part"),)


# --- web accounts (sessions, API tokens, second factor, login attempts) ---


class WebSession(Base):
    """A signed-in browser: the cookie holds a random id, the table only its SHA-256, so a copied
    database cannot be replayed as a cookie. `stage` is 'second_factor' or 'enrol' until the TOTP
    step is passed, then 'full'."""

    __tablename__ = "web_session"
    id_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(20), default="full")
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class ApiToken(Base):
    """A bearer token for scripts, acting as its user; stored as a SHA-256 digest only."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)


class LoginAttempt(Base):
    """One sign-in attempt, kept to throttle guessing from one client address."""

    __tablename__ = "login_attempt"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow, index=True)
    username: Mapped[str] = mapped_column(sa.String(80))
    client: Mapped[str] = mapped_column(sa.String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)


class UserSetting(Base):
    """Per-user preferences and second-factor state: interface language, last TOTP step used
    (a code is accepted once)."""

    __tablename__ = "user_setting"
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    totp_last_step: Mapped[int | None]


# --- background work started from the web ---


class WebJob(Base):
    """A piece of background work a page started (a linkage run, bootstrap intervals), kept here so that
    every server process can report it. `owner` names the process running it (host:pid) and
    `heartbeat_at` moves while it runs: a job whose process has gone is reported as failed. The result
    holds counts, codes and estimates only — never a sealed value."""

    __tablename__ = "web_job"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(10), default="running")
    started_by: Mapped[str] = mapped_column(sa.String(80))
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[Any | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    owner: Mapped[str] = mapped_column(sa.String(120))
    started_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    __table_args__ = (
        sa.Index("ix_web_job_kind_id", "kind", "id"),
        sa.CheckConstraint("status IN ('running','done','failed')", name="status"),
    )
