"""Why a paper is hot, in one line from the strongest facts of its score breakdown.

``#1 on Hugging Face Daily Papers, 87 upvotes · Hacker News, 312 points · 41 Bluesky posts,
900 likes``: one fact per source, the sources that add most to the score first, at most three.
"""

from __future__ import annotations

from bot.models import Ranked, SourceScore
from bot.sourcenames import label

MAX_FACTS = 3
# Hugging Face Daily Papers is itself a ranked list; a place in its top ten is worth saying.
PLACES_SHOWN = 10


def count(n: int, noun: str) -> str:
    """``1 point``, ``312 points``, ``12,345 likes``."""
    word = noun if n != 1 else noun.removesuffix("s")
    return f"{n:,} {word}"


def _threads(part: SourceScore) -> str:
    return f" in {part.posts} threads" if part.posts > 1 else ""


def fact(part: SourceScore) -> str:
    """One source's strongest fact about the paper, or "" when it saw nothing worth saying.

    Only what counted is cited: stars gained, not lifetime stars; nothing from a source whose
    engagement did not count (an old paper's old story)."""
    if part.score <= 0:
        return ""
    c = part.counts if part.counted is None else part.counted
    if part.source == "huggingface":
        upvotes = c.get("upvotes", 0)
        if 0 < part.place <= PLACES_SHOWN:
            return f"#{part.place} on Hugging Face Daily Papers, {count(upvotes, 'upvotes')}"
        return f"Hugging Face Daily Papers, {count(upvotes, 'upvotes')}" if upvotes else ""
    if part.source == "hackernews" and c.get("points"):
        return f"Hacker News, {count(c['points'], 'points')}{_threads(part)}"
    if part.source == "reddit" and c.get("score"):
        return f"Reddit, {count(c['score'], 'upvotes')}{_threads(part)}"
    if part.source == "bluesky" and (part.posts or c.get("likes")):
        posts = count(part.posts, "Bluesky posts") if part.posts > 1 else "Bluesky"
        return f"{posts}, {count(c.get('likes', 0), 'likes')}"
    if part.source == "twitter" and (c.get("retweets") or c.get("favorites")):
        retweets, likes = (
            count(c.get("retweets", 0), "retweets"),
            count(c.get("favorites", 0), "likes"),
        )
        return f"X/Twitter, {retweets}, {likes}"
    if part.source == "github" and c.get("stars"):
        gained = " gained" if part.counted is not None else ""
        return f"GitHub, {count(c['stars'], 'stars')}{gained}"
    shown = [(metric, n) for metric, n in c.items() if n > 0]
    if not shown:
        return ""
    return f"{label(part.source)}, " + ", ".join(count(n, metric) for metric, n in shown)


def why(item: Ranked) -> str:
    """The strongest facts, the sources that add most to the score first; "" without any."""
    parts = sorted(item.breakdown, key=lambda p: (-p.score, p.source))
    facts = [f for f in (fact(p) for p in parts) if f]
    return " · ".join(facts[:MAX_FACTS])
