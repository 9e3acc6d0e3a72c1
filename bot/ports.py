"""The roles the engine talks to; implementations and test fakes match them structurally."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from bot.follows.model import FollowDigest, Person
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
    """Posts a digest to a subscription's destination, one message at a time.

    ``render`` turns a digest into the platform's messages (plain JSON data: the ledger keeps
    them, so a retry resumes at the first message not confirmed, with the same text). ``send``
    posts one message with its idempotency ``key`` (``thread``: the platform id of the
    delivery's first message, '' for the first itself) and returns the platform's id. It raises
    MaybePosted when the message may have gone out (a timeout after sending, a 5xx), and
    DeliveryError, RateLimited or DestinationGone when it certainly did not.
    """

    def render(self, digest: Digest) -> list[dict[str, Any]]: ...

    async def send(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Pace:
    """One rate limit a message counts against: at most ``rate`` messages every ``per``
    seconds for everything that shares ``key`` (a channel, a workspace, a bot, a webhook).
    ``shared``: a limit of the whole bot or workspace, which every process posting for it
    shares (``Pacer``'s ``share`` of it is this process's)."""

    key: str
    rate: float
    per: float
    shared: bool = False


@runtime_checkable
class Paced(Protocol):
    """A publisher that says which rate limits each of a subscription's messages counts against,
    so that the deliverer waits for exactly those (and a busy destination delays only itself)."""

    def paces(self, sub: Subscription) -> Sequence[Pace]: ...


@runtime_checkable
class Reconciler(Protocol):
    """A publisher that can tell whether a message went out (a Discord nonce, Slack metadata).

    ``find`` returns the platform id of ``message`` posted with ``key``, or None when it
    certainly was not posted; DeliveryError when the platform cannot be asked right now.
    Publishers without it (webhooks, the console) leave a maybe-sent message ``uncertain``.
    """

    async def find(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str | None: ...


@runtime_checkable
class Editor(Protocol):
    """A publisher that can edit a message it posted (Slack ``chat.update``, Discord PATCH).

    ``editable`` says whether this subscription's messages can be edited at all (a Slack
    incoming webhook cannot). ``edit`` replaces message ``message_id`` with ``message`` (a
    rendering of ``render``), keeping its idempotency ``key``; it never posts a new message.
    DestinationGone when the message or its channel is gone, DeliveryError (or RateLimited)
    when it was not edited this time.
    """

    def editable(self, sub: Subscription) -> bool: ...

    async def edit(
        self, sub: Subscription, message_id: str, message: Mapping[str, Any], *, key: str
    ) -> None: ...


class SnapshotProvider(Protocol):
    """The collected input of a digest date (None: the latest) for some categories.

    None while that day is not available yet; FeedError when it can no longer be had.
    """

    async def snapshot(self, day: dt.date | None, categories: Sequence[str]) -> Snapshot | None: ...


class DirectMessenger(Protocol):
    """Sends a person their day's follow matches in one direct message; the message's id.
    MaybePosted when it may have gone out, DeliveryError when it certainly did not."""

    async def send_dm(self, person: Person, message: FollowDigest) -> str: ...
