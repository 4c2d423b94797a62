"""Interface languages: gettext catalogs (Babel .po files under web/locale) compiled in memory when
the app starts, the language of the current request, and `translate` for the sentences the core
library writes (`redzone.messages.Message`: an English template with named values)."""

from __future__ import annotations

import gettext
import io
import re
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from redzone.accounts import LANGUAGES
from redzone.errors import RedzoneError, ValidationError
from redzone.messages import Message, Term

LOCALE_DIR = Path(__file__).with_name("locale")
_current: ContextVar[str] = ContextVar("redzone_language", default="en")


@lru_cache(maxsize=None)
def catalog(language: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        messages = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, messages)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


PLACEHOLDER = re.compile(r"%\((\w+)\)s")
FIELD_PROBLEM = re.compile(r"([\w.\[\]]+): (.+)", re.S)


@lru_cache(maxsize=None)
def _templates(language: str) -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """(literal prefix, pattern, template) of every catalog message with named values, longest first:
    to recognise a core sentence that reached the page as a plain string (e.g. read back from JSON)."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not po.is_file():
        return ()
    with po.open("rb") as handle:
        ids = [m.id for m in read_po(handle, locale=language) if isinstance(m.id, str) and m.string]
    found = []
    for template in ids:
        parts = PLACEHOLDER.split(template)
        fixed = "".join(parts[0::2])
        if len(parts) == 1 or len(re.findall(r"[A-Za-z]", fixed)) < 8 or len(re.findall(r"[A-Za-z]{2,}", fixed)) < 2:
            continue  # too little fixed text to tell a filled-in template from data ("%(n)s accepted")
        pattern = "".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)" if part not in parts[1:index:2]
                          else f"(?P={part})" for index, part in enumerate(parts))
        found.append((parts[0], re.compile(pattern, re.S), template))
    found.sort(key=lambda item: -len(PLACEHOLDER.sub("", item[2])))
    return tuple(found)


def translate(text: object, _depth: int = 0) -> str:
    """A sentence of the core in the current language: a `Message` by its template, a plain string by
    the catalog (as a whole, or as a filled-in template it matches); anything else as it is."""
    if text is None or _depth > 6:
        return "" if text is None else str(text)
    language = _current.get()
    if language == "en":
        return str(text)
    if isinstance(text, Term):
        return _term(text)
    if isinstance(text, Message):
        return _fill(language, text.template, text.values, _depth)
    if not isinstance(text, str):
        return str(text)
    if not text:
        return text
    found = catalog(language).gettext(text)
    if found != text:
        return found
    for prefix, pattern, template in _templates(language):
        if text.startswith(prefix):
            match = pattern.fullmatch(text)
            if match:  # the values were English text too: each may be a sentence of its own
                values = {name: translate(value, _depth + 1) for name, value in match.groupdict().items()}
                return catalog(language).gettext(template) % values
    # Problems as a validation error writes them: "span: must lie within the text…; year: …"
    for parts in ([text], text.split("; ")):
        problems = [FIELD_PROBLEM.fullmatch(part) for part in parts]
        if all(problems):
            shown = "; ".join(f"{p.group(1)}: {translate(p.group(2), _depth + 1)}" for p in problems if p)
            if shown != text:
                return shown
    return text


def _fill(language: str, template: str, values: dict, depth: int) -> str:
    """A Message's template in `language` with its values: Messages and Terms translated, plain strings
    looked up as they are (codes and names stay; a policy action or a fixed reason is translated)."""
    shown = {name: translate(value, depth + 1) if isinstance(value, (Message, Term))
             else catalog(language).gettext(value) if isinstance(value, str) and value else value
             for name, value in values.items()}
    translated = catalog(language).gettext(template)
    return translated % shown if values else translated


def _term(term: Term) -> str:
    from redzone.vocab import load_vocabulary

    try:
        return load_vocabulary().label(term.kind, term.code, _current.get())
    except Exception:  # a code the vocabulary no longer has is shown as the core wrote it
        return str(term)


def translate_error(error: BaseException | str) -> str:
    """A domain error's message in the current language (a validation error problem by problem)."""
    if isinstance(error, ValidationError):
        shown = "; ".join(f"{translate(p.where) + ':' if p.where else ''}{p.field}: {translate(p.problem)}"
                          for p in error.problems[:10])
        more = len(error.problems) - 10
        if more > 0:
            shown += gettext_(" (and %(count)s more)") % {"count": more}
        return gettext_("invalid input: %(problems)s") % {"problems": shown}
    return translate(error.message if isinstance(error, RedzoneError) else str(error))


def set_language(language: str) -> None:
    _current.set(language if language in LANGUAGES else "en")


def current_language() -> str:
    return _current.get()


def gettext_(message: str) -> str:
    return catalog(_current.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return catalog(_current.get()).ngettext(singular, plural, n)


def negotiate(accept_language: str | None) -> str:
    """The first supported language of an Accept-Language header, else English."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"
