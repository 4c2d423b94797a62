"""The shapes of the REST API (request bodies and answers), documented in /openapi.json."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, Field

T = TypeVar("T")


def _as_utc(value: dt.datetime) -> dt.datetime:
    """Times are stored in UTC; SQLite hands them back without their zone, which RFC 3339 requires."""
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


UtcDateTime = Annotated[dt.datetime, AfterValidator(_as_utc)]


class ProblemOut(BaseModel):
    field: str
    problem: str


class ErrorOut(BaseModel):
    error: str = Field(description="Error class, e.g. ValidationError, PermissionDenied, NotFound")
    message: str = Field(description="One line fit to show a user; never a sealed value")
    problems: list[ProblemOut] | None = None


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class SourceOut(BaseModel):
    code: str
    kind: str
    title: str
    language: str
    date: dt.date | None
    reliability: str
    credibility: int
    has_text: bool
    consent_scopes: list[str]
    consent_withdrawn: bool
    organisation: str | None
    created_by: str


class SourceIn(BaseModel):
    kind: str = Field(max_length=40, examples=["interview"])
    title: str = Field("", max_length=300)
    language: str = Field("en", max_length=8)
    date: dt.date | None = None
    reliability: str = Field("F", max_length=1)
    credibility: int = Field(6, ge=1, le=6)
    text: str | None = Field(None, max_length=200000)
    consent_scopes: list[str] = Field(default_factory=list, max_length=10)


class SourceTextOut(BaseModel):
    code: str
    text: str | None


class PersonOut(BaseModel):
    code: str
    person_role: str
    sex: str
    birth_year_min: int | None
    birth_year_max: int | None
    origin_place_id: str | None
    crossing_year: int | None
    organisation: str | None


class IdentityOut(BaseModel):
    code: str
    legal_name: str | None
    hangul_name: str | None
    aliases: list[str]
    contact: str | None
    whereabouts: str | None


class AttestationOut(BaseModel):
    source: str
    span_start: int | None
    span_end: int | None


class ActOut(BaseModel):
    code: str
    violation: str
    victim: str | None
    event: str | None
    place_id: str | None
    year: int | None
    perpetrator_roles: list[str]
    attestations: list[AttestationOut]
    price_amount: float | None
    price_currency: str | None


class EventIn(BaseModel):
    kind: str = Field(max_length=40, examples=["sale"])
    place_id: str | None = Field(None, max_length=120)
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    date_precision: str = Field("unknown", max_length=10)


class ActIn(BaseModel):
    violation: str = Field(max_length=60, examples=["trafficking.sale"])
    source: str = Field(max_length=40, description="code of the source attesting the act")
    victim: str | None = Field(None, max_length=40, description="person code")
    span_start: int | None = Field(None, ge=0, le=10_000_000)
    span_end: int | None = Field(None, ge=0, le=10_000_000)
    perpetrator_roles: list[str] = Field(default_factory=list, max_length=20)
    event: EventIn | None = None
    price_amount: float | None = Field(None, ge=0, le=1e12)
    price_currency: str | None = Field(None, max_length=3)
    notes: str = Field("", max_length=4000)


class JourneyStepIn(BaseModel):
    kind: str = Field(max_length=40, examples=["crossing"], description="an event kind of the vocabulary")
    place_id: str | None = Field(None, max_length=120, examples=["kp.north_hamgyong.musan"])
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    date_precision: str = Field("unknown", max_length=10)
    description: str = Field("", max_length=2000)


class NewJourneyStepIn(JourneyStepIn):
    span_start: int | None = Field(None, ge=0, le=10_000_000, description="where the journey's source tells "
                                                                         "this step (a character offset)")
    span_end: int | None = Field(None, ge=0, le=10_000_000)


class JourneyIn(BaseModel):
    source: str | None = Field(None, max_length=40, description="code of the source that tells these steps: "
                                                                "each new step is attested by it")
    steps: list[NewJourneyStepIn] = Field(min_length=1, max_length=20)


class StepSourceOut(BaseModel):
    source: str = Field(description="code of a source telling this step")
    span_start: int | None = Field(description="the quoted passage in the source's text, when there is one")
    span_end: int | None
    act: str | None = Field(description="the act whose attestation this is, when the source attests an act "
                                        "in the step's event rather than the event itself")


class JourneyStepOut(BaseModel):
    sequence: int
    event: str
    kind: str
    place_id: str | None
    date: str | None = Field(description="the date at its precision: 2016-05-03, 2016-05, 2016, or a range")
    date_precision: str
    acts: list[str] = Field(description="codes of this person's acts in this event")
    sources: list[StepSourceOut] = Field(description="the sources telling this step: the event's own "
                                                     "attestations, then those of acts in it")


class ClaimFigure(BaseModel):
    """A claim's figure and its quoted passage: what recording and correcting a claim both take."""

    measure: str = Field(max_length=120, examples=["women and girls at risk"])
    value: float = Field(ge=0, le=1e15)
    value_max: float | None = Field(None, ge=0, le=1e15)
    qualifier: str = Field("exact", max_length=20, examples=["up_to"])
    unit: str = Field("persons", max_length=40)
    scope: str = Field("", max_length=200)
    year: int | None = Field(None, ge=1900, le=2100)
    span_start: int | None = Field(None, ge=0, le=10_000_000)
    span_end: int | None = Field(None, ge=0, le=10_000_000)
    quote: str | None = Field(None, max_length=2000, description="the quoted words, found in the source's text "
                                                                   "(instead of a span)")


class ClaimIn(ClaimFigure):
    source: str = Field(max_length=40, description="code of the source asserting the figure")


class ClaimOut(BaseModel):
    code: str
    measure: str
    value: float
    value_max: float | None
    qualifier: str
    unit: str
    scope: str
    year: int | None
    source: str
    source_title: str
    span_start: int | None = None
    span_end: int | None = None


class EvidenceOut(BaseModel):
    code: str
    source: str | None
    media_type: str
    size_bytes: int
    sha256: str
    acquired_by: str
    created_at: UtcDateTime


class AuditOut(BaseModel):
    id: int
    at: UtcDateTime
    actor: str
    action: str
    record_type: str
    record_id: str


class CellOut(BaseModel):
    key: str
    label: str
    count: int | None
    suppressed: bool


class StatsOut(BaseModel):
    dimension: str
    unit: str
    threshold: int
    total: int | None
    cells: list[CellOut]


class PlaceOut(BaseModel):
    id: str
    label: str
    kind: str
    country: str


class MeOut(BaseModel):
    username: str
    role: str
    actions: list[str]
