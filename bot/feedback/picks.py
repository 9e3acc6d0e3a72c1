"""Lab picks: the papers a group liked or saved most over a week or a month, as a digest. Pure.

The tallies come from the store (``FeedbackStore.tallies``, most picked first); each paper's
text is the stored one, else its id alone. A paper only disliked is no pick. The digest has the
view ``picks``, so that every renderer titles it "Lab picks …" and shows, as its reason, the
group's own counts ("3 👍 · 2 🔖"), never public signals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Literal

from bot.feedback.values import Tally
from bot.insight.links import links
from bot.models import Digest, Filters, Paper, Ranked

Span = Literal["week", "month"]
SPAN_DAYS: dict[Span, int] = {"week": 7, "month": 30}
DEFAULT_PICKS = 10


def picks_window(span: Span, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The moments a span covers, ``since`` to before ``until``: the last 7 (week) or 30
    (month) days up to and including ``now``."""
    return now - dt.timedelta(days=SPAN_DAYS[span]), now + dt.timedelta(microseconds=1)


def counts_of(tally: Tally) -> str:
    """``3 👍 · 2 🔖 · 1 reaction · 1 👎``: what the group said, the nonzero parts."""
    parts = [
        (tally.likes, "👍"),
        (tally.saves, "🔖"),
        (tally.reactions, "reaction" if tally.reactions == 1 else "reactions"),
        (tally.dislikes, "👎"),
    ]
    return " · ".join(f"{n} {what}" for n, what in parts if n)


def picks_digest(
    tallies: Sequence[Tally],
    papers: Mapping[str, Paper],
    *,
    since: dt.datetime,
    until: dt.datetime,
    generated_at: dt.datetime,
    top: int = DEFAULT_PICKS,
) -> Digest:
    """The ``top`` papers liked or saved (or reacted to) most, in the tallies' order; empty
    when the group said nothing for us in the span."""
    items = [
        Ranked(
            paper=(paper := papers.get(t.arxiv_id) or Paper(arxiv_id=t.arxiv_id, title=t.arxiv_id)),
            score=float(t.picked),
            why=counts_of(t),
            links=links(paper),
        )
        for t in tallies
        if t.picked or t.reactions
    ][:top]
    return Digest(
        date=(until - dt.timedelta(microseconds=1)).date(),
        start=since.date(),
        view="picks",
        filters=Filters(top=top),
        items=tuple(items),
        papers_considered=len(tallies),
        generated_at=generated_at,
    )


def nothing_picked(span: Span) -> str:
    """What an empty span says, and how to fill the next one."""
    return (
        f"No one here has liked or saved a paper this {span} yet: react 👍 or 🔖 to a paper "
        "in a digest (or use its buttons), and the most liked and saved come here."
    )
