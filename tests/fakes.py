"""Hand-written fakes of the engine's ports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from bot.errors import FeedError, SourceError
from bot.models import Announcement, Digest, Paper, Signal
from bot.snapshot import Snapshot
from bot.subscriptions import Subscription


class StaticFeed:
    """A feed that always announces the same papers, and counts how often it was asked."""

    def __init__(self, announcement: Announcement) -> None:
        self.announcement = announcement
        self.asked: list[tuple[str, ...]] = []

    async def announcements(self, categories: Sequence[str]) -> Announcement:
        self.asked.append(tuple(categories))
        return self.announcement


class DownFeed:
    async def announcements(self, categories: Sequence[str]) -> Announcement:
        raise FeedError("arXiv's feed could not be reached (ConnectError).")


class StaticSource:
    def __init__(self, name: str, signals: Sequence[Signal]) -> None:
        self.name = name
        self.signals = list(signals)

    async def collect(self, papers: Sequence[Paper], day: dt.date) -> list[Signal]:
        return self.signals


class BrokenSource:
    def __init__(self, name: str, reason: str = "HTTP 500") -> None:
        self.name = name
        self.reason = reason

    async def collect(self, papers: Sequence[Paper], day: dt.date) -> list[Signal]:
        raise SourceError(self.name, self.reason)


class HangingSource:
    """A source that never answers; the engine's deadline must cut it off."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def collect(self, papers: Sequence[Paper], day: dt.date) -> list[Signal]:
        import asyncio

        await asyncio.Event().wait()
        return []


def paper(
    arxiv_id: str, *, categories: tuple[str, ...] = ("cs.LG",), title: str = "", abstract: str = ""
) -> Paper:
    return Paper(
        arxiv_id=arxiv_id,
        title=title or f"Paper {arxiv_id}",
        authors=("A. Author",),
        abstract=abstract,
        primary_category=categories[0],
        categories=categories,
        announced=dt.date(2026, 11, 24),
    )


def signal(source: str, arxiv_id: str, **counts: int) -> Signal:
    return Signal(source=source, arxiv_id=arxiv_id, counts=counts)


class Sleeper:
    """An injected sleep that records how long it was asked to wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


async def no_sleep(seconds: float) -> None:
    return None


class RecordingPublisher:
    """A platform that records every message; it can be told to fail the next sends.

    A digest renders into ``parts`` messages. Each send takes the next entry of ``failures``
    (raised instead of posting) and of ``lost_answers`` (raised after posting: the answer was
    lost); None entries let that send through.
    """

    def __init__(self, *, parts: int = 1) -> None:
        self.parts = parts
        self.posts: list[tuple[int | None, str, str]] = []
        self.failures: list[BaseException | None] = []
        self.lost_answers: list[BaseException | None] = []

    def render(self, digest: Digest) -> list[dict[str, Any]]:
        return [{"date": str(digest.date), "part": n} for n in range(self.parts)]

    async def send(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str:
        if self.failures and (failure := self.failures.pop(0)) is not None:
            raise failure
        self.posts.append((sub.id, str(message["date"]), key))
        if self.lost_answers and (lost := self.lost_answers.pop(0)) is not None:
            raise lost
        return f"m{len(self.posts)}"

    def keys(self) -> list[str]:
        return [key for _, _, key in self.posts]


class ReconcilingPublisher(RecordingPublisher):
    """A platform that can tell whether a message with a key went out (a nonce, metadata);
    each lookup takes the next entry of ``lookup_failures`` (raised; None: answered)."""

    def __init__(self, *, parts: int = 1) -> None:
        super().__init__(parts=parts)
        self.lookups: list[str] = []
        self.lookup_failures: list[BaseException | None] = []

    async def find(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str | None:
        self.lookups.append(key)
        if self.lookup_failures and (failure := self.lookup_failures.pop(0)) is not None:
            raise failure
        keys = self.keys()
        return f"m{keys.index(key) + 1}" if key in keys else None


class EditingPublisher(RecordingPublisher):
    """A platform whose messages can be edited (chat.update, a PATCH): each edit takes the next
    entry of ``edit_failures`` (raised; None: edited) and is recorded as (message id, body,
    key). Its rendering carries the digest's generation time, so a refresh shows."""

    def __init__(self, *, parts: int = 1) -> None:
        super().__init__(parts=parts)
        self.edits: list[tuple[str, dict[str, Any], str]] = []
        self.edit_failures: list[BaseException | None] = []

    def render(self, digest: Digest) -> list[dict[str, Any]]:
        return [
            {**message, "generated": digest.generated_at.isoformat()}
            for message in super().render(digest)
        ]

    def editable(self, sub: Subscription) -> bool:
        return True

    async def edit(
        self, sub: Subscription, message_id: str, message: Mapping[str, Any], *, key: str
    ) -> None:
        if self.edit_failures and (failure := self.edit_failures.pop(0)) is not None:
            raise failure
        self.edits.append((message_id, dict(message), key))


class CountingSnapshots:
    """A fixed snapshot that counts how often it was asked for."""

    def __init__(self, snapshot: Snapshot | None) -> None:
        self.fixed = snapshot
        self.asked: list[tuple[dt.date | None, tuple[str, ...]]] = []

    async def snapshot(self, day: dt.date | None, categories: Sequence[str]) -> Snapshot | None:
        self.asked.append((day, tuple(categories)))
        if self.fixed is None:
            return None
        return self.fixed.model_copy(update={"date": day or self.fixed.date})


class FakeTime:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
