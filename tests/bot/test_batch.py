"""Group commit: concurrent writes share a transaction; each caller gets its own result."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from bot.store.batch import Batch


class Table:
    """A pretend transaction: records each batch it applied; values < 0 make it fail."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    async def apply(self, ops: Sequence[int]) -> list[int]:
        await asyncio.sleep(0)  # a round trip: others queue meanwhile
        if any(op < 0 for op in ops):
            raise ValueError(f"cannot write {min(ops)}")
        self.batches.append(list(ops))
        return [op * 10 for op in ops]


async def test_concurrent_writes_share_a_transaction_and_get_their_own_results() -> None:
    table = Table()
    batch = Batch(table.apply)
    results = await asyncio.gather(*(batch.submit(n) for n in range(1, 8)))
    assert results == [10, 20, 30, 40, 50, 60, 70]
    assert sorted(n for b in table.batches for n in b) == list(range(1, 8))
    assert len(table.batches) < 7
    assert (batch.transactions, batch.writes) == (len(table.batches), 7)


async def test_a_failing_write_fails_alone() -> None:
    table = Table()
    batch = Batch(table.apply)
    outcomes = await asyncio.gather(
        batch.submit(1), batch.submit(-2), batch.submit(3), return_exceptions=True
    )
    assert outcomes[0] == 10
    assert isinstance(outcomes[1], ValueError)
    assert outcomes[2] == 30
    assert sorted(n for b in table.batches for n in b) == [1, 3]


async def test_the_batches_are_bounded() -> None:
    table = Table()
    batch = Batch(table.apply, most=3)
    await asyncio.gather(*(batch.submit(n) for n in range(10)))
    assert max(len(b) for b in table.batches) == 3
    assert sorted(n for b in table.batches for n in b) == list(range(10))


async def test_a_write_whose_caller_gave_up_before_its_turn_is_not_applied() -> None:
    table = Table()
    batch = Batch(table.apply)
    first = asyncio.ensure_future(batch.submit(1))
    second = asyncio.ensure_future(batch.submit(2))
    await asyncio.sleep(0)  # both queued
    second.cancel()
    assert await first == 10
    with pytest.raises(asyncio.CancelledError):
        await second
    assert [n for b in table.batches for n in b] == [1]


def test_a_batch_serves_one_event_loop_after_another() -> None:
    table = Table()
    batch = Batch(table.apply)
    assert asyncio.run(batch.submit(1)) == 10
    assert asyncio.run(batch.submit(3)) == 30


async def test_without_gathering_the_first_write_goes_alone_and_the_rest_together() -> None:
    table = Table()
    batch = Batch(table.apply, gather=False)
    first = asyncio.ensure_future(batch.submit(1))
    await asyncio.sleep(0)  # the first write's transaction has begun
    rest = [asyncio.ensure_future(batch.submit(n)) for n in range(2, 6)]
    await asyncio.gather(first, *rest)
    assert table.batches == [[1], [2, 3, 4, 5]]
