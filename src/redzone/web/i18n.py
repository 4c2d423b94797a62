"""Interface languages: gettext catalogs (Babel .po files under web/locale) compiled in memory when
the app starts, and the language of the current request."""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from redzone.accounts import LANGUAGES

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
