"""``mix`` in the command language: a subscription's blend of hotness and relevance."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.chat import CommandHandler, Context, TextReply
from bot.commands import CommandError, Subscribe, parse
from bot.snapshot import sample_snapshot
from bot.snapshots import FixedSnapshot
from bot.store import SqlStore

TODAY = dt.date(2026, 11, 27)
NOW = dt.datetime(2026, 11, 27, 18, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "mix"), [("mix 0.5", 0.5), ("mix 0", 0.0), ("mix 1", 1.0), ("mix .25", 0.25)]
)
def test_mix_parses_from_zero_to_one(text: str, mix: float) -> None:
    assert parse(f"subscribe cs.LG {text}", today=TODAY) == Subscribe(
        categories=("cs.LG",), mix=mix
    )


@pytest.mark.parametrize("value", ["1.5", "-0.1", "half", "0.1234", "1e-1", "٠.٥"])
def test_a_bad_mix_is_one_sentence(value: str) -> None:
    with pytest.raises(CommandError, match="“mix” takes a number from 0"):
        parse(f"subscribe cs.LG mix {value}", today=TODAY)


def test_mix_belongs_to_subscribe() -> None:
    with pytest.raises(CommandError, match="belong to “subscribe”"):
        parse("cs.LG mix 0.5", today=TODAY)


async def test_a_channel_sets_its_mix_from_chat(store: SqlStore) -> None:
    handler = CommandHandler(store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW)
    ctx = Context(platform="slack", workspace="T1", channel="C1")
    reply = await handler.handle("subscribe cs.LG", ctx)
    assert isinstance(reply, TextReply)
    assert "mix" not in reply.text  # the default is not worth a word
    ((sub,),) = [await store.subscriptions()]
    assert sub.mix == 0.3
    reply = await handler.handle("subscribe mix 0.7", ctx)
    assert isinstance(reply, TextReply)
    assert "mix 0.7" in reply.text
    ((sub,),) = [await store.subscriptions()]
    assert sub.mix == 0.7
