"""Feedback: its values refuse what cannot be stored, and the store keeps each word once,
takes it back, lists it per channel and person, tallies lab picks and forgets a person."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.errors import InputError
from bot.feedback import Channel, Feedback, Kind, parse_channel
from bot.store import SqlStore

T0 = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
LAB = Channel(platform="slack", scope="T1", channel="C1")


def said(
    kind: Kind,
    arxiv_id: str = "2611.00001",
    *,
    user: str = "U1",
    emoji: str = "",
    at: dt.datetime = T0,
    channel: Channel = LAB,
) -> Feedback:
    return Feedback(
        platform=channel.platform,
        scope=channel.scope,
        channel=channel.channel,
        user=user,
        arxiv_id=arxiv_id,
        kind=kind,
        emoji=emoji,
        at=at,
    )


def test_a_channel_is_platform_colon_id() -> None:
    assert parse_channel("slack:C0123") == Channel(platform="slack", channel="C0123")
    assert parse_channel("Discord:42", scope="G9") == Channel(
        platform="discord", channel="42", scope="G9"
    )
    assert str(parse_channel("console:lab")) == "console:lab"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("C0123", "PLATFORM:ID"),
        ("teams:C1", "not one of slack, discord, console"),
        ("slack:", "needs its id"),
        ("slack:C1 C2", "spaces or control characters"),
        ("slack:C\x1b[2J", "spaces or control characters"),
        ("slack:" + "C" * 200, "at most 128 characters"),
        ("discord:abc", "not a Discord channel id"),
        ("slack:general", "not a Slack channel id"),
    ],
)
def test_a_bad_channel_is_one_sentence(text: str, says: str) -> None:
    with pytest.raises(InputError, match=says):
        parse_channel(text)


def test_feedback_refuses_bad_ids_and_emoji_on_the_wrong_kind() -> None:
    with pytest.raises(InputError, match="not an arXiv id"):
        said("like", "2611.1")
    with pytest.raises(InputError, match="only a reaction"):
        said("like", emoji="fire")
    with pytest.raises(InputError, match="only a reaction"):
        said("reaction")
    assert said("reaction", "hep-th/9901001", emoji="fire").emoji == "fire"


async def test_the_same_feedback_twice_is_kept_once(store: SqlStore) -> None:
    assert (
        await store.feedback.add([said("like"), said("like", at=T0 + dt.timedelta(hours=1))]) == 1
    )
    assert await store.feedback.add([said("like")]) == 0
    assert [f.kind for f in await store.feedback.of_channel(LAB)] == ["like"]


async def test_a_reaction_removed_is_removed(store: SqlStore) -> None:
    await store.feedback.add(
        [said("reaction", emoji="fire"), said("reaction", emoji="tada"), said("save")]
    )
    assert (
        await store.feedback.remove([said("reaction", emoji="fire", at=T0 + dt.timedelta(1))]) == 1
    )
    assert await store.feedback.remove([said("reaction", emoji="fire")]) == 0
    left = await store.feedback.of_channel(LAB)
    assert sorted((f.kind, f.emoji) for f in left) == [("reaction", "tada"), ("save", "")]


async def test_a_like_replaces_a_dislike_of_the_same_person(store: SqlStore) -> None:
    await store.feedback.add([said("dislike"), said("dislike", user="U2")])
    await store.feedback.add([said("like", at=T0 + dt.timedelta(hours=1))])
    found = {(f.user, f.kind) for f in await store.feedback.of_channel(LAB)}
    assert found == {("U1", "like"), ("U2", "dislike")}


async def test_a_channel_lists_its_own_feedback_oldest_first(store: SqlStore) -> None:
    other = Channel(platform="slack", scope="T1", channel="C2")
    await store.feedback.add(
        [
            said("save", "2611.00002", at=T0 + dt.timedelta(hours=2)),
            said("like", "2611.00001", at=T0),
            said("like", "2611.00003", channel=other),
            said("dislike", "2611.00004", user="", at=T0 + dt.timedelta(hours=1)),
        ]
    )
    listed = await store.feedback.of_channel(LAB)
    assert [f.arxiv_id for f in listed] == ["2611.00001", "2611.00004", "2611.00002"]
    assert listed[0].at == T0
    # Named without its workspace, the channel is found in any.
    anywhere = await store.feedback.of_channel(Channel(platform="slack", channel="C1"))
    assert anywhere == listed
    assert [f.arxiv_id for f in await store.feedback.of_channel(LAB, kinds=["like", "save"])] == [
        "2611.00001",
        "2611.00002",
    ]
    later = await store.feedback.of_channel(LAB, since=T0 + dt.timedelta(hours=1))
    assert len(later) == 2


async def test_lab_picks_count_likes_and_saves_within_the_span(store: SqlStore) -> None:
    week = [T0 + dt.timedelta(days=d) for d in range(7)]
    await store.feedback.add(
        [
            said("like", "2611.00001", user="U1", at=week[0]),
            said("like", "2611.00001", user="U2", at=week[1]),
            said("save", "2611.00002", user="U1", at=week[2]),
            said("reaction", "2611.00002", user="U2", emoji="fire", at=week[2]),
            said("save", "2611.00003", user="U3", at=week[3]),
            said("dislike", "2611.00004", user="U1", at=week[3]),
            said("like", "2611.00005", user="U1", at=T0 - dt.timedelta(days=1)),  # before
            said("like", "2611.00006", user="U1", at=week[6] + dt.timedelta(days=1)),  # after
        ]
    )
    tallies = await store.feedback.tallies(LAB, since=T0, until=T0 + dt.timedelta(days=7))
    assert [(t.arxiv_id, t.picked) for t in tallies] == [
        ("2611.00001", 2),
        ("2611.00002", 1),  # a reaction puts it before an equal pick
        ("2611.00003", 1),
        ("2611.00004", 0),
    ]
    assert (tallies[1].saves, tallies[1].reactions, tallies[3].dislikes) == (1, 1, 1)


async def test_forgetting_a_person_removes_only_theirs(store: SqlStore) -> None:
    elsewhere = Channel(platform="slack", scope="T1", channel="C2")
    await store.feedback.add(
        [
            said("like", user="U1"),
            said("save", user="U1", channel=elsewhere),
            said("like", user="U2"),
            said("like", "2611.00002", user=""),
        ]
    )
    assert len(await store.feedback.of_user("slack", "U1")) == 2
    assert await store.feedback.forget("slack", "U1", scope="T2") == 0
    assert await store.feedback.forget("slack", "U1") == 2
    assert await store.feedback.forget("slack", "") == 0
    assert await store.feedback.of_user("slack", "U1") == []
    assert {f.user for f in await store.feedback.of_channel(LAB)} == {"U2", ""}
