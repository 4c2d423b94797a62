"""The estimation errors, each both a Redzone error (the CLI and web show its message) and a ValueError.

    RedzoneError
    ├── ConfigurationError
    │   └── InvalidSetting        an estimation setting is out of range or does not apply to the method
    └── EstimationError           the data cannot support the estimate asked for
        └── InvalidCaptureTable   a capture-history table is malformed (bad header, pattern or count)
"""

from __future__ import annotations

from redzone.errors import ConfigurationError, RedzoneError
from redzone.messages import Message, join


class InvalidSetting(ConfigurationError, ValueError):
    """One or more estimation settings are wrong; the message names every argument at fault."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(Message("invalid estimation setting: %(problems)s", problems=join("; ", self.problems)))


class EstimationError(RedzoneError, ValueError):
    """The data cannot support the estimate asked for (no usable model, too few lists...)."""

    http_status = 422


class InvalidCaptureTable(EstimationError):
    """A capture-history table is malformed; the message lists every problem found."""

    def __init__(self, problems: list[str] | str, source: str = "") -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        shown = "; ".join(self.problems[:10])
        more = f" (and {len(self.problems) - 10} more)" if len(self.problems) > 10 else ""
        where = f" {source}" if source else ""
        super().__init__(f"invalid capture table{where}: {shown}{more}")
