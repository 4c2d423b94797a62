"""Per-user preferences: the interface language, remembered across sessions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from redzone.errors import Problem, ValidationError
from redzone.messages import Message
from redzone.records.models import UserSetting

LANGUAGES = ("en", "ko")


def language_of(session: Session, user_id: int) -> str:
    setting = session.get(UserSetting, user_id)
    return setting.language if setting and setting.language in LANGUAGES else "en"


def set_language(session: Session, user_id: int, language: str) -> None:
    if language not in LANGUAGES:
        raise ValidationError(Problem("language", Message("%(language)s is not one of %(items)s",
                                                          language=repr(language), items=', '.join(LANGUAGES))))
    setting = session.get(UserSetting, user_id)
    if setting is None:
        session.add(UserSetting(user_id=user_id, language=language))
    else:
        setting.language = language
