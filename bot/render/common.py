"""Pieces of wording shared by the renderers, so that every format says the same thing."""

from __future__ import annotations

import datetime as dt
import re

from bot.models import Digest, Ranked, SourceScore
from bot.ranking import metric_weight
from bot.sourcenames import label

COUNTS_TIME = "%m/%d/%Y %H:%M:%S"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def one_line(text: str) -> str:
    """Text that cannot break a line-based format: line breaks and controls become spaces."""
    return _CONTROL.sub(" ", text.replace("\r\n", " ").replace("\n", " ")).strip()


def number(value: float) -> str:
    """A score as people write it: no ``.0`` on whole numbers, at most two decimals."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def counts_phrase(counts: dict[str, int], sep: str = ": ") -> str:
    return ", ".join(f"{metric}{sep}{n}" for metric, n in counts.items())


def utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is None else moment.astimezone(dt.UTC)


def explain(part: SourceScore, weights: dict[str, float] | None = None) -> str:
    """``X/Twitter 2079 (retweets 1802 + favorites 277)``, with weights where they are not 1."""
    weights = weights or {}
    terms = []
    for metric, n in part.counts.items():
        w = metric_weight(weights, part.source, metric)
        terms.append(f"{metric} {n}" if w == 1.0 else f"{metric} {n}×{number(w)}")
    source_w = weights.get(part.source, 1.0)
    body = " + ".join(terms) or "nothing"
    if source_w != 1.0:
        body = f"{number(source_w)}×({body})"
    return f"{label(part.source)} {number(part.score)} ({body})"


def explanation(item: Ranked, weights: dict[str, float] | None = None) -> str:
    """``score 2079 = X/Twitter 2079 (retweets 1802 + favorites 277)``."""
    parts = " + ".join(explain(part, weights) for part in item.breakdown) or "no engagement seen"
    return f"score {number(item.score)} = {parts}"


def footer_lines(digest: Digest) -> list[str]:
    """Which sources were used, which failed, and when the counts were taken."""
    lines = []
    if digest.sources_used:
        lines.append("Sources: " + ", ".join(label(s) for s in digest.sources_used) + ".")
    if digest.sources_failed:
        failed = "; ".join(f"{label(f.source)}: {f.reason}" for f in digest.sources_failed)
        lines.append(f"Unavailable: {failed}.")
    if digest.counts_taken_at:
        lines.append(f"Counts taken {utc(digest.counts_taken_at):%Y-%m-%d %H:%M} UTC.")
    return lines


def no_announcement(digest: Digest) -> str:
    return (
        f"No new arXiv papers were announced for {digest.date:%Y-%m-%d}: "
        "arXiv announces Sunday to Thursday and not on holidays."
    )


def empty_selection(digest: Digest) -> str:
    return (
        f"None of the {digest.papers_considered} papers announced for {digest.date:%Y-%m-%d} "
        "matched the filters with enough engagement."
    )


def filters_phrase(digest: Digest) -> str:
    f = digest.filters
    parts = []
    if f.categories:
        parts.append(" ".join(f.categories))
    if f.keywords:
        parts.append("keywords: " + ", ".join(f.keywords))
    if f.top is not None:
        parts.append(f"top {f.top}")
    return "; ".join(parts)
