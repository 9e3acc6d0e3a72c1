from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.delivery import Deliverer, delivery_key, message_key
from bot.errors import DeliveryError, DestinationGone, FeedError
from bot.refresh import Refresher
from bot.snapshot import sample_snapshot
from bot.store import SqlStore, open_store
from bot.subscriptions import Subscription
from tests.fakes import CountingSnapshots, EditingPublisher, RecordingPublisher

MORNING = dt.datetime(2026, 11, 25, 9, 5, tzinfo=dt.UTC)  # a Wednesday
DAY = dt.timedelta(hours=24)


def subscription(**changes: object) -> Subscription:
    return Subscription.model_validate(
        {
            "platform": "discord",
            "kind": "webhook",
            "destination": "https://fake/hook",
            "post_time": dt.time(9),
            "refresh_after": 24,
            **changes,
        }
    )


async def posted(store: SqlStore, publisher: RecordingPublisher, **changes: object) -> Subscription:
    sub = await store.add(subscription(**changes), now=MORNING)
    report = await Deliverer(
        store,
        CountingSnapshots(sample_snapshot()),
        {("discord", "webhook"): publisher},
        clock=lambda: MORNING,
    ).run(MORNING)
    assert report.outcomes["posted"] == 1
    return sub


def refresher(store: SqlStore, publisher: RecordingPublisher, at: dt.datetime) -> Refresher:
    return Refresher(
        store,
        CountingSnapshots(sample_snapshot()),
        {("discord", "webhook"): publisher},
        clock=lambda: at,
    )


async def test_a_post_is_edited_in_place_once_after_refresh_after(store: SqlStore) -> None:
    publisher = EditingPublisher(parts=2)
    sub = await posted(store, publisher)
    early = await refresher(store, publisher, MORNING + DAY - dt.timedelta(minutes=10)).run()
    assert early.outcomes == {}
    assert publisher.edits == []

    later = MORNING + DAY + dt.timedelta(minutes=1)
    report = await refresher(store, publisher, later).run()
    assert report.outcomes == {"refreshed": 1}
    key = delivery_key(sub, MORNING.date())
    # The messages posted (m1, m2) are edited with their own keys; nothing new is posted.
    assert [(m, k) for m, _, k in publisher.edits] == [
        ("m1", message_key(key, 0)),
        ("m2", message_key(key, 1)),
    ]
    assert {body["generated"] for _, body, _ in publisher.edits} == {later.isoformat()}
    assert len(publisher.posts) == 2
    assert sub.id is not None
    (delivery,) = await store.deliveries(sub.id)
    assert delivery.state == "posted"
    assert delivery.refreshed_at == later

    again = await refresher(store, publisher, later + dt.timedelta(hours=1)).run()
    assert again.outcomes == {}
    assert len(publisher.edits) == 2


async def test_a_refresh_stopped_half_way_resumes_at_the_message_not_edited(
    store: SqlStore,
) -> None:
    publisher = EditingPublisher(parts=3)
    await posted(store, publisher)
    later = MORNING + DAY + dt.timedelta(minutes=1)
    publisher.edit_failures = [None, DeliveryError("Discord answered HTTP 500 to an edit")]
    first = await refresher(store, publisher, later).run()
    assert first.outcomes == {"refresh failed": 1}
    assert "the next run retries" in first.problems[0]
    assert [m for m, _, _ in publisher.edits] == ["m1"]

    second = await refresher(store, publisher, later + dt.timedelta(minutes=10)).run()
    assert second.outcomes == {"refreshed": 1}
    assert [m for m, _, _ in publisher.edits] == ["m1", "m2", "m3"]
    assert len(publisher.posts) == 3


async def test_the_ledger_keeps_the_edited_text(store: SqlStore) -> None:
    publisher = EditingPublisher(parts=1)
    sub = await posted(store, publisher)
    later = MORNING + DAY + dt.timedelta(minutes=1)
    await refresher(store, publisher, later).run()
    assert sub.id is not None
    (due,) = await store.to_refresh(
        sub.id, scheduled_after=MORNING - DAY, scheduled_before=later, include_refreshed=True
    )
    assert due.parts[0].refreshed
    assert due.parts[0].body["generated"] == later.isoformat()


async def test_a_longer_rendering_edits_only_the_messages_posted(store: SqlStore) -> None:
    publisher = EditingPublisher(parts=1)
    await posted(store, publisher)
    publisher.parts = 3
    report = await refresher(store, publisher, MORNING + DAY + dt.timedelta(minutes=1)).run()
    assert report.outcomes == {"refreshed": 1}
    assert [m for m, _, _ in publisher.edits] == ["m1"]
    assert len(publisher.posts) == 1


async def test_a_shorter_rendering_leaves_the_extra_messages(store: SqlStore) -> None:
    publisher = EditingPublisher(parts=3)
    await posted(store, publisher)
    publisher.parts = 2
    report = await refresher(store, publisher, MORNING + DAY + dt.timedelta(minutes=1)).run()
    assert report.outcomes == {"refreshed": 1}
    assert [m for m, _, _ in publisher.edits] == ["m1", "m2"]


async def test_a_deleted_message_gives_the_refresh_up(store: SqlStore) -> None:
    publisher = EditingPublisher(parts=2)
    sub = await posted(store, publisher)
    publisher.edit_failures = [DestinationGone("Discord answered HTTP 404 to an edit")]
    later = MORNING + DAY + dt.timedelta(minutes=1)
    report = await refresher(store, publisher, later).run()
    assert report.outcomes == {"refresh given up": 1}
    assert (await refresher(store, publisher, later + DAY / 4).run()).outcomes == {}
    assert sub.id is not None
    still = await store.get(sub.id)
    assert still is not None
    assert not still.paused  # the channel may well be there


async def test_a_publisher_that_cannot_edit_is_noted_once(store: SqlStore) -> None:
    publisher = RecordingPublisher()
    sub = await posted(store, publisher)
    later = MORNING + DAY + dt.timedelta(minutes=1)
    assert (await refresher(store, publisher, later).run()).outcomes == {"not refreshable": 1}
    assert (await refresher(store, publisher, later).run()).outcomes == {}
    assert sub.id is not None
    (delivery,) = await store.deliveries(sub.id)
    assert "cannot edit" in delivery.last_error


async def test_without_refresh_after_or_past_the_window_nothing_is_edited(
    store: SqlStore,
) -> None:
    publisher = EditingPublisher()
    await posted(store, publisher, refresh_after=None)
    assert (await refresher(store, publisher, MORNING + DAY * 2).run()).outcomes == {}
    other = EditingPublisher()
    await posted(store, other, destination="https://fake/other")
    # Turned on long after the post: the channel's history is left alone.
    assert (await refresher(store, other, MORNING + DAY * 5).run()).outcomes == {}
    assert publisher.edits == other.edits == []


async def test_a_paused_subscription_is_not_refreshed(store: SqlStore) -> None:
    publisher = EditingPublisher()
    sub = await posted(store, publisher)
    assert sub.id is not None
    await store.update(sub.id, paused=True)
    assert (await refresher(store, publisher, MORNING + DAY * 1.5).run()).outcomes == {}


def migrate(url: str, revision: str, *, down: bool = False) -> None:
    from importlib import resources

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(resources.files("bot.store") / "migrations"))
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
    engine.dispose()


async def test_a_store_of_the_previous_revision_is_migrated_and_back(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, inspect, text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(url, "replays")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO subscriptions (platform, workspace, destination, kind, categories,"
                " keywords, top, post_time, timezone, weekdays, created_by, paused,"
                " paused_reason, created_at) VALUES ('slack', '', 'C1', 'channel', '[]', '[]',"
                " 10, '09:00:00', 'UTC', '[0]', '', 0, '', '2026-11-25 09:00:00')"
            )
        )
    store = await open_store(url)
    try:
        (old,) = await store.subscriptions()
        assert old.refresh_after is None
        assert old.id is not None
        changed = await store.update(old.id, refresh_after=12)
        assert changed is not None
        assert changed.refresh_after == 12
    finally:
        await store.close()
    migrate(url, "replays", down=True)
    columns = {c["name"] for c in inspect(engine).get_columns("deliveries")}
    assert "refreshed_at" not in columns
    assert "refresh_after" not in {c["name"] for c in inspect(engine).get_columns("subscriptions")}
    engine.dispose()


async def test_a_refresh_held_by_another_worker_waits_for_its_lease(store: SqlStore) -> None:
    publisher = EditingPublisher(parts=2)
    sub = await posted(store, publisher)
    later = MORNING + DAY + dt.timedelta(minutes=1)
    assert sub.id is not None
    (due,) = await store.to_refresh(sub.id, scheduled_after=MORNING - DAY, scheduled_before=later)
    # Another replica holds it (and then died without a word).
    assert await store.hold_refresh(due.id, now=later, lease=dt.timedelta(minutes=10))
    busy = await refresher(store, publisher, later + dt.timedelta(minutes=5)).run()
    assert busy.outcomes == {"refresh already handled": 1}
    assert publisher.edits == []
    taken = await refresher(store, publisher, later + dt.timedelta(minutes=11)).run()
    assert taken.outcomes == {"refreshed": 1}
    assert len(publisher.edits) == 2


class GoneDay:
    async def snapshot(self, day: dt.date | None, categories: object) -> None:
        raise FeedError(f"the papers of {day} cannot be had right now")


async def test_a_day_that_cannot_be_read_again_waits_for_a_later_run(store: SqlStore) -> None:
    publisher = EditingPublisher()
    await posted(store, publisher)
    later = MORNING + DAY + dt.timedelta(minutes=1)
    waiting = await Refresher(
        store, GoneDay(), {("discord", "webhook"): publisher}, clock=lambda: later
    ).run()
    assert waiting.outcomes == {"refresh waiting": 1}
    assert "cannot be had right now" in waiting.problems[0]
    assert (await refresher(store, publisher, later).run()).outcomes == {"refreshed": 1}


async def test_an_odd_answer_to_an_edit_is_retried_at_once_by_the_next_run(
    store: SqlStore,
) -> None:
    publisher = EditingPublisher()
    await posted(store, publisher)
    later = MORNING + DAY + dt.timedelta(minutes=1)
    publisher.edit_failures = [ValueError("not JSON")]
    odd = await refresher(store, publisher, later).run()
    assert odd.outcomes == {"refresh failed": 1}
    assert "ValueError" in odd.problems[0]
    # Released: the next run (well within the lease) edits it.
    again = await refresher(store, publisher, later + dt.timedelta(minutes=1)).run()
    assert again.outcomes == {"refreshed": 1}
