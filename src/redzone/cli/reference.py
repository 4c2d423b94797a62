"""The CLI reference (docs/cli.md), generated from the commands themselves so it cannot drift.

    python -m redzone.cli.reference > docs/cli.md      (tests/test_docs.py checks it is current)
"""

from __future__ import annotations

import typer


# Typer vendors its own copy of Click, so commands are recognised by shape, not by Click's classes.
def _walk(command, path: list[str]):  # noqa: ANN001, ANN202
    yield path, command
    if getattr(command, "commands", None):
        for name in sorted(command.commands):
            yield from _walk(command.commands[name], [*path, name])


def _option_line(param) -> str:  # noqa: ANN001
    if param.param_type_name == "argument":
        return f"- `{param.name.upper()}` (argument){': ' + param.help if getattr(param, 'help', None) else ''}"
    names = ", ".join(f"`{n}`" for n in param.opts)
    help_text = getattr(param, "help", "") or ""
    return f"- {names}: {help_text}".rstrip(": ")


def render() -> str:
    from redzone.cli import app

    root = typer.main.get_command(app)
    lines = ["# Command-line reference", "",
             "Generated from the code by `python -m redzone.cli.reference`; do not edit by hand.", ""]
    for path, command in _walk(root, ["redzone"]):
        lines += [f"## `{' '.join(path)}`", ""]
        if command.help:
            lines += [command.help.strip().splitlines()[0], ""]
        params = [p for p in command.params if p.name != "help"]
        lines += [_option_line(p) for p in params]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
