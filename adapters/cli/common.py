"""What every command of the CLI shares: failing in one sentence, the clock, output files."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from adapters.logs import configure as configure_logs
from bot.errors import HotPapersError
from bot.files import write_atomic
from bot.settings import Settings, load_settings

EXIT_BAD_INPUT = 2


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    stderr().print(f"hotpapers: {message}", markup=False)
    raise typer.Exit(code)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_atomic(output, text)


@contextmanager
def handled() -> Iterator[None]:
    """Expected failures become one sentence and exit code 2; a bug, one sentence and 1."""
    try:
        yield
    except HotPapersError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if os.environ.get("HOTPAPERS_DEBUG"):
            raise
        detail = f"{type(exc).__name__}: {exc}"
        fail(f"unexpected error ({detail}); set HOTPAPERS_DEBUG=1 to see the traceback.", code=1)


def settings_and_logs() -> Settings:
    """The settings in force, with logging set up by them (format, level, secrets masked)."""
    settings = load_settings()
    configure_logs(
        json_lines=settings.log_format == "json",
        level=settings.log_level,
        secrets=settings.secrets(),
    )
    return settings
