"""The personal commands' parser: what each command means, and one helpful sentence when not."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands import CommandError
from bot.follows.commands import (
    FollowThis,
    ForgetMe,
    ListFollows,
    SetDmTime,
    Unfollow,
    is_personal,
    parse,
)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ('follow author "Yann LeCun"', FollowThis(kind="author", value="Yann LeCun")),
        ("follow author “Roxana Rădulescu”", FollowThis(kind="author", value="Roxana Rădulescu")),
        ("Follow Author  Yann   LeCun", FollowThis(kind="author", value="Yann LeCun")),
        ("follow keyword diffusion models", FollowThis(kind="keyword", value="diffusion models")),
        ("follow similar arXiv:2103.09742v2", FollowThis(kind="similar", value="2103.09742")),
        (
            "follow similar https://arxiv.org/abs/2103.09742",
            FollowThis(kind="similar", value="2103.09742"),
        ),
        ("follows", ListFollows()),
        ("unfollow 2", Unfollow(numbers=(2,))),
        ("unfollow 1, 3 #3", Unfollow(numbers=(1, 3))),
        ('unfollow author "Yann LeCun"', Unfollow(kind="author", value="Yann LeCun")),
        ("unfollow all", Unfollow(everything=True)),
        ("dm at 08:30", SetDmTime(at=dt.time(8, 30))),
        ("dm at 7:05 tz europe/berlin", SetDmTime(at=dt.time(7, 5), zone="Europe/Berlin")),
        ("dm tz Asia/Tokyo", SetDmTime(zone="Asia/Tokyo")),
        ("forget me", ForgetMe()),
    ],
)
def test_each_personal_command_means_what_it_says(text: str, command: object) -> None:
    assert parse(text) == command


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("follow auther LeCun", "Did you mean author?"),
        ("follow", "Follow an author, a keyword or papers similar to one"),
        ("follow author", 'like /hotpapers follow author "Yann LeCun"'),
        ("follow similar not-an-id", "is not an arXiv id"),
        ("follow author 1234", "is not a name"),
        ("follow keyword " + "x" * 70, "at most 64 characters"),
        ("follows cs.LG", "takes nothing after it"),
        ("unfollow", "Unfollow what?"),
        ("unfollow two", "is not a number from /hotpapers follows"),
        ("unfollow 0", "is not a number"),
        ("dm", "When?"),
        ("dm at 25:00", "is not a time"),
        ("dm at 08:00 tz Mars/Base", "is not a time zone"),
        ("dm at 08:00 at 09:00", "given twice"),
        ("dm soon", "“dm” takes at HH:MM and tz ZONE"),
        ("forget you", "forget me"),
    ],
)
def test_bad_input_gets_one_sentence_with_the_fix(text: str, says: str) -> None:
    with pytest.raises(CommandError, match=None) as caught:
        parse(text)
    assert says in str(caught.value)


def test_only_the_personal_words_are_personal_commands() -> None:
    assert is_personal("follow author X")
    assert is_personal("FOLLOWS")
    assert is_personal("forget me")
    assert not is_personal("subscribe cs.LG")
    assert not is_personal("")
    assert not is_personal("cs.LG top 5")


@given(st.text(max_size=200))
def test_any_text_parses_or_raises_command_error_only(text: str) -> None:
    if not is_personal(text):
        return
    try:
        parse(text)
    except CommandError as exc:
        said = str(exc)
    else:
        said = "parsed"
    assert said
