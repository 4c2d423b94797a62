"""Docs that cannot drift: the CLI reference is generated, and every module is in the architecture map."""

from pathlib import Path

from redzone.cli.reference import render

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current():
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == render(), \
        "docs/cli.md is stale: run `.venv/bin/python -m redzone.cli.reference > docs/cli.md`"
    rendered = render()
    for command in ("redzone stats", "redzone demo", "redzone audit verify", "redzone vocab"):
        assert f"## `{command}`" in rendered, f"the CLI reference does not list `{command}`"


def test_every_package_is_in_the_architecture_map():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = [p.name for p in (ROOT / "src" / "redzone").iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    missing = [name for name in packages if f"`{name}/" not in text]
    assert not missing, f"docs/architecture.md does not say what these own: {missing}"


def test_readme_quick_start_is_the_two_make_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
