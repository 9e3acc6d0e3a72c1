"""The feedback values: a channel, one piece of feedback, and a paper's tally in a channel."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, get_args

from bot.errors import InputError
from bot.ids import is_canonical_id
from bot.limits import echo

Kind = Literal["like", "dislike", "save", "reaction"]
KINDS: tuple[Kind, ...] = get_args(Kind)
PLATFORMS = ("slack", "discord", "console")
# Bounds of the stored columns: a platform's ids are far shorter, an emoji name too.
MAX_PLACE = 128
MAX_EMOJI = 64
# What a channel id a person types looks like: Slack's are C… (public), G… (private) or D…
# (direct) in uppercase letters and digits; Discord's are snowflakes, numbers.
CHANNEL_IDS = {
    "slack": (
        re.compile(r"[CGD][A-Z0-9]{1,31}"),
        "C0123ABCD (C, G or D, then capitals and digits)",
    ),
    "discord": (re.compile(r"[0-9]{1,20}"), "123456789012345678 (digits only)"),
}


def _checked(text: str, what: str, limit: int) -> str:
    if len(text) > limit:
        raise InputError(f"{what} has at most {limit} characters; “{echo(text)}” has {len(text)}.")
    if any(unicodedata.category(c) in ("Cc", "Zs", "Zl", "Zp") for c in text):
        raise InputError(f"{what} cannot hold spaces or control characters: “{echo(text)}”.")
    return text


@dataclass(frozen=True, slots=True, kw_only=True)
class Channel:
    """Where feedback is given: a platform's channel, in a workspace or guild (``scope``).

    ``scope`` "" is "any": the console has none, and an operator may name a channel by its id
    alone (Slack and Discord channel ids do not repeat across workspaces and guilds).
    """

    platform: str
    channel: str
    scope: str = ""

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise InputError(
                f"The platform “{echo(self.platform)}” is not one of {', '.join(PLATFORMS)}."
            )
        if not self.channel:
            raise InputError("A channel needs its id after the platform, as slack:C0123ABCD.")
        _checked(self.channel, "A channel id", MAX_PLACE)
        _checked(self.scope, "A workspace or guild id", MAX_PLACE)

    def __str__(self) -> str:
        return f"{self.platform}:{self.channel}"


def parse_channel(text: str, *, scope: str = "") -> Channel:
    """``PLATFORM:ID`` (``slack:C0123ABCD``, ``discord:1234``, ``console:lab``) as a Channel;
    InputError with one sentence when it is not one."""
    platform, colon, channel = text.strip().partition(":")
    if not colon:
        raise InputError(
            f"“{echo(text)}” is not a channel: write PLATFORM:ID, as slack:C0123ABCD, "
            "discord:123456789012345678 or console:lab."
        )
    where = Channel(platform=platform.lower(), channel=channel, scope=scope)
    shape = CHANNEL_IDS.get(where.platform)
    if shape is not None and not shape[0].fullmatch(where.channel):
        raise InputError(
            f"“{echo(channel)}” is not a {where.platform.capitalize()} channel id: those look "
            f"like {shape[1]}; a channel's name is not its id."
        )
    return where


@dataclass(frozen=True, slots=True, kw_only=True)
class Feedback:
    """One person's (or, with ``user`` "", the channel's own imported) word on one paper.

    ``kind`` like (👍 for us), dislike (👎 not for us), save (🔖) or reaction, whose
    ``emoji`` is the reaction's name (``fire``, ``tada``) or character; "" for the others.
    """

    platform: str
    scope: str = ""
    channel: str
    user: str = ""
    arxiv_id: str
    kind: Kind
    emoji: str = ""
    at: dt.datetime

    def __post_init__(self) -> None:
        Channel(platform=self.platform, channel=self.channel, scope=self.scope)
        _checked(self.user, "A user id", MAX_PLACE)
        if not is_canonical_id(self.arxiv_id):
            raise InputError(f"“{echo(self.arxiv_id)}” is not an arXiv id such as 2103.09742.")
        if self.kind not in KINDS:
            raise InputError(f"Feedback is one of {', '.join(KINDS)}, not “{echo(self.kind)}”.")
        if (self.kind == "reaction") != bool(self.emoji):
            raise InputError("A reaction, and only a reaction, names its emoji.")
        _checked(self.emoji, "An emoji", MAX_EMOJI)
        if self.at.tzinfo is None:
            raise ValueError("Feedback.at is an aware datetime")

    @property
    def where(self) -> Channel:
        return Channel(platform=self.platform, channel=self.channel, scope=self.scope)

    @property
    def positive(self) -> bool:
        """Whether it says "for us": a like or a save (a reaction counts in picks, not here)."""
        return self.kind in ("like", "save")


@dataclass(frozen=True, slots=True, kw_only=True)
class Tally:
    """How a channel received one paper over a span: likes, dislikes, saves and reactions."""

    arxiv_id: str
    likes: int = 0
    dislikes: int = 0
    saves: int = 0
    reactions: int = 0

    @property
    def picked(self) -> int:
        """Likes and saves: what "lab picks" orders by (reactions break ties)."""
        return self.likes + self.saves


@dataclass(frozen=True, slots=True, kw_only=True)
class Interest:
    """An imported interest of a channel: a paper it reads (from BibTeX, a Zotero export, a
    list of arXiv ids), kept with its text as a positive example of the channel's taste.

    ``key`` is the arXiv id when known, else the entry's DOI, citation key or title.
    """

    key: str
    arxiv_id: str = ""
    title: str
    text: str
