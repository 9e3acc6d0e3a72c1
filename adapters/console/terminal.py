"""Reading commands at a real terminal: line editing, history, completion, Ctrl-C that quits.

prompt_toolkit does the terminal work; a pipe is still read line by line by the console chat.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from zoneinfo import available_timezones

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import Completer, WordCompleter
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output

from bot.commands import ACTIONS, OPTIONS, VIEWS
from bot.feedback.actions import ACTIONS as BUTTONS
from bot.follows.commands import WORDS as PERSONAL
from bot.taxonomy import load_taxonomy

PROMPT = "hotpapers> "


def command_words() -> list[str]:
    """What completion offers: the commands (the console's buttons too), their options,
    categories and time zones."""
    taxonomy = load_taxonomy()
    words: Iterable[str] = (
        "/hotpapers",
        "now",
        *ACTIONS,
        *BUTTONS,
        *PERSONAL,
        *VIEWS,
        *OPTIONS,
        *taxonomy.categories,
        *taxonomy.archives,
        *sorted(available_timezones()),
    )
    return list(dict.fromkeys(words))


def completer() -> Completer:
    # WORD: "cs.LG" and "Europe/Berlin" complete as one word each.
    return WordCompleter(command_words(), ignore_case=True, WORD=True)


def history_at(path: Path | None) -> History:
    """History kept across sessions in the data directory; in memory where it cannot be."""
    if path is None:
        return InMemoryHistory()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError:
        return InMemoryHistory()
    return FileHistory(str(path))


async def terminal_lines(
    history: Path | None,
    *,
    input: Input | None = None,
    output: Output | None = None,
) -> AsyncIterator[str]:
    """Lines typed at the prompt, until Ctrl-D or Ctrl-C, which end the session at once."""
    session: PromptSession[str] = PromptSession(
        history=history_at(history),
        completer=completer(),
        complete_while_typing=False,
        input=input,
        output=output,
    )
    while True:
        try:
            yield await session.prompt_async(PROMPT)
        except (EOFError, KeyboardInterrupt):
            return
