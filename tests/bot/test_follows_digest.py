"""The daily direct messages: one per person per day at their time, each paper at most once."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.errors import DeliveryError, DestinationGone, MaybePosted
from bot.follows.digest import MAX_DM_PAPERS, FollowDigests, compose, local_day, render_text
from bot.follows.match import DayIndex, match_day
from bot.follows.model import DmTime, Follow, FollowDigest, Kind, Person
from bot.follows.store import FollowStore
from bot.models import Paper
from bot.snapshot import Snapshot, sample_snapshot
from bot.snapshots import FixedSnapshot
from bot.store import SqlStore

ME = Person(platform="slack", scope="T1", user="U1")
YOU = Person(platform="discord", scope="G1", user="42")
DAY = dt.date(2026, 11, 25)
MORNING = dt.datetime(2026, 11, 25, 9, 5, tzinfo=dt.UTC)
SAMPLE = sample_snapshot()


class RecordingMessenger:
    """A direct-message platform that keeps what it was sent, or fails as told."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.sent: list[tuple[Person, FollowDigest]] = []
        self.fail = fail

    async def send_dm(self, person: Person, message: FollowDigest) -> str:
        await asyncio.sleep(0)
        if self.fail is not None:
            raise self.fail
        self.sent.append((person, message))
        return f"dm-{len(self.sent)}"


async def add(store: FollowStore, person: Person, kind: Kind, value: str, text: str = "") -> None:
    await store.add(Follow(person=person, kind=kind, value=value, text=text, created_at=MORNING))


def job(
    store: SqlStore, messenger: RecordingMessenger, snapshot: Snapshot = SAMPLE
) -> FollowDigests:
    return FollowDigests(
        FollowStore(store),
        FixedSnapshot(snapshot),
        {"slack": messenger, "discord": messenger},
    )


def test_the_dm_time_comes_in_the_persons_zone() -> None:
    berlin = DmTime(at=dt.time(9), zone="Europe/Berlin")
    assert local_day(berlin, dt.datetime(2026, 11, 25, 7, 59, tzinfo=dt.UTC)) is None
    assert local_day(berlin, dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)) == DAY
    tokyo = DmTime(at=dt.time(8), zone="Asia/Tokyo")
    assert local_day(tokyo, dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC)) == DAY
    assert local_day(DmTime(), dt.datetime(2026, 11, 25, 8, 59, tzinfo=dt.UTC)) is None


async def test_a_person_gets_one_message_with_every_new_match_once(store: SqlStore) -> None:
    follows = FollowStore(store)
    await add(follows, ME, "author", "J. Shin")
    await add(follows, ME, "keyword", "reinforcement learning")
    messenger = RecordingMessenger()
    report = await job(store, messenger).run(MORNING)
    assert report.outcomes["sent"] == 1
    ((person, message),) = messenger.sent
    assert person == ME
    assert message.day == DAY
    ids = [m.paper.arxiv_id for m in message.matches]
    assert "2103.09742" in ids  # Jinwoo Shin
    assert all(
        any("Shin" in a for a in m.paper.authors) or "reinforcement learning" in m.reasons[0]
        for m in message.matches
    )
    assert report.papers == len(ids)
    # Later the same day, and the next day with the same papers: nothing more.
    assert (await job(store, messenger).run(MORNING + dt.timedelta(hours=3))).outcomes == {}
    later = await job(store, messenger).run(MORNING + dt.timedelta(days=1))
    assert later.outcomes == {"nothing new": 1}
    assert len(messenger.sent) == 1
    assert await follows.messages(ME) == [(DAY, "sent", len(ids))]


async def test_nobody_is_messaged_before_their_time(store: SqlStore) -> None:
    follows = FollowStore(store)
    await add(follows, ME, "author", "Jinwoo Shin")
    await follows.set_dm_time(ME, DmTime(at=dt.time(11), zone="Europe/Berlin"))
    messenger = RecordingMessenger()
    assert (await job(store, messenger).run(MORNING)).outcomes == {}
    assert (await job(store, messenger).run(MORNING + dt.timedelta(hours=1))).outcomes == {
        "sent": 1
    }


async def test_a_refused_message_is_sent_by_the_next_run(store: SqlStore) -> None:
    follows = FollowStore(store)
    await add(follows, ME, "author", "Jinwoo Shin")
    refused = await job(store, RecordingMessenger(DeliveryError("Slack refused: x"))).run(MORNING)
    assert refused.outcomes == {"failed": 1}
    assert "retried by the next run" in refused.problems[0]
    assert await follows.sent_papers(ME) == set()
    messenger = RecordingMessenger()
    assert (await job(store, messenger).run(MORNING)).outcomes == {"sent": 1}


async def test_a_person_who_takes_no_dms_is_tried_once_a_day(store: SqlStore) -> None:
    follows = FollowStore(store)
    await add(follows, ME, "author", "Jinwoo Shin")
    closed = RecordingMessenger(DestinationGone("Discord refused a direct message to 42 (403)"))
    report = await job(store, closed).run(MORNING)
    assert report.outcomes == {"refused": 1}
    assert report.problems == [
        "slack:T1:U1: Discord refused a direct message to 42 (403) (tried again tomorrow)"
    ]
    assert (await job(store, closed).run(MORNING + dt.timedelta(hours=1))).outcomes == {}
    assert await follows.sent_papers(ME) == set()
    assert await follows.messages(ME) == [(DAY, "refused", 0)]


async def test_a_message_that_may_have_gone_out_is_never_sent_again(store: SqlStore) -> None:
    follows = FollowStore(store)
    await add(follows, ME, "author", "Jinwoo Shin")
    lost = await job(store, RecordingMessenger(MaybePosted("no answer"))).run(MORNING)
    assert lost.outcomes == {"in doubt": 1}
    messenger = RecordingMessenger()
    assert (await job(store, messenger).run(MORNING + dt.timedelta(days=1))).outcomes == {
        "nothing new": 1
    }
    assert messenger.sent == []
    assert await follows.messages(ME) == [(DAY, "uncertain", 1)]


async def test_two_processes_at_once_send_each_message_once(store: SqlStore) -> None:
    follows = FollowStore(store)
    await add(follows, ME, "author", "Jinwoo Shin")
    await add(follows, YOU, "keyword", "GANs")
    messenger = RecordingMessenger()
    reports = await asyncio.gather(*(job(store, messenger).run(MORNING) for _ in range(4)))
    assert sum(r.outcomes["sent"] for r in reports) == 2
    assert sorted(p.user for p, _ in messenger.sent) == ["42", "U1"]


async def test_a_platform_without_a_messenger_is_named_and_left_for_later(store: SqlStore) -> None:
    follows = FollowStore(store)
    await add(follows, Person(platform="console", user="ada"), "author", "Jinwoo Shin")
    report = await job(store, RecordingMessenger()).run(MORNING)
    assert report.outcomes == {"no messenger": 1}
    assert report.problems == ["console::ada: no console direct messages configured here"]


async def test_a_day_without_papers_waits(store: SqlStore) -> None:
    follows = FollowStore(store)
    await add(follows, ME, "author", "Jinwoo Shin")
    empty = Snapshot(date=DAY, announced=False)
    report = await job(store, RecordingMessenger(), empty).run(MORNING)
    assert report.outcomes == {"waiting for papers": 1}
    assert await follows.messaged(DAY) == set()


def test_a_long_day_is_cut_to_the_message_size_and_says_how_many_more() -> None:
    papers = [Paper(arxiv_id=f"2103.{i:05d}", title=f"Diffusion {i}") for i in range(25)]
    matches = match_day(
        DayIndex(papers), [Follow(person=ME, kind="keyword", value="diffusion", created_at=MORNING)]
    )
    message = compose(ME, DAY, matches, sent={"2103.00000"})
    assert message is not None
    assert len(message.matches) == MAX_DM_PAPERS
    assert message.more == 24 - MAX_DM_PAPERS
    text = render_text(message)
    assert text.startswith(
        f"hotpapers: {MAX_DM_PAPERS} new papers for what you follow (2026-11-25)"
    )
    assert "… and 14 more matched: narrower follows" in text
    assert compose(ME, DAY, matches, sent={p.arxiv_id for p in papers}) is None


@pytest.mark.parametrize("hostile", ["<!channel>", "\x1b[2J", "@everyone"])
def test_the_plain_text_keeps_no_control_characters(hostile: str) -> None:
    paper = Paper(arxiv_id="2103.00001", title=f"T {hostile}\nsecond line", authors=(hostile,))
    matches = match_day(
        DayIndex([paper]), [Follow(person=ME, kind="keyword", value="t", created_at=MORNING)]
    )
    text = render_text(FollowDigest(person=ME, day=DAY, matches=tuple(matches)))
    assert "\x1b" not in text
    assert "second line" in text.splitlines()[1]


async def test_a_message_is_dated_by_its_papers_announcement_day(store: SqlStore) -> None:
    """The sample day's papers, sent on 2026-11-25, are dated 2021-03-18 (their day); the
    message is still the person's one of 2026-11-25."""
    follows = FollowStore(store)
    await add(follows, ME, "author", "J. Shin")
    messenger = RecordingMessenger()
    await job(store, messenger).run(MORNING)
    ((_, message),) = messenger.sent
    assert (message.day, message.announced, message.dated) == (DAY, SAMPLE.date, SAMPLE.date)
    assert f"for what you follow ({SAMPLE.date})" in render_text(message)
    assert str(DAY) not in render_text(message)
    assert await follows.messaged(DAY) == {ME}
