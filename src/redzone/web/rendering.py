"""Rendering pages: one Jinja2 environment (autoescaped, gettext installed), and the values every
page needs (who is signed in, the CSRF token, the language, what the policy lets them see)."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from redzone.security.policy import Actor, allowed
from redzone.vocab import load_vocabulary
from redzone.web import i18n
from redzone.web.deps import PRE_SESSION_COOKIE, Principal

TEMPLATES = Path(__file__).with_name("templates")

# Templates ship with the package: no per-render check of their modification times.
templates = Jinja2Templates(env=jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                                                  extensions=["jinja2.ext.i18n"], auto_reload=False))
templates.env.install_gettext_callables(i18n.gettext_, i18n.ngettext_, newstyle=True)
templates.env.policies["ext.i18n.trimmed"] = True


def label(kind: str, code: Any) -> str:
    """A vocabulary label in the current language, or the code itself when it has none."""
    if code is None:
        return "—"
    try:
        return _label(kind, code, "ko" if i18n.current_language() == "ko" else "en")
    except Exception:  # an unknown code is shown as stored, never an error page
        return str(code)


@functools.lru_cache(maxsize=4096)  # a list page asks for a label on every row; the vocabulary is fixed once loaded
def _label(kind: str, code: Any, language: str) -> str:
    return load_vocabulary().label(kind, code, language)


def _provision_text(provision_id: str, field: str) -> str:
    """A provision's field as cited in the current language: its `<field>_ko` on Korean pages where the
    vocabulary gives one."""
    provision = load_vocabulary().provisions.get(provision_id)
    if provision is None:
        return ""
    korean = getattr(provision, f"{field}_ko") if i18n.current_language() == "ko" else None
    return korean or getattr(provision, field)


def instrument(provision_id: str) -> str:
    """The treaty a provision belongs to, in the current language (the vocabulary's instrument_ko)."""
    return _provision_text(provision_id, "instrument")


def article(provision_id: str) -> str:
    """The article as cited in the current language (the vocabulary's article_ko: "7(1) 두문")."""
    return _provision_text(provision_id, "article")


def number(value: Any) -> str:
    return "—" if value is None else f"{value:,}"


def date(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _n(message: str) -> str:  # marks a string for extraction; translated when shown
    return message


ROLE_NAMES = {"interviewer": _n("interviewer"), "documentation_officer": _n("documentation officer"),
              "legal_analyst": _n("legal analyst"), "data_analyst": _n("data analyst"),
              "administrator": _n("administrator"), "public": _n("public")}


OUTCOME_NAMES = {"satisfied": _n("elements evidenced"), "needs_context": _n("needs context"),
                 "uncertain": _n("uncertain"), "not_satisfied": _n("elements missing")}


# The languages a source is written in (codes as stored, in forms and in the API), named in the reader's.
LANGUAGE_NAMES = {"en": _n("English"), "ko": _n("Korean"), "zh": _n("Chinese")}


def language_name(code: str | None) -> str:
    if not code:
        return "—"
    return i18n.gettext_(LANGUAGE_NAMES[code]) if code in LANGUAGE_NAMES else code


# A linkage decision's kind (link.review's verbs), as the decision log and its notice name it.
DECISION_NAMES = {"accept": _n("accepted"), "reject": _n("rejected"), "reopen": _n("reopened"), "merge": _n("merged"),
                  "split": _n("split out"), "undo": _n("undo")}


def decision_name(kind: str) -> str:
    return i18n.gettext_(DECISION_NAMES.get(kind, kind))


def role_name(role: str) -> str:
    return i18n.gettext_(ROLE_NAMES.get(role, role))


def outcome_name(outcome: str) -> str:
    return i18n.gettext_(OUTCOME_NAMES.get(outcome, outcome))


templates.env.globals.update(label=label, role_name=role_name, outcome_name=outcome_name, instrument=instrument,
                             article=article, language_name=language_name, decision_name=decision_name)
templates.env.filters.update(number=number, date=date, t=i18n.translate, error_text=i18n.translate_error)


def render(request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    principal: Principal | None = getattr(request.state, "principal", None)
    pre_token = None
    csrf = principal.csrf_token if principal and principal.session else None
    if csrf is None:
        pre_token = request.cookies.get(PRE_SESSION_COOKIE) or secrets.token_urlsafe(32)
        csrf = pre_token

    def can(action: str) -> bool:
        return principal is not None and allowed(principal.actor, action)

    response = templates.TemplateResponse(request, name, {
        "principal": principal, "actor": principal.actor if principal else None, "csrf_token": csrf,
        "lang": i18n.current_language(), "can": can, **values}, status_code=status_code)
    if pre_token is not None and request.cookies.get(PRE_SESSION_COOKIE) != pre_token:
        response.set_cookie(PRE_SESSION_COOKIE, pre_token, httponly=True, samesite="strict",
                            secure=request.app.state.secure_cookies(request), path="/")
    return response


_menus: dict[tuple[str, bool, str], Markup] = {}


def navigation(actor: Actor) -> Markup:
    """The main menu as `actor`'s role sees it in the current language (`_nav.html`). What a role may
    do and the catalogs are fixed while the server runs, so each menu is rendered once, not on every
    page (a dozen policy questions and translations each time)."""
    key = (actor.role, actor.active, i18n.current_language())
    menu = _menus.get(key)
    if menu is None:
        menu = _menus[key] = Markup(templates.get_template("_nav.html").render(
            can=lambda action: allowed(actor, action)))
    return menu


templates.env.globals["navigation"] = navigation
