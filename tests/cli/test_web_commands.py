"""`redzone run` prints the demo accounts readably in an 80-column terminal."""

from __future__ import annotations

from rich.console import Console

from redzone.cli.web_commands import demo_accounts_table
from redzone.demo.persist import DEMO_ACCOUNTS


def test_demo_accounts_fit_an_80_column_terminal_whole():
    console = Console(width=80, record=True, color_system=None)
    console.print(demo_accounts_table(DEMO_ACCOUNTS))
    lines = console.export_text().splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    for username, password in DEMO_ACCOUNTS.values():
        # each account on one line, username and password whole (nothing cut or folded)
        assert any(username in line and password in line for line in lines), username
    assert not any("…" in line for line in lines)
