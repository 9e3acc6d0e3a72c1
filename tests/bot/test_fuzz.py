"""The command fuzzer (issue 11, item 23): random and mutated commands, huge numbers, long
keyword lists and any Unicode, through the parser and the handler with a real SQLite store.

No input may raise, and every text reply fits the platform it goes to. CI runs the ``ci``
profile (100 examples per test); ``pytest --hypothesis-profile=long tests/bot/test_fuzz.py``
(or ``HOTPAPERS_FUZZ=long``) runs 20,000.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.arxiv_api import submission_window
from bot.chat import CommandHandler, Context, DigestReply, TextReply
from bot.commands import CommandError, parse
from bot.limits import MAX_TOP, REPLY_LIMITS
from bot.schedule import announcement_date
from bot.snapshot import Snapshot, sample_snapshot
from bot.store import open_store
from bot.taxonomy import load_taxonomy

NOW = dt.datetime(2021, 3, 19, 9, tzinfo=dt.UTC)
CONTEXTS = [
    Context(platform="slack", workspace="T1", channel="C1", user="U1"),
    Context(platform="discord", workspace="G1", channel="42", user="7"),
    Context(platform="console", channel="lab", may_manage=False),
]

VALID = [
    "",
    "help",
    "top 5",
    "cs.LG cs.CV top 3 keywords diffusion",
    "date 2021-03-18 public",
    "subscribe cs.LG at 09:00 tz Europe/Berlin top 10 weekdays mon-fri keywords llm agents",
    "unsubscribe cs.LG",
    "unsubscribe",
    "subscriptions",
    "pause",
    "resume",
    "rising cs.LG top 3",
    "week date 2021-03-18 keywords diffusion public",
    "month top 5",
    "subscribe cs.LG weekly fri at 16:00",
    "subscribe cs.LG daily lag 1d weekdays mon-fri",
    'subscribe cs.CV not survey -llm +video all diffusion model authors "Yann LeCun", Y. Bengio',
    'cs.LG keywords "large language" -"state space" authors “Léon Bottou”',
    "subscribe 1 at 10:00",
    "pause 1",
    "resume #2",
    "unsubscribe 1 2",
]
vocabulary = st.sampled_from(
    [
        *("subscribe", "unsubscribe", "subscriptions", "list", "pause", "resume", "help"),
        *("top", "date", "keywords", "public", "at", "tz", "weekdays"),
        *("rising", "week", "month", "daily", "weekly", "lag", "fri", "Friday", "1d", "1", "2d"),
        *("09:00", "23:59", "24:00", "mon-fri", "sat-mon", "daily", "Europe/Berlin", "UTC"),
        *("2021-03-18", "2021-02-30", "0001-01-01", "9999-12-31", "5", "0", "-1", "100", "101"),
        *sorted(load_taxonomy().categories)[:40],
        *("cs.*", "cs", "math.*", "CS.lg"),
        *("not", "all", "authors", "-llm", "+video", "-", "+", '"', "“", "”", '"Y. LeCun"'),
        *("#1", "2", "#0", "#", "99999999999", "all", ",", '-"a b"'),
    ]
)
unicode = st.text(st.characters(codec="utf-8"), max_size=60)
huge = st.text(st.sampled_from("0123456789"), min_size=4, max_size=6000) | st.text(
    st.sampled_from("0123456789٠١٢³²¹①"), min_size=1, max_size=6000
)
keyword = st.text(
    st.characters(codec="utf-8", exclude_categories=("Zs", "Cc")), min_size=1, max_size=80
)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid command with tokens dropped, doubled, swapped, recased or replaced."""
    tokens = draw(st.sampled_from(VALID)).split()
    for _ in range(draw(st.integers(0, 4))):
        action = draw(st.sampled_from(["drop", "double", "swap", "case", "replace", "insert"]))
        if not tokens and action != "insert":
            continue
        i = draw(st.integers(0, max(len(tokens) - 1, 0)))
        if action == "drop":
            del tokens[i]
        elif action == "double":
            tokens.insert(i, tokens[i])
        elif action == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif action == "case":
            tokens[i] = tokens[i].swapcase()
        else:
            token = draw(vocabulary | unicode | huge)
            tokens.insert(i, token) if action == "insert" else tokens.__setitem__(i, token)
    return " ".join(tokens)


commands = st.one_of(
    unicode,
    mutated(),
    st.lists(vocabulary | unicode, max_size=15).map(" ".join),
    st.tuples(st.sampled_from(["top", "subscribe cs.LG top", "date", "at"]), huge).map(" ".join),
    (st.sampled_from([dt.date.min, dt.date(1, 1, 3), dt.date(1991, 8, 13)]) | st.dates()).map(
        lambda day: f"date {day:%Y-%m-%d}"
    ),
    st.tuples(
        st.sampled_from(["keywords", "subscribe cs.LG keywords", "cs.LG top 3 keywords"]),
        st.lists(keyword, min_size=1, max_size=400).map(" ".join),
    ).map(" ".join),
)


class AnyDay:
    """The sample, served for whatever day is asked, after the date arithmetic a live store does
    for a day it never saw (the arXiv API's submission window): so that a date the parser lets
    through reaches the code a live bot would run on it."""

    async def snapshot(self, day: dt.date | None, categories: Sequence[str]) -> Snapshot | None:
        wanted = day or announcement_date(NOW)
        submission_window(wanted)
        return sample_snapshot().model_copy(update={"date": wanted})


class Errors(logging.Handler):
    """The ERROR lines logged: a bug the handler caught is still a bug."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record.getMessage())


ERRORS = Errors()


@pytest.fixture(scope="module")
def bot(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[asyncio.Runner, CommandHandler]]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "hotpapers.db"
    logging.getLogger("hotpapers").addHandler(ERRORS)
    with asyncio.Runner() as runner:
        store = runner.run(open_store(f"sqlite:///{path}"))
        # Readings of the sample day, so that rising, week and month rank something.
        runner.run(store.readings.record(sample_snapshot()))
        handler = CommandHandler(store, AnyDay(), clock=lambda: NOW)
        yield runner, handler
        runner.run(store.close())
    logging.getLogger("hotpapers").removeHandler(ERRORS)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=commands)
def test_the_parser_raises_nothing_but_a_short_command_error(text: str) -> None:
    try:
        parse(text, today=NOW.date())
    except CommandError as exc:
        message = str(exc)
    else:
        message = "parsed"
    assert 0 < len(message) < 1_000


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=commands, ctx=st.sampled_from(CONTEXTS))
@example(text="date 0001-01-01", ctx=CONTEXTS[0])  # it once ended the bot (date arithmetic)
def test_no_command_raises_and_every_reply_fits_its_platform(
    bot: tuple[asyncio.Runner, CommandHandler], text: str, ctx: Context
) -> None:
    runner, handler = bot
    ERRORS.seen.clear()
    reply = runner.run(handler.handle(text, ctx))
    assert ERRORS.seen == []
    if isinstance(reply, TextReply):
        assert reply.text
        assert len(reply.text) <= REPLY_LIMITS[ctx.platform]
    else:
        assert isinstance(reply, DigestReply)
        assert len(reply.digest.items) <= MAX_TOP
