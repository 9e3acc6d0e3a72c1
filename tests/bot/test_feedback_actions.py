"""Buttons and reactions, platform-free: a press is read back from untrusted ids, a reaction is
tied to a paper only when it can be, and a group's own count is one line apart from the score."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.feedback import Channel, Feedback
from bot.feedback.actions import (
    OwnCount,
    Press,
    acknowledgement,
    action_id,
    custom_id,
    own_counts,
    own_line,
    parse_custom_id,
    press,
    reacted_paper,
    thread_seed,
    with_own,
)
from bot.models import Digest, Link, Ranked
from bot.store import SqlStore
from tests.fakes import paper

T0 = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)


def test_a_button_names_its_action_and_carries_the_paper() -> None:
    assert action_id("save") == "hp_save"
    assert press("hp_save", "2611.00001") == Press(action="save", arxiv_id="2611.00001")
    assert custom_id("like", "2611.00001") == "hp:like:2611.00001"
    assert parse_custom_id("hp:like:2611.00001") == Press(action="like", arxiv_id="2611.00001")
    assert Press(action="discuss", arxiv_id="2611.00001").kind is None
    assert Press(action="dislike", arxiv_id="2611.00001").kind == "dislike"


@pytest.mark.parametrize(
    ("action", "value"),
    [
        ("hp_boost", "2611.00001"),
        ("like", "2611.00001"),
        ("hp_like", "../etc/passwd"),
        ("hp_like", ""),
        ("hp_like", "2611.00001v2"),
    ],
)
def test_a_press_that_is_not_ours_is_none(action: str, value: str) -> None:
    assert press(action, value) is None


@pytest.mark.parametrize(
    "text", ["hp:like", "xx:like:2611.00001", "hp::2611.00001", "", "hp:like:x"]
)
def test_a_custom_id_that_is_not_ours_is_none(text: str) -> None:
    assert parse_custom_id(text) is None


def test_the_presser_is_told_for_whom() -> None:
    assert acknowledgement("save", channel="#lab") == "🔖 Saved for you and #lab."
    assert acknowledgement("like", channel="") == "👍 Noted: for you."


def test_a_thread_seed_has_the_papers_links_in_order() -> None:
    item = Ranked(
        paper=paper("2611.00001"),
        score=1.0,
        links=(Link(kind="code", label="GitHub", url="https://github.com/a/b"),),
    )
    seed = thread_seed(item)
    assert seed.arxiv_id == "2611.00001"
    assert [x.label for x in seed.links] == ["abs", "pdf", "GitHub"]
    assert seed.links[0].url == "https://arxiv.org/abs/2611.00001"


CARRIED = [(6, "2611.00006"), (7, "2611.00007")]


@pytest.mark.parametrize(
    ("carried", "emoji", "paper_id"),
    [
        (CARRIED, "seven", "2611.00007"),
        (CARRIED, ":six:", "2611.00006"),
        (CARRIED, "7\ufe0f\u20e3", "2611.00007"),
        (CARRIED, "one", None),  # rank 1 is in another message
        (CARRIED, "fire", None),  # two papers: which one?
        ([(3, "2611.00003")], "fire", "2611.00003"),
        ([(3, "2611.00003")], "one", "2611.00003"),
        ([(0, "2611.00003")], "🔥", "2611.00003"),
        ([(10, "2611.00010"), (11, "2611.00011")], "keycap_ten", "2611.00010"),
        ([(10, "2611.00010"), (11, "2611.00011")], "🔟", "2611.00010"),
        ([], "one", None),
    ],
)
def test_a_reaction_counts_for_a_paper_only_when_it_can_be_tied(
    carried: list[tuple[int, str]], emoji: str, paper_id: str | None
) -> None:
    assert reacted_paper(carried, emoji) == paper_id


def _said(kind: str, user: str = "U1", emoji: str = "", arxiv_id: str = "2611.00001") -> Feedback:
    return Feedback(
        platform="slack",
        scope="T1",
        channel="C1",
        user=user,
        arxiv_id=arxiv_id,
        kind=kind,  # type: ignore[arg-type]
        emoji=emoji,
        at=T0,
    )


def test_the_groups_own_count_is_one_line_per_paper() -> None:
    counts = own_counts(
        [
            _said("like", "U1"),
            _said("like", "U2"),
            _said("like", ""),  # an import: not anyone's word in the channel
            _said("save", "U1"),
            _said("reaction", "U1", "fire"),
            _said("reaction", "U2", "fire"),
            _said("reaction", "U2", "🎉"),
            _said("dislike", "U3", arxiv_id="2611.00002"),
        ]
    )
    assert counts["2611.00001"] == OwnCount(likes=2, saves=1, reactions=(("fire", 2), ("🎉", 1)))
    assert own_line(counts["2611.00001"], group="this workspace") == (
        "this workspace: 2 👍, 1 🔖, 2 :fire:, 1 🎉"
    )
    assert own_line(counts["2611.00002"], group="this server") == "this server: 1 👎"
    assert not OwnCount()


def test_only_papers_with_a_count_get_a_line() -> None:
    digest = Digest(
        date=dt.date(2026, 11, 24),
        items=(
            Ranked(paper=paper("2611.00001"), score=2.0),
            Ranked(paper=paper("2611.00002"), score=1.0),
        ),
        generated_at=T0,
    )
    shown = with_own(digest, {"2611.00001": OwnCount(likes=1)}, group="this channel")
    assert [item.own for item in shown.items] == ["this channel: 1 👍", ""]
    assert [item.score for item in shown.items] == [2.0, 1.0]  # never mixed into the score
    assert with_own(digest, {}, group="this channel") is digest


async def test_the_store_knows_which_papers_a_message_carries(store: SqlStore) -> None:
    lab = Channel(platform="discord", scope="G1", channel="100")
    thread = Channel(platform="discord", scope="G1", channel="555")
    assert await store.feedback.posted(lab, "M1", CARRIED, at=T0) == 2
    assert await store.feedback.posted(lab, "M1", CARRIED, at=T0) == 0  # kept once
    await store.feedback.posted(thread, "", [(0, "2611.00007")], at=T0, home="100")
    assert await store.feedback.carried(lab, "M1") == (CARRIED, "100")
    assert await store.feedback.carried(lab, "M2") == ([], "100")
    # Any message in a paper's thread: the thread's paper, counted in its home channel.
    assert await store.feedback.carried(thread, "M9") == ([(0, "2611.00007")], "100")


async def test_a_refreshed_message_carries_its_new_papers_only(store: SqlStore) -> None:
    lab = Channel(platform="slack", scope="T1", channel="C1")
    await store.feedback.posted(lab, "1.1", [(1, "2611.00001"), (2, "2611.00002")], at=T0)
    added = await store.feedback.posted(lab, "1.1", [(1, "2611.00002"), (2, "2611.00003")], at=T0)
    assert added == 2
    assert await store.feedback.carried(lab, "1.1") == (
        [(1, "2611.00002"), (2, "2611.00003")],
        "C1",
    )
