"""A channel's (or a person's) taste, gathered from the store: feedback, the papers it is
about, imported interests, and the subscription's profile.

``taste_of`` is pure; ``channel_taste`` and ``person_taste`` read the store; ``channel_blend``
is a subscription's digest blended with its channel's taste (``digest --for``; scheduled posts
may call it the same way).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from bot.errors import InputError
from bot.feedback import Channel, Feedback, Interest, Kind
from bot.models import Digest, Paper
from bot.relevance.blend import channel_digest
from bot.relevance.model import Example, Taste, example_of, profile_of, score
from bot.store import SqlStore
from bot.subscriptions import Subscription
from bot.taxonomy import load_taxonomy

SAID: tuple[Kind, ...] = ("like", "save", "dislike")


def taste_of(
    feedback: Sequence[Feedback],
    papers: Mapping[str, Paper],
    *,
    interests: Iterable[Interest] = (),
    profile: str = "",
) -> Taste:
    """The examples of a taste, oldest first: imported interests, then each paper the
    feedback is about (stored papers only: their text is what the model reads). A paper
    liked or saved by anyone is liked; one only disliked is disliked."""
    examples = [Example(key=i.key, title=i.title, text=i.text) for i in interests if i.text.strip()]
    liked = {f.arxiv_id for f in feedback if f.positive}
    seen: set[str] = {e.key for e in examples}
    for item in feedback:
        paper = papers.get(item.arxiv_id)
        if paper is None or item.arxiv_id in seen or item.kind not in SAID:
            continue
        seen.add(item.arxiv_id)
        examples.append(example_of(paper, liked=item.arxiv_id in liked))
    return Taste(examples=tuple(examples), profile=profile)


def subscription_profile(sub: Subscription | None) -> str:
    """The cold start of a subscription: its categories' names and its keywords."""
    if sub is None:
        return ""
    taxonomy = load_taxonomy()
    names = [taxonomy.name(c.removesuffix(".*")) for c in sub.categories]
    return profile_of(names, sub.keywords)


async def channel_taste(
    store: SqlStore,
    channel: Channel,
    *,
    profile: str = "",
    known: Iterable[Paper] = (),
) -> Taste:
    """Everything the channel said and imported, as a taste; ``known``: papers at hand (the
    day's), whose text is used where the store has none."""
    feedback = await store.feedback.of_channel(channel, kinds=SAID)
    papers = {p.arxiv_id: p for p in known}
    papers.update(await store.feedback.papers(f.arxiv_id for f in feedback))
    interests = await store.feedback.interests(channel)
    return taste_of(feedback, papers, interests=interests, profile=profile)


async def person_taste(store: SqlStore, platform: str, user: str, *, scope: str = "") -> Taste:
    """One person's likes, saves and dislikes in every channel, as a taste (``/hotpapers me``)."""
    feedback = [
        f for f in await store.feedback.of_user(platform, user, scope=scope) if f.kind in SAID
    ]
    papers = await store.feedback.papers(f.arxiv_id for f in feedback)
    return taste_of(feedback, papers)


# Papers of the latest stored days that the model sees beside the day's (as negatives).
POOL_DAYS = 20
POOL_MAX = 3_000


async def recent_papers(store: SqlStore, before: dt.date) -> list[Paper]:
    """The papers of the last ``POOL_DAYS`` stored days before ``before``, at most
    ``POOL_MAX`` (the newest)."""
    days = await store.readings.days(until=before - dt.timedelta(days=1))
    papers = await store.readings.papers(days[-POOL_DAYS:])
    return papers[-POOL_MAX:]


def _channel(sub: Subscription) -> Channel | None:
    if sub.kind != "channel":
        return None
    try:
        return Channel(platform=sub.platform, channel=sub.destination)
    except InputError:
        return None


async def channel_blend(
    store: SqlStore,
    sub: Subscription,
    candidates: Digest,
    *,
    mix: float | None = None,
    top: int | None = None,
    quiet: bool = False,
) -> Digest:
    """``candidates`` (a digest of every paper passing ``sub``'s filters, in hot order)
    reordered by hotness blended with relevance to the channel's taste, cut to ``top`` (else
    the subscription's). ``mix``: the subscription's unless given.

    The channel's feedback is found by its id in any workspace (channel ids do not repeat);
    a webhook (or a console name no feedback can be given to, such as one with spaces) has
    none, only its subscription's profile — as a ``quiet`` channel (one the caller knows has
    no feedback and no interests), whose store is not read. The model is fitted and scored in
    a worker thread: the event loop keeps serving meanwhile.
    """
    papers = [r.paper for r in candidates.items]
    profile = subscription_profile(sub)
    where = None if quiet else _channel(sub)
    if where is not None:
        taste = await channel_taste(store, where, profile=profile, known=papers)
    else:
        taste = Taste(profile=profile)
    # The other papers are the model's negatives; a profile alone is compared without them.
    pool = await recent_papers(store, candidates.date) if taste.liked else []
    scores = await asyncio.to_thread(score, taste, papers, pool=pool)
    return channel_digest(
        candidates, scores, mix=sub.mix if mix is None else mix, top=top or sub.top
    )
