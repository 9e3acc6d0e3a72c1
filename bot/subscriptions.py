"""Subscriptions: a channel (or webhook) that gets a digest of some categories at a local time."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field

from bot.models import Value

Platform = Literal["slack", "discord", "console"]
Kind = Literal["channel", "webhook"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Subscription(Value):
    """Who gets which digest, when: ``post_time`` in ``timezone`` on ``weekdays`` (0 = Monday)."""

    id: int | None = None
    platform: Platform
    workspace: str = ""
    destination: str
    kind: Kind = "channel"
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    top: int = Field(default=10, ge=1, le=100)
    post_time: dt.time = dt.time(9, 0)
    timezone: str = "UTC"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    created_by: str = ""
    paused: bool = False
    paused_reason: str = ""
    created_at: dt.datetime | None = None
    # Hours after a post at which it is edited in place with the settled counts; None: never.
    refresh_after: int | None = Field(default=None, ge=1, le=168)

    def where(self) -> str:
        """The destination as people may see it: a webhook's secret part is hidden."""
        if self.kind == "webhook":
            return webhook_shown(self.destination)
        return self.destination


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


def weekdays_phrase(days: tuple[int, ...]) -> str:
    if days == (0, 1, 2, 3, 4):
        return "mon-fri"
    if days == tuple(range(7)):
        return "every day"
    return ",".join(WEEKDAYS[d] for d in days)
