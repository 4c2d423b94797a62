"""Testimony entry in one flow: source (with consent) → victim → act → perpetrators → event → the
victim's journey (each step attested by the testimony), all in one transaction (a rejected form
writes nothing and comes back with every problem beside its field and every value kept); and place
suggestions from the gazetteer in English, Korean and Chinese."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from redzone.records.entry import (ActDetails, AttestationSpec, PerpetratorSpec, add_act, add_event, add_journey,
                                   add_person, add_source)
from redzone.errors import Problem, ValidationError
from redzone.records.identity import Identity
from redzone.security.policy import PersonResource, allowed
from redzone.vocab import load_vocabulary
from redzone.web.deps import CurrentPrincipal, DbSession, WorkspaceDep, context, requires
from redzone.web.form_errors import by_field, journey_rows, rejected
from redzone.web.forms import (JOURNEY_ROWS, JourneyForm, JourneyRows, Problems, optional_date, optional_float,
                               optional_int, resolve_place, suggest_places)
from redzone.web.rendering import render
from redzone.web.routing import SessionInRouteThread

router = APIRouter(include_in_schema=False, route_class=SessionInRouteThread)


@router.get("/places/suggest")
def place_suggestions(principal: CurrentPrincipal, q: str = "") -> Response:
    """Gazetteer places only (public data): any signed-in user may ask."""
    return JSONResponse(suggest_places(q[:80]))


FORM_ROWS = 6  # journey rows the form shows (all without script; with it, the filled ones and one more)
DEFAULTS = {"language": "ko", "reliability": "C", "credibility": "3", "consent": ["internal_analysis"], "sex": "female",
            "event_kind": "sale", "date_precision": "unknown", "roles": []}
# Service field names → the form's own (the source's kind is always 'interview': 'kind' is the event's).
RENAMES = {"kind": "event_kind", "place_id": "place_name", "place": "place_name", "origin_place_id": "origin_place_name",
           "origin_place": "origin_place_name", "consent_scopes": "consent"}


def _form_page(request: Request, values: dict | None = None, errors: dict | None = None,
               rows: list[dict] | None = None, status_code: int = 200) -> Response:
    vocabulary = load_vocabulary()
    actor = request.state.principal.actor
    may_seal = allowed(actor, "person.edit_sealed", PersonResource(0, actor.username))
    errors = errors or {}
    for field in [f for f in errors if f.startswith("perpetrators[")]:
        errors.setdefault("roles", []).extend(errors.pop(field))
    return render(request, "testimony.html", status_code=status_code, vocabulary=vocabulary, lists=vocabulary.lists,
                  may_seal=may_seal, journey_rows=JOURNEY_ROWS, values=values or DEFAULTS, errors=errors,
                  rows=rows or journey_rows({}, {}, FORM_ROWS))


@router.get("/testimony/new", dependencies=[requires("source.create")])
def testimony_form(request: Request) -> Response:
    return _form_page(request)


@router.post("/testimony", dependencies=[requires("source.create")])
def record_testimony(
    request: Request, session: DbSession, workspace: WorkspaceDep, journey: JourneyForm,
    text: Annotated[str, Form(max_length=200000)],
    title: Annotated[str, Form(max_length=300)] = "",
    language: Annotated[str, Form(max_length=8)] = "ko",
    source_date: Annotated[str, Form(max_length=12)] = "",
    reliability: Annotated[str, Form(max_length=1)] = "C",
    credibility: Annotated[str, Form(max_length=1)] = "3",
    consent: Annotated[list[str], Form()] = [],  # noqa: B006
    sex: Annotated[str, Form(max_length=10)] = "female",
    birth_year_min: Annotated[str, Form(max_length=6)] = "",
    birth_year_max: Annotated[str, Form(max_length=6)] = "",
    origin_place_id: Annotated[str, Form(max_length=120)] = "",
    origin_place_name: Annotated[str, Form(max_length=200)] = "",
    legal_name: Annotated[str, Form(max_length=200)] = "",
    hangul_name: Annotated[str, Form(max_length=200)] = "",
    violation: Annotated[str, Form(max_length=60)] = "",
    roles: Annotated[list[str], Form()] = [],  # noqa: B006
    event_kind: Annotated[str, Form(max_length=40)] = "sale",
    place_id: Annotated[str, Form(max_length=120)] = "",
    place_name: Annotated[str, Form(max_length=200)] = "",
    date_precision: Annotated[str, Form(max_length=10)] = "unknown",
    date_start: Annotated[str, Form(max_length=12)] = "",
    date_end: Annotated[str, Form(max_length=12)] = "",
    price_amount: Annotated[str, Form(max_length=20)] = "",
    price_currency: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    form = {name: value for name, value in locals().items() if name not in ("request", "session", "workspace",
                                                                            "journey")}
    form.update(journey.typed())
    try:
        return _record(request, session, workspace, form)
    except ValidationError as error:
        errors = by_field(error, RENAMES)
        rows = journey_rows(form, errors, FORM_ROWS)
        # Sealed names typed by the user come back only into the sealed box, shown to roles that may record them.
        return rejected(session, workspace, lambda _fresh: _form_page(request, form, errors, rows, 422))


def _record(request: Request, session, workspace, form: dict) -> Response:  # noqa: ANN001
    """Write the whole testimony, or raise ValidationError having named every problem."""
    (text, title, language, source_date, reliability, credibility, consent, sex, birth_year_min, birth_year_max,
     origin_place_id, origin_place_name, legal_name, hangul_name, violation, roles, event_kind, place_id, place_name,
     date_precision, date_start, date_end, price_amount, price_currency) = (form[name] for name in (
        "text", "title", "language", "source_date", "reliability", "credibility", "consent", "sex", "birth_year_min",
        "birth_year_max", "origin_place_id", "origin_place_name", "legal_name", "hangul_name", "violation", "roles",
        "event_kind", "place_id", "place_name", "date_precision", "date_start", "date_end", "price_amount",
        "price_currency"))
    principal = request.state.principal
    ctx = context(session, workspace, principal)
    problems = Problems()
    low = optional_int(problems, "birth_year_min", birth_year_min, 1900, 2100)
    high = optional_int(problems, "birth_year_max", birth_year_max, 1900, 2100)
    origin = resolve_place(problems, "origin_place", origin_place_id, origin_place_name)
    place = resolve_place(problems, "place", place_id, place_name)
    first = optional_date(problems, "date_start", date_start)
    last = optional_date(problems, "date_end", date_end)
    recorded = optional_date(problems, "source_date", source_date)
    amount = optional_float(problems, "price_amount", price_amount)
    grade = optional_int(problems, "credibility", credibility, 1, 6)
    steps = JourneyRows(*(form[f"step_{name}"] for name in ("kind", "place_id", "place_name", "date_precision",
                                                           "date_start", "date_end"))).steps(problems)
    if not text.strip():
        problems.append(Problem("text", "the testimony text is empty"))
    identity = Identity(legal_name=legal_name.strip() or None, hangul_name=hangul_name.strip() or None)
    # The record about to be created is the actor's own: ask the policy as for any record they created.
    if not identity.is_empty() and not allowed(principal.actor, "person.edit_sealed",
                                               PersonResource(0, principal.actor.username)):
        problems.append(Problem("legal_name", "your role may not record a sealed identity"))
    problems.raise_if_any()
    person = add_person(ctx, sex=sex, birth_year_min=low, birth_year_max=high, origin_place_id=origin,
                        identity=identity)
    source = add_source(ctx, kind="interview", title=title.strip(), language=language, date=recorded,
                        reliability=reliability, credibility=grade or 6, text=text, interviewee=person,
                        consent_scopes=consent)
    act, journey = None, list(steps)
    if violation:
        event = add_event(ctx, kind=event_kind, place_id=place, date_start=first, date_end=last,
                          date_precision=date_precision)
        act = add_act(ctx, victim=person, violation=violation, event=event, details=ActDetails(
            price_amount=amount, price_currency=price_currency or None,
            perpetrators=[PerpetratorSpec(role=r) for r in roles], attestations=[AttestationSpec(source)]))
        journey.append(event)  # the act's event is a step of her journey too, placed by its date
    if journey:  # each new step is attested by this testimony (the act's event, by the act's attestation)
        add_journey(ctx, person, journey, source=AttestationSpec(source))
    target = (f"/sources/{source.code}?recorded=1&steps={len(journey)}"
              + (f"&coded={act.code}" if act else ""))
    return RedirectResponse(target, status_code=303)
