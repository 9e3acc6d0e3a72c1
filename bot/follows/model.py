"""The values of personal follows: who follows what, when they want their message, and the
day's matches that make it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from bot.models import Paper

Kind = Literal["author", "keyword", "similar"]
KINDS: tuple[Kind, ...] = ("author", "keyword", "similar")
DEFAULT_DM_TIME = dt.time(9, 0)
DEFAULT_ZONE = "UTC"


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """A platform user: ``scope`` is the Slack workspace or Discord guild ("" on the console)."""

    platform: str
    scope: str = ""
    user: str

    def label(self) -> str:
        """``PLATFORM:SCOPE:USER``, as the CLI names a person."""
        return f"{self.platform}:{self.scope}:{self.user}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Follow:
    """One thing a person follows. ``value`` is the author's name, the keyword phrase or the
    arXiv id; ``text`` is, for ``similar``, that paper's title and abstract (kept, so that
    matching needs no lookup); ``id`` is the store's, None before it is stored."""

    person: Person
    kind: Kind
    value: str
    text: str = ""
    created_at: dt.datetime
    id: int | None = None

    def describe(self) -> str:
        if self.kind == "author":
            return f"author “{self.value}”"
        if self.kind == "keyword":
            return f"keyword “{self.value}”"
        return f"papers like {self.value}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DmTime:
    """When a person gets their daily message: ``at`` local time in ``zone`` (IANA)."""

    at: dt.time = DEFAULT_DM_TIME
    zone: str = DEFAULT_ZONE


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """A paper of the day and the follows it matched (their descriptions, for "why")."""

    paper: Paper
    reasons: tuple[str, ...]
    # For ``similar`` follows: the best cosine similarity found (0 when none matched).
    similarity: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowDigest:
    """One person's direct message of a day: the day's papers matching their follows."""

    person: Person
    day: dt.date  # the person's local day it is sent on: one message a day
    matches: tuple[Match, ...]
    # Papers that matched too but did not fit in the message (they are not recorded as sent).
    more: int = 0
    # The announcement day of its papers (a replayed or sample day is not today); None: ``day``.
    announced: dt.date | None = None

    @property
    def dated(self) -> dt.date:
        """The day the message is dated by, for people: its papers' announcement day."""
        return self.announced or self.day
