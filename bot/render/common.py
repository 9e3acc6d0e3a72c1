"""Pieces of wording shared by the renderers, so that every format says the same thing."""

from __future__ import annotations

import datetime as dt
import re

from bot.models import Blend, Digest, Ranked, SourceScore
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
    2021-03-12 – 2021-03-18``, ``Hot Papers, rising 2021-03-16 – 2021-03-18``,
    ``Lab picks 2021-03-12 – 2021-03-18``."""
    day = f"{digest.date:%Y-%m-%d}"
    span = (
        f"{digest.start:%Y-%m-%d} – {day}" if digest.start and digest.start < digest.date else day
    )
    if digest.view in ("week", "month"):
        return f"Hot Papers, best of the {digest.view} {span}"
    if digest.view == "rising":
        return f"Hot Papers, rising {span}"
    if digest.view == "picks":
        return f"Lab picks {span}"
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


def explain(
    part: SourceScore, weights: dict[str, float] | None = None, *, shown: float | None = None
) -> str:
    """One source's part and every step to it, e.g.
    ``Bluesky 46.43 (likes 158 + reposts 10 + replies 4×0.5 = 170 × share 0.5 = 85;
    rank 3/41 → 0.93 × 100 = 92.86 − 46.43 capped)``.

    Raw counts come first (``stars 1234→0`` where the rules of attention counted less, with
    the reason at the end), then the 1/n share of multi-paper posts, the place among the
    papers the source engaged with and its transform, the source weight and the single-post
    cap. ``shown`` is the part as displayed, when the caller rounded it to add up.
    """
    weights = weights or {}
    counted = part.counted or {}
    terms = []
    reweighted = False
    for metric, n in part.counts.items():
        w = metric_weight(weights, part.source, metric)
        term = f"{metric} {n}"
        if part.counted is not None and counted.get(metric, n) != n:
            term += f"→{counted.get(metric, n)}"
        terms.append(term if w == 1.0 else f"{term}×{number(w)}")
        reweighted = reweighted or w != 1.0 or term != f"{metric} {n}"
    steps = " + ".join(terms) or "nothing"
    if part.share < 1.0:
        steps += f" = {number(part.weighted / part.share)} × share {number(part.share)}"
    if len(terms) > 1 or part.share < 1.0 or reweighted:
        steps += f" = {number(part.weighted)}"
    if part.place:
        whole = part.score + part.capped
        weight = "" if part.weight == 1.0 else f" × weight {number(part.weight)}"
        steps += f"; rank {part.place}/{part.of} → {part.normalized:.2f} × 100{weight}"
        steps += f" = {number(whole)}"
        if part.capped > 0:
            steps += f" − {number(part.capped)} capped (one post's share)"
    else:
        steps += "; nothing that counts"
    if part.note:
        steps += f"; {part.note}"
    return f"{label(part.source)} {number(part.score if shown is None else shown)} ({steps})"


def _cents(values: list[float], want: int) -> list[int]:
    """``values`` in whole cents that add up to ``want`` cents, each off by less than 1 cent."""
    cents = [round(v * 100) for v in values]
    by_error = sorted(range(len(values)), key=lambda i: cents[i] - values[i] * 100)
    missing = want - sum(cents)
    step = 1 if missing > 0 else -1
    order = by_error if missing > 0 else by_error[::-1]
    for i in order[: abs(missing)]:
        cents[i] += step
    return cents


def explanation(item: Ranked, weights: dict[str, float] | None = None) -> str:
    """``score 75 = X/Twitter 75 (retweets 1802 + favorites 277 = 2079; rank 1/3 → 0.75 × 100
    = 75)``: the parts as shown add up to the score as shown."""
    total = round(item.score * 100)
    cents = _cents([part.score for part in item.breakdown], total)
    parts = " + ".join(
        explain(part, weights, shown=c / 100) for part, c in zip(item.breakdown, cents, strict=True)
    )
    old = f" (old paper, {item.old} today: only engagement of the announcement window counts)"
    return (
        f"score {number(total / 100)} = {parts or 'no engagement seen'}"
        + (old if item.old else "")
        + (f"; {blend_phrase(item.blend)}" if item.blend is not None else "")
    )


def blend_phrase(blend: Blend) -> str:
    """``blend 0.62 = 0.7 × hot 0.5 + 0.3 × relevance 0.9``: both parts of a channel's order."""
    keep = number(round(1 - blend.mix, 2))
    return (
        f"blend {blend.total:.2f} = {keep} × hot {blend.hot:.2f} + {number(blend.mix)} × "
        f"relevance {blend.relevance:.2f}"
    )


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
    if digest.view == "picks":
        return "No one here liked or saved a paper this week: react 👍 or 🔖 to a paper."
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
    if f.all_keywords:
        parts.append("all of: " + ", ".join(one_line(k) for k in f.all_keywords))
    if f.exclude:
        parts.append("not: " + ", ".join(one_line(k) for k in f.exclude))
    if f.authors:
        parts.append("authors: " + ", ".join(one_line(k) for k in f.authors))
    if f.top is not None:
        parts.append(f"top {f.top}")
    return "; ".join(parts)
