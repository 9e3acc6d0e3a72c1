"""``hotpapers --help`` starts fast: the CLI imports its heavy libraries only when a command runs."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "sqlalchemy",
    "alembic",
    "aiohttp",
    "httpx",
    "slack_bolt",
    "slack_sdk",
    "discord",
    "apscheduler",
    "jinja2",
    "feedgen",
    "pydantic",
    "pylatexenc",
)


def test_the_cli_imports_no_heavy_library_until_a_command_runs() -> None:
    probe = (
        f"import sys, adapters.cli.main\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []


def test_every_command_still_has_its_help() -> None:
    from typer.testing import CliRunner

    from adapters.cli.main import app

    runner = CliRunner()
    for command in (
        [],
        ["digest"],
        ["post"],
        ["publish"],
        ["run"],
        ["deliver"],
        ["snapshot", "save"],
        ["subscriptions", "list"],
        ["deliveries", "list"],
        ["discord", "invite"],
    ):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, (command, result.output)
        assert "Usage" in result.output
