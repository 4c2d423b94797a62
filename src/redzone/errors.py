"""The error family: every failure a user can cause or meet, with a message fit to show them.

    RedzoneError                  base; the CLI prints `error: <message>` and exits 1, the web maps it to a 4xx page
    ├── ConfigurationError        a setting is missing, malformed or unsafe (names the setting)
    ├── WorkspaceError            the workspace folder is missing, not a workspace, or already one
    ├── WrongPassphrase           the passphrase does not open this workspace
    ├── ValidationError           bad input; carries one `Problem` per field at fault
    ├── NotFound                  a record asked for by code or id does not exist
    ├── PermissionDenied          the policy refuses an action to this actor
    ├── IntegrityError            stored data fails a check (ciphertext, hash chain, digest)
    └── StoreError                the database refused an operation (unique key, connection…)

Messages never contain a sealed value or a passphrase: they name fields, codes and ids only.
"""

from __future__ import annotations

from dataclasses import dataclass

from redzone.messages import Message


class RedzoneError(Exception):
    """Base of every error Redzone raises on purpose; `str(error)` is a one-line user message."""

    exit_code = 1
    http_status = 400

    @property
    def message(self) -> str:
        """The user message as raised: a `redzone.messages.Message` (translatable) when the raiser gave one."""
        return self.args[0] if len(self.args) == 1 and isinstance(self.args[0], str) else str(self)


class ConfigurationError(RedzoneError):
    """A setting is missing, malformed or unsafe."""


class WorkspaceError(RedzoneError):
    """The workspace folder is missing, is not a workspace, or already holds one."""


class WrongPassphrase(RedzoneError):
    """The passphrase given does not open this workspace."""

    http_status = 401

    def __init__(self, message: str = Message("wrong passphrase: it does not open this workspace")) -> None:
        super().__init__(message)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field of the input."""

    field: str
    problem: str
    where: str = ""

    def __str__(self) -> str:
        prefix = f"{self.where}:" if self.where else ""
        return f"{prefix}{self.field}: {self.problem}"


class ValidationError(RedzoneError):
    """Input rejected; `problems` lists every field at fault, not just the first."""

    http_status = 422

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        shown = "; ".join(str(p) for p in self.problems[:10])
        more = f" (and {len(self.problems) - 10} more)" if len(self.problems) > 10 else ""
        super().__init__(f"invalid input: {shown}{more}")


class NotFound(RedzoneError):
    """A record asked for by code or id does not exist (or is not visible to the actor)."""

    http_status = 404


class PermissionDenied(RedzoneError):
    """The policy refuses this action to this actor."""

    http_status = 403

    def __init__(self, actor: str, action: str) -> None:
        self.actor = actor
        self.action = action
        super().__init__(Message("permission denied: %(actor)s may not %(action)s", actor=actor, action=action))


class IntegrityError(RedzoneError):
    """Stored data fails a check: a ciphertext, a hash chain or a file digest."""

    http_status = 500


class StoreError(RedzoneError):
    """The database refused an operation or could not be reached."""

    http_status = 503
