"""Accounts for the web application and scripts: password sign-in (argon2id) with throttling and
lockout, the TOTP second factor, server-side sessions with their CSRF token, and API tokens.

The web layer calls only what is named here; it never reads the account tables itself.
"""

from redzone.accounts.login import (IssuedFactor, LoginOutcome, LoginSettings, authenticate, check_second_factor,
                                    confirm_enrolment, confirm_own_enrolment, enrol_second_factor,
                                    issue_second_factor, needs_second_factor, pending_enrolment, pending_secret,
                                    recorded_name, second_factor, set_password, start_own_enrolment, totp_uri)
from redzone.accounts.preferences import LANGUAGES, language_of, set_language
from redzone.accounts.sessions import (SessionInfo, end_session, find_session, promote_session, start_session)
from redzone.accounts.tokens import TokenInfo, create_token, list_tokens, revoke_token, verify_token

__all__ = [
    "IssuedFactor", "LANGUAGES", "LoginOutcome", "LoginSettings", "SessionInfo", "TokenInfo", "authenticate",
    "check_second_factor", "confirm_enrolment", "confirm_own_enrolment", "create_token", "end_session", "enrol_second_factor",
    "find_session", "issue_second_factor", "language_of", "list_tokens", "needs_second_factor", "pending_enrolment", "pending_secret", "promote_session",
    "recorded_name", "revoke_token", "second_factor",
    "set_language", "set_password", "start_own_enrolment", "start_session", "totp_uri", "verify_token",
]
