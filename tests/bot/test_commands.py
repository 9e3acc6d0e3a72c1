from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands import (
    CommandError,
    DigestRequest,
    Pause,
    Simple,
    Subscribe,
    Unsubscribe,
    parse,
    parse_weekdays,
)

TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", DigestRequest()),
        ("cs.CV cs.LG top 5", DigestRequest(categories=("cs.CV", "cs.LG"), top=5)),
        ("date 2026-11-20", DigestRequest(date=dt.date(2026, 11, 20))),
        ("keywords diffusion models top 3", DigestRequest(keywords=("diffusion", "models"), top=3)),
        ("CS.lg public", DigestRequest(categories=("cs.LG",), public=True)),
        (
            "subscribe cs.LG cs.CV at 09:00 tz europe/berlin top 10 weekdays mon-fri keywords llm agents",
            Subscribe(
                categories=("cs.LG", "cs.CV"),
                at=dt.time(9),
                timezone="Europe/Berlin",
                top=10,
                weekdays=(0, 1, 2, 3, 4),
                keywords=("llm", "agents"),
            ),
        ),
        ("subscribe cs.*", Subscribe(categories=("cs.*",))),
        ("unsubscribe", Unsubscribe()),
        ("unsubscribe cs.CV", Unsubscribe(categories=("cs.CV",))),
        ("subscriptions", Simple("subscriptions")),
        ("list", Simple("subscriptions")),
        ("PAUSE", Pause()),
        ("resume #12 3", Pause(resume=True, ids=(12, 3))),
        ("unsubscribe 12 #13", Unsubscribe(ids=(12, 13))),
        ("unsubscribe all", Unsubscribe()),
        ("subscribe 12 at 10:00", Subscribe(categories=(), target=12, at=dt.time(10))),
        # Filters: any of (keywords), every one of (all, +word), none of (not, -word), authors.
        (
            "cs.LG keywords llm agents all diffusion video not survey -benchmark +open",
            DigestRequest(
                categories=("cs.LG",),
                keywords=("llm", "agents"),
                all_keywords=("diffusion", "video", "open"),
                exclude=("survey", "benchmark"),
            ),
        ),
        ("-llm not agents", DigestRequest(exclude=("llm", "agents"))),
        (
            'keywords "large language" -"state space"',
            DigestRequest(keywords=("large language",), exclude=("state space",)),
        ),
        (
            'authors "Yann LeCun" “Léon  Bottou” top 3',
            DigestRequest(authors=("Yann LeCun", "Léon Bottou"), top=3),
        ),
        ("authors Y. LeCun, Bengio", DigestRequest(authors=("Y. LeCun", "Bengio"))),
        # Discord's keywords option may hold any filter: "keywords" then another is that one.
        (
            'keywords authors "Y. LeCun" -gan',
            DigestRequest(authors=("Y. LeCun",), exclude=("gan",)),
        ),
        (
            'subscribe cs.CV authors "Kaiming He" not survey',
            Subscribe(categories=("cs.CV",), authors=("Kaiming He",), exclude=("survey",)),
        ),
        ("help", Simple("help")),
        # The same words on every platform: Discord's subcommand ``now``, commas between
        # categories.
        ("now", DigestRequest()),
        ("NOW cs.LG top 3", DigestRequest(categories=("cs.LG",), top=3)),
        ("cs.AI,cs.LG", DigestRequest(categories=("cs.AI", "cs.LG"))),
        ("now cs.AI, cs.LG ,cs.CV", DigestRequest(categories=("cs.AI", "cs.LG", "cs.CV"))),
        ("subscribe cs.AI,cs.LG", Subscribe(categories=("cs.AI", "cs.LG"))),
        ("unsubscribe cs.AI,cs.LG", Unsubscribe(categories=("cs.AI", "cs.LG"))),
    ],
)
def test_the_command_language(text: str, expected: object) -> None:
    assert parse(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cs.LGG", "Did you mean cs.LG"),
        ("cs.AI,cs.LGG", "Did you mean cs.LG"),
        ("subscibe cs.LG", "Did you mean subscribe"),
        ("subscribe cs.LG at 25:00", "is not a time"),
        ("subscribe cs.LG tz Europe/Berln", "Did you mean Europe/Berlin"),
        ("subscribe cs.LG weekdays someday", "is not a set of weekdays"),
        ("top 0", "from 1 to 100"),
        ("top many", "from 1 to 100"),
        ("date 2026-02-30", "is not a date"),
        ("date 2999-01-01", "in the future"),
        ("keywords", "at least one word"),
        ("top", "needs a value"),
        ("top 5 top 6", "given twice"),
        ("help me", "takes nothing after it"),
        ("at 09:00", "belong to “subscribe”"),
        ("subscribe cs.LG public", "not for a subscription"),
        ("unsubscribe cs.LG top 3", "takes categories or subscription numbers"),
        ("unsubscribe cs.LG 12", "not both at once"),
        ("pause cs.LG", "takes subscription numbers"),
        ("unsubscribe 99999999999", "is not a subscription number"),
        ("subscribe 1 2 at 10:00", "one subscription at a time"),
        ('authors "Yann LeCun', "quote is not closed"),
        ('"cs.LG"', "is in quotes"),
        ("not", "at least one word"),
        ("authors", "at least one word"),
        ("cs.LG -", "needs a word after it"),
    ],
)
def test_bad_input_gets_a_friendly_sentence(text: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        parse(text, today=TODAY)


@pytest.mark.parametrize(
    ("spec", "days"),
    [
        ("mon-fri", (0, 1, 2, 3, 4)),
        ("sat-mon", (0, 5, 6)),
        ("mon,wed,fri", (0, 2, 4)),
        ("daily", tuple(range(7))),
        ("weekends", (5, 6)),
        ("Monday-Tuesday", (0, 1)),
    ],
)
def test_weekday_specs(spec: str, days: tuple[int, ...]) -> None:
    assert parse_weekdays(spec) == days


words = st.sampled_from(
    [
        "subscribe",
        "unsubscribe",
        "top",
        "date",
        "at",
        "tz",
        "keywords",
        "weekdays",
        "public",
        "cs.LG",
        "cs.*",
        "09:00",
        "5",
        "mon-fri",
        "Europe/Berlin",
        "2026-11-20",
        "help",
        "pause",
        "list",
    ]
)
noise = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(noise, st.lists(st.one_of(words, noise), max_size=12).map(" ".join)))
def test_no_input_makes_the_parser_raise_anything_but_a_command_error(text: str) -> None:
    try:
        parse(text, today=TODAY)
    except CommandError as exc:
        message = str(exc)
    else:
        message = "parsed"
    assert message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("top " + "9" * 3990, "from 1 to 100"),
        ("top " + "9" * 5000, "at most 4000 characters"),
        ("top ²", "from 1 to 100"),
        ("subscribe cs.LG keywords " + " ".join(f"w{i}" for i in range(21)), "At most 20 keywords"),
        ("keywords " + "x" * 65, "at most 64 characters"),
        ("cs.LG " * 800, "at most 4000 characters"),
    ],
)
def test_numbers_and_keywords_are_bounded(text: str, message: str) -> None:
    with pytest.raises(CommandError, match=message) as caught:
        parse(text, today=TODAY)
    assert len(str(caught.value)) < 200  # the token is never echoed whole


def test_a_leading_zero_is_still_a_number() -> None:
    assert parse("top 05", today=TODAY) == DigestRequest(top=5)
