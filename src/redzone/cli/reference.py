"""The CLI reference (docs/cli.md), generated from the commands themselves so it cannot drift.

    python -m redzone.cli.reference > docs/cli.md      (tests/test_docs.py checks it is current)
"""

from __future__ import annotations

import click
import typer


def _walk(command: click.Command, path: list[str]):  # noqa: ANN202
    yield path, command
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            yield from _walk(command.commands[name], [*path, name])


def _option_line(param: click.Parameter) -> str:
    if isinstance(param, click.Argument):
        return f"- `{param.human_readable_name}` (argument){': ' + param.help if getattr(param, 'help', None) else ''}"
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
