"""A channel's scheduled post carries the channel's own count, apart from public signals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bot.delivery import Deliverer
from bot.feedback import Feedback
from bot.models import Digest
from bot.snapshot import sample_snapshot
from bot.store import SqlStore
from bot.subscriptions import Subscription
from tests.fakes import CountingSnapshots

MORNING = dt.datetime(2026, 11, 25, 9, 1, tzinfo=dt.UTC)


class OwnLines:
    """Posts what the platforms would show apart from the public signals: each paper's own line."""

    def __init__(self) -> None:
        self.sent: dict[str, list[str]] = {}

    def render(self, digest: Digest) -> list[dict[str, Any]]:
        return [{"own": [item.own for item in digest.items]}]

    async def send(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str:
        self.sent[sub.destination] = list(message["own"])
        return f"m-{sub.destination}"


async def test_a_channels_post_shows_its_own_likes_and_another_channels_does_not(
    store: SqlStore,
) -> None:
    papers = [p.arxiv_id for p in sample_snapshot().papers]
    await store.feedback.add(
        [
            Feedback(
                platform="discord",
                scope="777",
                channel="555",
                user=user,
                arxiv_id=arxiv_id,
                kind="like",
                at=MORNING - dt.timedelta(days=1),
            )
            for arxiv_id in papers
            for user in ("ada", "grace")
        ]
    )
    for channel in ("555", "556"):
        await store.add(
            Subscription(
                platform="discord",
                workspace="777",
                destination=channel,
                post_time=dt.time(9),
                mix=0.0,
            ),
            now=MORNING,
        )
    publisher = OwnLines()
    deliverer = Deliverer(
        store,
        CountingSnapshots(sample_snapshot()),
        {("discord", "channel"): publisher},
        clock=lambda: MORNING,
    )
    report = await deliverer.run(MORNING)
    assert report.outcomes == {"posted": 2}
    assert publisher.sent["555"]
    assert all(line == "this channel: 2 👍" for line in publisher.sent["555"])
    assert publisher.sent["556"]
    assert not any(publisher.sent["556"])


class CountingFeedback:
    """The store's feedback, counting the per-channel reads a delivery makes."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.channel_reads = 0

    async def of_channel(self, *args: Any, **kwargs: Any) -> Any:
        self.channel_reads += 1
        return await self.inner.of_channel(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def test_silent_channels_share_one_blend_and_read_no_feedback_of_their_own(
    store: SqlStore,
) -> None:
    await store.feedback.add(
        [
            Feedback(
                platform="discord",
                scope="777",
                channel="500",
                user="ada",
                arxiv_id=sample_snapshot().papers[0].arxiv_id,
                kind="like",
                at=MORNING - dt.timedelta(days=1),
            )
        ]
    )
    for channel in ("500", "501", "502", "503"):
        await store.add(
            Subscription(
                platform="discord",
                workspace="777",
                destination=channel,
                post_time=dt.time(9),
                categories=("cs.LG",),
                mix=0.5,
            ),
            now=MORNING,
        )
    blends: list[tuple[str, bool]] = []

    async def blend(sub: Subscription, candidates: Digest, *, quiet: bool = False) -> Digest:
        blends.append((sub.destination, quiet))
        return candidates.model_copy(update={"items": candidates.items[: sub.top]})

    counting = CountingFeedback(store.feedback)
    store.feedback = counting  # type: ignore[assignment]
    publisher = OwnLines()
    deliverer = Deliverer(
        store,
        CountingSnapshots(sample_snapshot()),
        {("discord", "channel"): publisher},
        clock=lambda: MORNING,
        blend=blend,
    )
    report = await deliverer.run(MORNING)
    assert report.outcomes == {"posted": 4}
    assert set(publisher.sent) == {"500", "501", "502", "503"}
    # The channel that liked a paper is blended with its taste and shows its own count; the
    # three silent ones share one blend of their profile and read nothing of their own.
    assert len(blends) == 2
    assert ("500", False) in blends
    assert sum(quiet for _, quiet in blends) == 1
    assert counting.channel_reads == 1
    assert "this channel: 1 👍" in publisher.sent["500"]
    assert not any(publisher.sent["503"])
