"""Subscriptions: a channel (or webhook) that gets a digest of some categories at a local time."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from bot.models import Value

Platform = Literal["slack", "discord", "console"]
Kind = Literal["channel", "webhook"]
Cadence = Literal["daily", "weekly"]
# What a subscription posts: the hot papers, or "lab picks" (what its channel liked most).
Content = Literal["hot", "picks"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_MIX = 0.3  # hotness 0.7, relevance to the channel's taste 0.3
# Who made a subscription, when, and whether it is paused: not what or where it posts.
_BOOKKEEPING = frozenset({"id", "created_by", "created_at", "paused", "paused_reason"})


class Subscription(Value):
    """Who gets which digest, when: ``post_time`` in ``timezone`` on ``weekdays`` (0 = Monday).

    ``cadence`` "daily" posts the latest announcement (``lag`` 1: the one before it, ranked
    with its latest readings); "weekly" posts, on its one weekday, the best of the week ending
    at the latest announcement.
    """

    id: int | None = None
    platform: Platform
    workspace: str = ""
    destination: str
    kind: Kind = "channel"
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    # Every one of these words, none of these, any of these authors (``bot.matching``).
    all_keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    top: int = Field(default=10, ge=1, le=100)
    post_time: dt.time = dt.time(9, 0)
    timezone: str = "UTC"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    cadence: Cadence = "daily"
    lag: int = Field(default=0, ge=0, le=1)
    created_by: str = ""
    paused: bool = False
    paused_reason: str = ""
    created_at: dt.datetime | None = None
    # Hours after a post at which it is edited in place with the settled counts; None: never.
    refresh_after: int | None = Field(default=None, ge=1, le=168)
    # 0: hot only … 1: relevance to the channel's taste only (README "How a score is made").
    mix: float = Field(default=DEFAULT_MIX, ge=0, le=1)
    # "picks": once a week, what the channel liked and saved most (``bot.feedback.picks``).
    content: Content = "hot"

    @field_validator("paused_reason")
    @classmethod
    def _why_alone(cls, reason: str) -> str:
        """Why it is paused ("by a user"), after the word "paused" that every list writes
        before it: a reason stored as "paused by a user" would read "paused (paused by…)"."""
        head, _, rest = reason.strip().partition(" ")
        return rest.lstrip(": ") if head.lower().rstrip(":") == "paused" else reason.strip()

    @model_validator(mode="after")
    def _one_day_a_week(self) -> Subscription:
        if self.content == "picks" and (self.cadence != "weekly" or self.kind != "channel"):
            raise ValueError("lab picks are a weekly subscription of a channel")
        if self.content == "picks" and self.refresh_after is not None:
            raise ValueError("lab picks have no counts to refresh")
        if self.cadence == "weekly" and len(self.weekdays) != 1:
            raise ValueError("a weekly subscription posts on exactly one weekday")
        if self.cadence == "weekly" and self.lag:
            raise ValueError("a weekly subscription has no lag")
        return self

    def where(self) -> str:
        """The destination as people may see it: a webhook's secret part is hidden."""
        if self.kind == "webhook":
            return webhook_shown(self.destination)
        return self.destination


def same_digest(one: Subscription, other: Subscription) -> bool:
    """Whether two subscriptions post the same digest to the same place at the same times (the
    order of categories, words and weekdays aside): adding the second would post everything
    twice."""

    def essence(sub: Subscription) -> dict[str, object]:
        fields = sub.model_dump(exclude=set(_BOOKKEEPING))
        return {k: frozenset(v) if isinstance(v, tuple) else v for k, v in fields.items()}

    return essence(one) == essence(other)


def webhook_shown(url: str) -> str:
    """The scheme, host and first path segment of a webhook URL, never more.

    Every other part may be the secret: the token of ``/services/T/B/TOKEN`` (Slack), of
    ``/api/webhooks/ID/TOKEN[/slack|/github]`` (Discord), a password before the ``@``, a query.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:  # an unparseable port or IPv6 address
        return "(a webhook URL)"
    if not parts.scheme or not host:
        return "(a webhook URL)"
    first = next((segment for segment in parts.path.split("/") if segment), "")
    shown = f"{parts.scheme}://{f'[{host}]' if ':' in host else host}{port}"
    return f"{shown}/{first}/…" if first else f"{shown}/…"


def cadence_phrase(sub: Subscription) -> str:
    """``mon-fri``, ``weekly on fri`` or ``mon-fri, lag 1 day``: when and what it posts."""
    if sub.cadence == "weekly":
        return f"weekly on {weekdays_phrase(sub.weekdays)} (best of the week)"
    days = weekdays_phrase(sub.weekdays)
    return f"{days}, lag 1 day" if sub.lag else days


def weekdays_phrase(days: tuple[int, ...]) -> str:
    if days == (0, 1, 2, 3, 4):
        return "mon-fri"
    if days == tuple(range(7)):
        return "every day"
    return ",".join(WEEKDAYS[d] for d in days)
