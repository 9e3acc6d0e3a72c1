"""Relevance: the model orders papers by closeness to a channel's taste, the blend mixes that
with hotness as documented, and the taste is gathered from feedback and interests."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.feedback import Channel, Feedback, Interest
from bot.models import Digest, Paper, Ranked
from bot.relevance.blend import LIKED, blend, channel_digest
from bot.relevance.model import Taste, example_of, profile_of, score
from bot.relevance.taste import channel_taste, person_taste, subscription_profile, taste_of
from bot.store import SqlStore
from bot.subscriptions import Subscription
from tests.fakes import paper

T0 = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
SPEECH = paper(
    "2611.00001",
    title="Speech recognition for low-resource languages",
    abstract="We transcribe spoken audio with an end-to-end speech recognizer.",
)
ROBOT = paper(
    "2611.00002",
    title="Learning to grasp with a robot arm",
    abstract="A robot manipulator learns grasping from camera images.",
)
GRAPH = paper(
    "2611.00003",
    title="Graph neural networks at scale",
    abstract="Message passing on graphs with billions of edges.",
)
VOICE = paper(
    "2611.00004",
    title="Speaker verification from short audio clips",
    abstract="Audio embeddings identify the speaker of a spoken phrase.",
)
PAST = [
    paper(
        "2610.00001",
        title="Self-supervised speech representations",
        abstract="Audio speech models learn from unlabelled spoken recordings.",
    ),
    paper(
        "2610.00002",
        title="Robot navigation in crowds",
        abstract="A mobile robot plans paths among pedestrians.",
    ),
    paper(
        "2610.00003",
        title="Graph transformers",
        abstract="Attention over graph nodes and edges.",
    ),
]


def ranked(*papers: Paper) -> list[Ranked]:
    """In hot order: the first is the hottest (scores 100, 80, 60 …)."""
    return [Ranked(paper=p, score=100.0 - 20 * i) for i, p in enumerate(papers)]


def test_a_model_trained_on_likes_puts_their_kind_first() -> None:
    taste = Taste(
        examples=(
            example_of(PAST[0]),
            example_of(PAST[1], liked=False),
            example_of(PAST[2], liked=False),
        )
    )
    found = score(taste, [GRAPH, ROBOT, SPEECH, VOICE], pool=PAST)
    order = sorted(found, key=lambda i: -found[i].score)
    assert set(order[:2]) == {SPEECH.arxiv_id, VOICE.arxiv_id}
    assert found[order[0]].score == 1.0
    assert min(r.score for r in found.values()) == 0.0
    assert {r.method for r in found.values()} == {"model"}
    assert found[SPEECH.arxiv_id].near == "Self-supervised speech representations"


def test_the_cold_start_uses_the_profile() -> None:
    found = score(
        Taste(profile=profile_of(["Robotics"], ["robot", "grasping"])), [GRAPH, SPEECH, ROBOT]
    )
    assert max(found, key=lambda i: found[i].score) == ROBOT.arxiv_id
    assert found[ROBOT.arxiv_id].method == "profile"
    assert found[ROBOT.arxiv_id].near == ""


def test_no_taste_at_all_scores_nothing() -> None:
    found = score(Taste(), [GRAPH, SPEECH])
    assert {r.score for r in found.values()} == {0.0}
    assert {r.method for r in found.values()} == {"none"}
    assert score(Taste(profile="robot"), []) == {}


def test_scores_are_the_same_for_the_same_inputs() -> None:
    taste = Taste(examples=(example_of(PAST[0]),), profile="speech")
    assert score(taste, [GRAPH, SPEECH, VOICE], pool=PAST) == score(
        taste, [GRAPH, SPEECH, VOICE], pool=PAST
    )


def test_a_liked_paper_is_never_close_to_itself() -> None:
    found = score(Taste(examples=(example_of(SPEECH),)), [SPEECH, VOICE, GRAPH])
    assert found[SPEECH.arxiv_id].near == ""
    assert found[VOICE.arxiv_id].near == SPEECH.title


def test_mix_zero_keeps_the_hot_order_and_one_is_the_relevance_order() -> None:
    hot = ranked(GRAPH, ROBOT, SPEECH)
    relevance = score(Taste(examples=(example_of(PAST[0]),)), [GRAPH, ROBOT, SPEECH], pool=PAST)
    assert [r.paper for r in blend(hot, relevance, mix=0.0)] == [GRAPH, ROBOT, SPEECH]
    assert blend(hot, relevance, mix=1.0)[0].paper == SPEECH


def test_the_blend_is_the_documented_sum_and_says_why_a_paper_rose() -> None:
    hot = ranked(GRAPH, ROBOT, SPEECH)  # hot parts 1, 0.8, 0.6
    relevance = score(Taste(examples=(example_of(PAST[0]),)), [GRAPH, ROBOT, SPEECH], pool=PAST)
    mixed = blend(hot, relevance, mix=0.5)
    parts = {r.paper.arxiv_id: r.blend for r in mixed}
    speech = parts[SPEECH.arxiv_id]
    assert speech is not None
    assert (speech.mix, speech.relevance, speech.near, speech.method) == (
        0.5,
        1.0,
        PAST[0].title,
        "model",
    )
    assert speech.hot == pytest.approx(0.6)
    assert speech.total == pytest.approx(0.5 * 0.6 + 0.5 * 1.0)
    assert [r.paper for r in mixed] == [SPEECH, GRAPH, ROBOT]  # 0.8, 0.5, 0.4 + a little
    assert mixed[0].why == LIKED + PAST[0].title
    assert mixed[1].why == ""  # not lifted: nothing to say


def test_blending_nothing_and_a_bad_mix() -> None:
    assert blend([], {}, mix=0.3) == []
    with pytest.raises(ValueError, match="from 0 to 1"):
        blend(ranked(GRAPH), {}, mix=1.5)


def test_a_channel_digest_is_cut_to_its_top() -> None:
    now = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
    digest = Digest(date=now.date(), items=tuple(ranked(GRAPH, ROBOT, SPEECH)), generated_at=now)
    relevance = score(Taste(profile="speech audio"), [GRAPH, ROBOT, SPEECH])
    cut = channel_digest(digest, relevance, mix=1.0, top=2)
    assert [r.paper for r in cut.items] == [SPEECH, GRAPH]
    assert cut.filters.top == 2


def test_the_taste_of_feedback_likes_what_anyone_liked_and_skips_unknown_papers() -> None:
    def said(arxiv_id: str, kind: str, user: str) -> Feedback:
        return Feedback(
            platform="slack",
            channel="C1",
            user=user,
            arxiv_id=arxiv_id,
            kind=kind,
            at=T0,  # type: ignore[arg-type]
        )

    feedback = [
        said(SPEECH.arxiv_id, "dislike", "U1"),
        said(SPEECH.arxiv_id, "save", "U2"),
        said(GRAPH.arxiv_id, "dislike", "U1"),
        said("2611.09999", "like", "U1"),  # not stored: no text
    ]
    interest = Interest(key="10.1/x", title="Audio", text="Audio. Audio. Sound.")
    taste = taste_of(
        feedback,
        {p.arxiv_id: p for p in (SPEECH, GRAPH)},
        interests=[interest, Interest(key="2611.1", arxiv_id="2611.1", title="", text="")],
        profile="speech",
    )
    assert [(e.key, e.liked) for e in taste.examples] == [
        ("10.1/x", True),
        (SPEECH.arxiv_id, True),
        (GRAPH.arxiv_id, False),
    ]
    assert taste.profile == "speech"


def test_a_subscriptions_profile_names_its_categories_and_keywords() -> None:
    sub = Subscription(
        platform="slack", destination="C1", categories=("cs.RO", "eess.*"), keywords=("grasp",)
    )
    assert subscription_profile(sub) == "Robotics Electrical Engineering and Systems Science grasp"
    assert subscription_profile(None) == ""


async def test_a_channels_taste_comes_from_the_store(store: SqlStore) -> None:
    from bot.snapshot import Snapshot

    await store.readings.record(Snapshot(date=dt.date(2026, 11, 24), papers=(SPEECH, GRAPH)))
    lab = Channel(platform="slack", channel="C1", scope="T1")
    await store.feedback.add(
        [
            Feedback(
                platform="slack",
                scope="T1",
                channel="C1",
                user="U1",
                arxiv_id=SPEECH.arxiv_id,
                kind="like",
                at=T0,
            ),
            Feedback(
                platform="slack",
                scope="T1",
                channel="C1",
                user="U1",
                arxiv_id=GRAPH.arxiv_id,
                kind="reaction",
                emoji="eyes",
                at=T0,
            ),
            Feedback(
                platform="slack",
                scope="T1",
                channel="C9",
                user="U1",
                arxiv_id=GRAPH.arxiv_id,
                kind="dislike",
                at=T0,
            ),
        ]
    )
    interest = Interest(key="10.1/x", title="Audio", text="Audio. Audio. Sound.")
    assert await store.feedback.add_interests(lab, [interest, interest], at=T0) == 1
    assert await store.feedback.add_interests(lab, [interest], at=T0) == 0
    assert await store.feedback.interests(lab) == [interest]
    taste = await channel_taste(store, lab, profile="speech", known=[ROBOT])
    assert [(e.key, e.liked) for e in taste.examples] == [("10.1/x", True), (SPEECH.arxiv_id, True)]
    mine = await person_taste(store, "slack", "U1")
    assert [(e.key, e.liked) for e in mine.examples] == [
        (SPEECH.arxiv_id, True),
        (GRAPH.arxiv_id, False),
    ]


async def test_a_subscriptions_digest_is_blended_with_its_channels_feedback(
    store: SqlStore,
) -> None:
    from bot.relevance.taste import channel_blend

    now = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
    hot = Digest(
        date=now.date(), items=tuple(ranked(GRAPH, ROBOT, SPEECH, VOICE)), generated_at=now
    )
    sub = Subscription(platform="slack", workspace="T1", destination="C1", top=2, mix=0.9)
    # Given from the shell without a workspace: still the channel's.
    await store.feedback.add(
        [Feedback(platform="slack", channel="C1", arxiv_id=SPEECH.arxiv_id, kind="like", at=T0)]
    )
    mine = await channel_blend(store, sub, hot)
    assert [r.paper for r in mine.items] == [SPEECH, VOICE]
    assert mine.items[1].why == LIKED + SPEECH.title
    webhook = Subscription(
        platform="slack",
        kind="webhook",
        destination="https://hooks.slack.com/services/" + "x" * 200,
        keywords=("robot",),
        top=1,
        mix=1.0,
    )
    assert [r.paper for r in (await channel_blend(store, webhook, hot)).items] == [ROBOT]
    spaced = Subscription(
        platform="console", destination="my lab", keywords=("speaker",), top=1, mix=1.0
    )
    assert [r.paper for r in (await channel_blend(store, spaced, hot)).items] == [VOICE]
    assert [r.paper for r in (await channel_blend(store, sub, hot, mix=0.0, top=3)).items] == [
        GRAPH,
        ROBOT,
        SPEECH,
    ]


async def test_a_blended_subscription_hands_every_candidate_to_the_blend(store: SqlStore) -> None:
    from bot.cadence import subscription_digest
    from bot.snapshot import sample_snapshot
    from bot.snapshots import FixedSnapshot

    seen: list[Digest] = []

    async def blender(sub: Subscription, candidates: Digest, *, quiet: bool = False) -> Digest:
        seen.append(candidates)
        return candidates.model_copy(update={"items": candidates.items[-1:]})

    day = sample_snapshot().date
    now = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
    sub = Subscription(platform="slack", destination="C1", categories=("cs.LG",), top=2)
    common = {"snapshots": FixedSnapshot(sample_snapshot()), "readings": store.readings}
    hot = await subscription_digest(sub, day, generated_at=now, **common)  # type: ignore[arg-type]
    mixed = await subscription_digest(sub, day, generated_at=now, blend=blender, **common)  # type: ignore[arg-type]
    assert hot is not None
    assert mixed is not None
    assert len(hot.items) == 2
    (candidates,) = seen
    assert len(candidates.items) > len(hot.items)  # uncut, undiscussed papers too
    assert candidates.filters.min_score == 0.0
    assert mixed.items == candidates.items[-1:]
    unmixed = sub.model_copy(update={"mix": 0.0})
    assert await subscription_digest(unmixed, day, generated_at=now, blend=blender, **common) == hot  # type: ignore[arg-type]
