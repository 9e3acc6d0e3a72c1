"""Pieces of wording shared by the renderers, so that every format says the same thing."""

from __future__ import annotations

import datetime as dt
import re

from bot.models import Digest, Ranked, SourceScore
from bot.ranking import metric_weight
from bot.sourcenames import label

COUNTS_TIME = "%m/%d/%Y %H:%M:%S"
# C0 and C1 controls (NUL, BEL, ESC, VT…), lone surrogates and non-characters: nothing a
# reader needs, and enough to break an XML feed or a terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def one_line(text: str) -> str:
    """Text that cannot break a line-based format: line breaks and controls become spaces."""
    return _CONTROL.sub(" ", text.replace("\r\n", " ").replace("\n", " ")).strip()


def plain(text: str) -> str:
    """Text with its line breaks (and tabs) but without control characters."""
    return _CONTROL_BUT_LINES.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))


def digest_title(digest: Digest) -> str:
    """``Hot Papers 2021-03-18``, or the view's title: ``Hot Papers, best of the week
    2021-03-12 – 2021-03-18``, ``Hot Papers, rising 2021-03-16 – 2021-03-18``."""
    day = f"{digest.date:%Y-%m-%d}"
    span = (
        f"{digest.start:%Y-%m-%d} – {day}" if digest.start and digest.start < digest.date else day
    )
    if digest.view in ("week", "month"):
        return f"Hot Papers, best of the {digest.view} {span}"
    if digest.view == "rising":
        return f"Hot Papers, rising {span}"
    return f"Hot Papers {day}"


def pace(item: Ranked) -> str:
    """``+22 per hour`` for the rising view; "" when the pace is unknown."""
    if item.gain_per_hour is None:
        return ""
    sign = "+" if item.gain_per_hour >= 0 else "−"
    return f"{sign}{number(round(abs(item.gain_per_hour), 1))} per hour"


def old_note(item: Ranked) -> str:
    """``cross-listed; first version 2023-05-02`` for an old paper shown again today."""
    if not item.old:
        return ""
    first = item.paper.published
    return one_line(item.old) + (f"; first version {first:%Y-%m-%d}" if first else "")


def reason(item: Ranked) -> str:
    """Why the paper is in the digest, in one line: its pace, its strongest facts, its age."""
    return one_line(" · ".join(p for p in (pace(item), item.why, old_note(item)) if p))


def tldr_line(item: Ranked) -> str:
    """The TL;DR as one clean line."""
    return one_line(item.tldr)


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
        parts.append(" ".join(one_line(c) for c in f.categories))
    if f.keywords:
        parts.append("keywords: " + ", ".join(one_line(k) for k in f.keywords))
    if f.top is not None:
        parts.append(f"top {f.top}")
    return "; ".join(parts)
