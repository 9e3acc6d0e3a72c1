"""What every command of the CLI shares: failing in one sentence, the clock, output files.

Exit codes (the README's table is this one):

====  =====================================================================================
0     done
1     a bug: an unexpected error (``HOTPAPERS_DEBUG=1`` shows the traceback), or ``deliver``
      with deliveries that failed
2     bad input: a mistyped command line (``OneSentenceErrors``), a command-line value, a
      setting, a file, a destination that does not exist (and ``deliver`` when some
      subscriptions wait for their platform's credentials)
3     an upstream or platform is unavailable: arXiv's feed, Slack, Discord, a webhook host or
      the database server could not be reached, or refused the request; try again later
4     ``deliver``: deliveries in doubt (a post may or may not have gone out) wait for an
      operator: ``hotpapers deliveries list --state uncertain``
130   interrupted (Ctrl-C)
====  =====================================================================================
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

import typer
from rich.console import Console
from typer.core import TyperGroup

from adapters.logs import configure as configure_logs
from bot.errors import (
    DeliveryError,
    DestinationGone,
    FeedError,
    HotPapersError,
    SourceError,
    StoreUnavailable,
)
from bot.files import write_atomic

if TYPE_CHECKING:
    from bot.settings import Settings


EXIT_BUG = 1
EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 3
EXIT_IN_DOUBT = 4  # deliveries that may or may not have gone out wait for an operator
# The first class an error is an instance of gives its exit code; anything else is bad input.
EXIT_CODES: tuple[tuple[type[HotPapersError], int], ...] = (
    (DestinationGone, EXIT_BAD_INPUT),  # the channel or webhook given does not exist
    (DeliveryError, EXIT_UNAVAILABLE),
    (FeedError, EXIT_UNAVAILABLE),
    (SourceError, EXIT_UNAVAILABLE),
    (StoreUnavailable, EXIT_UNAVAILABLE),
)


def exit_code(error: HotPapersError) -> int:
    """The documented exit code of an expected failure."""
    return next((code for kind, code in EXIT_CODES if isinstance(error, kind)), EXIT_BAD_INPUT)


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


# Wider than any table of the CLI: piped, a table is as wide as its longest values.
PIPED_WIDTH = 100_000


def stdout_for_tables(*, markup: bool = True) -> Console:
    """Standard output for a table: at a terminal, its width (long values wrap); piped or
    redirected, as wide as the table, so that no value is cut to fit 80 columns."""
    console = Console(soft_wrap=True, highlight=False, markup=markup)
    if console.is_terminal:
        return console
    return Console(soft_wrap=True, highlight=False, markup=markup, width=PIPED_WIDTH)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    stderr().print(f"hotpapers: {message}", markup=False)
    raise typer.Exit(code)


# click's exceptions, from the module of a name typer exports: typer 0.29 raises those of its
# own copy of click (``typer._click``), older typers click's.
_CLICK = importlib.import_module(typer.BadParameter.__module__)


class ClickError(Protocol):
    """What this module reads of a click exception (click or typer's copy of it)."""

    def format_message(self) -> str: ...


def usage_sentence(error: ClickError, command: str = "hotpapers") -> str:
    """A usage error of the command line (an unknown option, a value out of range) as one
    sentence that names where to read the usage, instead of click's usage box."""
    message = " ".join(error.format_message().split()).rstrip(" .")
    # typer checks values with pydantic, whose words come along: "Value error, 'x' is not …".
    message = message.replace(": Value error, ", ": ")
    ctx = getattr(error, "ctx", None)
    names: list[str] = []
    while ctx is not None and ctx.parent is not None:  # the root's name is the program's
        names.insert(0, ctx.info_name)
        ctx = ctx.parent
    return f"{message}; see {' '.join(['hotpapers', *names]) if names else command} --help."


class OneSentenceErrors(TyperGroup):
    """The CLI's top group: click's usage errors become one sentence on stderr, exit 2, like
    every other failure here (``fail``); ``--help`` and a bare command's help are unchanged."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except _CLICK.ClickException as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":
                # A bare group: its help, printed (by rich) as the error was made, else here.
                if exc.format_message().strip():
                    exc.show()
            else:
                said = usage_sentence(exc, self.command_of(args))
                stderr().print(f"hotpapers: {said}", markup=False)
            sys.exit(exc.exit_code)
        except typer.Abort:
            stderr().print("hotpapers: aborted.", markup=False)
            sys.exit(1)
        # Without standalone mode click returns the code of an Exit, or what a command returned
        # (None: every command here returns nothing).
        sys.exit(code if type(code) is int else 0)

    def command_of(self, args: Sequence[str] | None) -> str:
        """The command the words of ``args`` name (``hotpapers subscriptions add``), for the
        errors that come without their context (an option missing its value)."""
        words = ["hotpapers"]
        command: Any = self
        for word in sys.argv[1:] if args is None else args:
            command = getattr(command, "commands", {}).get(word)
            if command is None:
                break
            words.append(word)
        return " ".join(words)


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
    """Expected failures become one sentence and their exit code (2, 3); a bug, one and 1."""
    try:
        yield
    except HotPapersError as exc:
        fail(str(exc), code=exit_code(exc))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if os.environ.get("HOTPAPERS_DEBUG"):
            raise
        detail = f"{type(exc).__name__}: {exc}"
        fail(
            f"unexpected error ({detail}); set HOTPAPERS_DEBUG=1 to see the traceback.",
            code=EXIT_BUG,
        )


def settings_and_logs() -> Settings:
    """The settings in force, with logging set up by them (format, level, secrets masked)."""
    from bot.settings import load_settings

    settings = load_settings()
    configure_logs(
        json_lines=settings.log_format == "json",
        level=settings.log_level,
        secrets=settings.secrets(),
    )
    return settings


def categories_of(values: list[str] | None) -> tuple[str, ...]:
    """The categories of ``--category`` options, each repeatable or comma-separated
    (``-c cs.AI,cs.LG`` is ``-c cs.AI -c cs.LG``), validated; InputError names a wrong one."""
    from bot.taxonomy import load_taxonomy

    return load_taxonomy().validate(
        part.strip() for value in values or () for part in value.split(",") if part.strip()
    )


def words_of(values: list[str] | None, *, what: str = "keyword") -> tuple[str, ...]:
    """The non-blank values of a repeatable word option, bounded like the chat's keywords."""
    from bot.limits import check_keywords

    return check_keywords((v.strip() for v in values or () if v.strip()), what=what)
