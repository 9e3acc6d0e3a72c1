"""A subscription of lab picks: its channel's most liked and saved papers of the week."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.cadence import subscription_digest
from bot.delivery import Deliverer
from bot.errors import InputError
from bot.feedback import Feedback
from bot.models import Digest
from bot.snapshot import sample_snapshot
from bot.snapshots import FixedSnapshot
from bot.store import SqlStore
from bot.subscriptions import Subscription
from tests.fakes import CountingSnapshots, RecordingPublisher

NOW = dt.datetime(2026, 11, 27, 16, tzinfo=dt.UTC)
PICKS = Subscription(
    platform="discord",
    destination="555",
    content="picks",
    cadence="weekly",
    weekdays=(4,),
    top=2,
)


def liked(arxiv_id: str, user: str, *, days_ago: float = 1, kind: str = "like") -> Feedback:
    return Feedback(
        platform="discord",
        scope="777",
        channel="555",
        user=user,
        arxiv_id=arxiv_id,
        kind=kind,  # type: ignore[arg-type]
        at=NOW - dt.timedelta(days=days_ago),
    )


async def test_a_picks_subscription_posts_the_channels_week(store: SqlStore) -> None:
    await store.readings.record(sample_snapshot())
    await store.feedback.add(
        [
            liked("2103.09742", "1"),
            liked("2103.09460", "1"),
            liked("2103.09460", "2", kind="save"),
            liked("2103.09568", "3"),
            liked("2103.09389", "1", days_ago=9),  # last week's
        ]
    )
    digest = await subscription_digest(
        PICKS,
        NOW.date(),
        snapshots=FixedSnapshot(sample_snapshot()),
        readings=store.readings,
        generated_at=NOW,
        feedback=store.feedback,
        blend=None,
    )
    assert digest is not None
    assert digest.view == "picks"
    assert [(i.paper.arxiv_id, i.why) for i in digest.items] == [
        ("2103.09460", "1 👍 · 1 🔖"),
        ("2103.09568", "1 👍"),
    ]


def test_picks_are_weekly_subscriptions_of_a_channel() -> None:
    with pytest.raises(ValueError, match="weekly subscription of a channel"):
        Subscription.model_validate({**PICKS.model_dump(), "cadence": "daily"})


async def test_without_the_feedback_store_picks_cannot_be_made(store: SqlStore) -> None:
    with pytest.raises(InputError, match="Lab picks need the store's feedback"):
        await subscription_digest(
            PICKS,
            NOW.date(),
            snapshots=FixedSnapshot(sample_snapshot()),
            readings=store.readings,
            generated_at=NOW,
        )


class PicksPublisher(RecordingPublisher):
    def __init__(self) -> None:
        super().__init__()
        self.digests: list[Digest] = []

    def render(self, digest: Digest) -> list[dict[str, Any]]:
        self.digests.append(digest)
        return super().render(digest)


async def test_the_deliverer_posts_lab_picks_on_their_weekday(store: SqlStore) -> None:
    await store.readings.record(sample_snapshot())
    await store.feedback.add([liked("2103.09460", "1"), liked("2103.09460", "2", kind="save")])
    picks = await store.add(PICKS.model_copy(update={"post_time": dt.time(16)}), now=NOW)
    hot = await store.add(
        Subscription(platform="discord", destination="556", post_time=dt.time(16)), now=NOW
    )
    publisher = PicksPublisher()
    deliverer = Deliverer(
        store,
        CountingSnapshots(sample_snapshot()),
        {("discord", "channel"): publisher},
        clock=lambda: NOW + dt.timedelta(minutes=1),
    )
    report = await deliverer.run(NOW + dt.timedelta(minutes=1))
    assert report.outcomes == {"posted": 2}
    assert {sub for sub, _, _ in publisher.posts} == {picks.id, hot.id}
    views = sorted(d.view for d in publisher.digests)
    assert views == ["day", "picks"]
    (chosen,) = [d for d in publisher.digests if d.view == "picks"]
    assert [i.why for i in chosen.items] == ["1 👍 · 1 🔖"]


async def test_a_week_without_picks_is_skipped_like_an_empty_digest(store: SqlStore) -> None:
    await store.add(PICKS.model_copy(update={"post_time": dt.time(16)}), now=NOW)
    publisher = PicksPublisher()
    deliverer = Deliverer(
        store,
        CountingSnapshots(sample_snapshot()),
        {("discord", "channel"): publisher},
        clock=lambda: NOW + dt.timedelta(minutes=1),
    )
    report = await deliverer.run(NOW + dt.timedelta(minutes=1))
    assert report.outcomes == {"skipped (nothing matched)": 1}
    assert publisher.posts == []
