"""The digest service: ranked off the loop, once per snapshot, cached per filter set."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Callable
from typing import TypeVar

import pytest

from bot.digests import DigestService, Flights, in_thread
from bot.engine import build_digest
from bot.models import Filters
from bot.snapshot import Snapshot, sample_snapshot
from tests.fakes import CountingSnapshots

T = TypeVar("T")
NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)


class GatedOffload:
    """Runs work inline once the gate opens, counting every piece of work."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.runs = 0
        self.fail_next = False

    async def __call__(self, work: Callable[[], T]) -> T:
        self.runs += 1
        await self.gate.wait()
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("the worker died")
        return work()


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def day() -> Snapshot:
    return sample_snapshot()


def service(
    snapshots: CountingSnapshots, offload: GatedOffload, clock: Clock | None = None
) -> DigestService:
    return DigestService(
        snapshots, offload=offload, clock=clock or Clock(), ttl=dt.timedelta(minutes=5)
    )


async def test_concurrent_commands_for_the_same_filters_share_one_computation(
    day: Snapshot,
) -> None:
    snapshots, offload = CountingSnapshots(day), GatedOffload()
    digests = service(snapshots, offload)
    filters = Filters(categories=("cs.LG",), top=5)

    async def ask() -> object:
        snapshot = await digests.snapshot(None, ("cs.LG",))
        assert snapshot is not None
        return await digests.digest(snapshot, filters, generated_at=NOW, categories=("cs.LG",))

    asking = [asyncio.ensure_future(ask()) for _ in range(50)]
    await asyncio.sleep(0.01)
    offload.gate.set()
    answers = await asyncio.gather(*asking)

    assert len(snapshots.asked) == 1
    assert offload.runs == 2  # one ranking of the day, one cut for the filter set
    assert all(a == answers[0] for a in answers)
    expected = build_digest(day, filters, generated_at=NOW)
    assert answers[0] == expected


async def test_filter_sets_share_the_days_ranking_and_keep_its_scores(day: Snapshot) -> None:
    snapshots, offload = CountingSnapshots(day), GatedOffload()
    offload.gate.set()
    digests = service(snapshots, offload)
    whole = await digests.digest(day, Filters(), generated_at=NOW)
    keyword = whole.items[3].paper.title.split()[0]
    narrow = await digests.digest(day, Filters(keywords=(keyword,), top=3), generated_at=NOW)

    assert offload.runs == 3  # ranked once, cut twice
    assert narrow.items
    scores = {r.paper.arxiv_id: r.score for r in whole.items}
    assert all(r.score == scores[r.paper.arxiv_id] for r in narrow.items)


async def test_a_digest_is_recomputed_after_the_ttl(day: Snapshot) -> None:
    snapshots, offload, clock = CountingSnapshots(day), GatedOffload(), Clock()
    offload.gate.set()
    digests = service(snapshots, offload, clock)
    await digests.snapshot(None, ())
    await digests.digest(day, Filters(top=3), generated_at=NOW)
    clock.now += dt.timedelta(minutes=4)
    await digests.snapshot(None, ())
    await digests.digest(day, Filters(top=3), generated_at=NOW)
    assert (len(snapshots.asked), offload.runs) == (1, 2)

    clock.now += dt.timedelta(minutes=2)
    await digests.snapshot(None, ())
    await digests.digest(day, Filters(top=3), generated_at=NOW)
    assert (len(snapshots.asked), offload.runs) == (2, 4)


async def test_a_failed_computation_is_not_kept(day: Snapshot) -> None:
    offload = GatedOffload()
    offload.gate.set()
    offload.fail_next = True
    digests = service(CountingSnapshots(day), offload)
    with pytest.raises(RuntimeError):
        await digests.digest(day, Filters(top=3), generated_at=NOW)
    digest = await digests.digest(day, Filters(top=3), generated_at=NOW)
    assert len(digest.items) == 3


async def test_a_missing_day_is_asked_for_again(day: Snapshot) -> None:
    snapshots = CountingSnapshots(None)
    digests = service(snapshots, GatedOffload())
    assert await digests.snapshot(None, ()) is None
    assert await digests.snapshot(None, ()) is None
    assert len(snapshots.asked) == 2


async def test_a_cancelled_command_does_not_cancel_the_others(day: Snapshot) -> None:
    offload = GatedOffload()
    digests = service(CountingSnapshots(day), offload)
    first = asyncio.ensure_future(digests.digest(day, Filters(top=2), generated_at=NOW))
    second = asyncio.ensure_future(digests.digest(day, Filters(top=2), generated_at=NOW))
    await asyncio.sleep(0.01)
    first.cancel()
    offload.gate.set()
    assert len((await second).items) == 2
    assert first.cancelled()


async def test_least_recently_used_values_leave_first() -> None:
    flights: Flights[int] = Flights(ttl=dt.timedelta(hours=1), size=2, clock=lambda: NOW)

    async def value(n: int) -> int:
        return n

    for key in (1, 2, 1, 3):
        await flights.get(key, lambda key=key: value(key))  # type: ignore[misc]
    assert len(flights) == 2
    await flights.get(1, lambda: value(1))
    await flights.get(2, lambda: value(2))
    assert flights.computed == 4  # 1, 2, 3, then 2 again: it had left


async def test_pure_work_runs_in_a_worker_thread() -> None:
    loop_thread = threading.get_ident()
    assert await in_thread(threading.get_ident) != loop_thread


async def test_pure_work_runs_in_one_worker_thread_one_piece_at_a_time() -> None:
    """More workers would not rank faster (one thread runs Python at a time); they would only
    take more turns from the event loop."""
    running = 0
    most = 0
    guard = threading.Lock()

    def work() -> int:
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
        sum(range(200_000))
        with guard:
            running -= 1
        return threading.get_ident()

    threads = await asyncio.gather(*(in_thread(work) for _ in range(6)))
    assert len(set(threads)) == 1
    assert most == 1
