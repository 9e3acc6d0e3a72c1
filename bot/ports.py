"""The roles the engine talks to; implementations and test fakes match them structurally."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from bot.models import Announcement, Digest, Paper, Signal
from bot.snapshot import Snapshot
from bot.subscriptions import Subscription


class PaperFeed(Protocol):
    """The papers of arXiv's latest announcement in some categories."""

    async def announcements(self, categories: Sequence[str]) -> Announcement: ...


class SignalSource(Protocol):
    """One place where people talk about papers (Hugging Face, Hacker News, …)."""

    name: str

    async def collect(self, papers: Sequence[Paper], day: dt.date) -> list[Signal]:
        """Engagement with ``papers``, announced on ``day``; SourceError when unreadable."""
        ...


class FollowUpSource(Protocol):
    """A source that needs what the others found first (GitHub reads the repos they name)."""

    name: str

    async def follow_up(
        self, papers: Sequence[Paper], day: dt.date, signals: Sequence[Signal]
    ) -> list[Signal]: ...


class Cache(Protocol):
    """Text kept with the time it was stored; what is older than the TTL is not returned."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, value: str) -> None: ...


class Publisher(Protocol):
    """Posts a digest to a subscription's destination; returns the platform's message id.

    ``idempotent`` publishers can be retried after a crash without posting twice (a Discord
    nonce, Slack metadata looked up first); the others are not retried once a post may have
    gone out. Raises DeliveryError, RateLimited or DestinationGone.
    """

    idempotent: bool

    async def publish(self, sub: Subscription, digest: Digest, *, key: str) -> str: ...


class SnapshotProvider(Protocol):
    """The collected input of a digest date (None: the latest) for some categories.

    None while that day is not available yet; FeedError when it can no longer be had.
    """

    async def snapshot(self, day: dt.date | None, categories: Sequence[str]) -> Snapshot | None: ...
