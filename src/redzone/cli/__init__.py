"""The `redzone` command: a thin layer over the library. Global options are declared once here;
commands live in modules by concept and only parse arguments, call the library and print."""

from __future__ import annotations

import importlib
import pkgutil
import sys

from redzone.cli.app import app
from redzone.errors import RedzoneError

# Every `*_commands` module in this package registers its commands on `app` when imported.
for _module in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.endswith("_commands")):
    importlib.import_module(f"{__name__}.{_module}")

__all__ = ["app", "main"]


GLOBAL_FLAGS = ("--json", "--verbose", "-v")


def _hoist_global_flags(argv: list[str]) -> list[str]:
    """Let the global flags also follow a command (`redzone vocab --json`): they are declared once, on
    the callback, so move them in front of the command before Typer parses."""
    head, rest = [], []
    for index, arg in enumerate(argv):
        if arg == "--":
            rest.extend(argv[index:])
            break
        (head if arg in GLOBAL_FLAGS else rest).append(arg)
    return head + rest


def main() -> None:
    try:
        app(args=_hoist_global_flags(sys.argv[1:]), prog_name="redzone")
    except RedzoneError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        print("error: interrupted; nothing half-written was kept", file=sys.stderr)
        sys.exit(130)
