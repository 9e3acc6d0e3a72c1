"""Every bound on what a user may type or hand in, in one place.

The command language, the CLI options, the store and the file readers all use these, so that
no number, list or file a user gives can overflow a column, exhaust memory or outgrow a reply.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable

from bot.errors import InputError

MAX_TOP = 100  # papers in a chat digest or a subscription
MAX_CLI_TOP = 100_000  # papers in a digest the CLI writes (more than any day announces)
MAX_KEYWORDS = 20  # keywords (or excluded words, or authors) of one filter or subscription
MAX_KEYWORD_LENGTH = 64  # characters of one keyword
MAX_ID = 2**31 - 1  # a subscription id: PostgreSQL's INTEGER (SQLite's is wider)
MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024  # a snapshot file
MAX_POST_BYTES = 16 * 1024 * 1024  # a Hot Papers markdown post
MAX_COMMAND = 4_000  # characters of one /hotpapers command
MAX_ECHO = 40  # characters of a user's token quoted back in an error
# Years a moment (``deliver --at``) may name: arXiv began in 1991; far ends overflow dates.
YEARS = (1991, 9000)
# The first day arXiv announced papers: no digest date lies before it.
FIRST_DAY = dt.date(1991, 8, 14)
# The longest text a platform shows in one reply.
REPLY_LIMITS = {"slack": 40_000, "discord": 2_000, "console": 40_000}
CUT_NOTE = "\n… (cut: the rest is longer than one reply may be)"


def check_keywords(keywords: Iterable[str], *, what: str = "keyword") -> tuple[str, ...]:
    """The keywords (or author names: ``what``), or InputError when there are too many or one
    is too long."""
    kept = tuple(keywords)
    if len(kept) > MAX_KEYWORDS:
        raise InputError(f"At most {MAX_KEYWORDS} {what}s, not {len(kept)}.")
    for word in kept:
        if any(unicodedata.category(char) == "Cc" for char in word):
            # Stored keywords are echoed to terminals and chats: no escape sequences in them.
            raise InputError(f"A {what} cannot hold control characters (such as ESC or NUL).")
        if len(word) > MAX_KEYWORD_LENGTH:
            raise InputError(
                f"A {what} has at most {MAX_KEYWORD_LENGTH} characters; "
                f"“{echo(word)}” has {len(word)}."
            )
    return kept


def check_id(value: int) -> int:
    """A subscription id within what every store holds; InputError otherwise."""
    if not 1 <= value <= MAX_ID:
        raise InputError(f"A subscription id is a number from 1 to {MAX_ID}.")
    return value


def echo(text: str) -> str:
    """A user's token as quoted back: at most MAX_ECHO characters."""
    return text if len(text) <= MAX_ECHO else text[: MAX_ECHO - 1] + "…"


def fit(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with a note that says so, or unchanged."""
    if len(text) <= limit:
        return text
    return text[: limit - len(CUT_NOTE)].rstrip() + CUT_NOTE
