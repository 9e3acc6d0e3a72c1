"""A TL;DR for a paper: Hugging Face's summary when a source brought one, else the abstract's
key sentence, chosen extractively (no model, no network).

The key sentence is the one that says what the paper does: sentences in the authors' voice
("we propose", "this paper introduces"), that share words with the title and that report a
result score higher; background openings, code-availability notes and fragments score lower.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.models import Paper, Signal

MAX_CHARS = 300
_ABBREVIATIONS = {
    "al", "approx", "cf", "e.g", "eg", "eq", "eqs", "etc", "fig", "figs", "i.e", "ie", "no",
    "ref", "refs", "resp", "sec", "vs", "viz", "dr", "prof", "st",
}  # fmt: skip
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"“(\[]?[A-Z0-9$\\])")
_WORD = re.compile(r"[A-Za-z][A-Za-z-]{3,}")
_STOP = {
    "with", "from", "that", "this", "these", "those", "their", "there", "which", "while", "using",
    "based", "into", "over", "via", "towards", "toward", "through", "about", "when", "what",
    "your", "does", "more", "than", "they", "them", "have", "been", "being", "also", "such",
    "other", "each", "only", "both", "most", "many", "some", "very", "should", "could", "would",
}  # fmt: skip
_CONTRIBUTION = re.compile(
    r"\b(?:we|this (?:paper|work|article|study|letter|note)|here|our (?:method|approach|model))\b"
    r"[^.]{0,80}?\b(?:propose|present|introduce|develop|design|describe|report|derive|"
    r"demonstrate|show|establish|prove|construct|release|study|investigate|find)",
    re.IGNORECASE,
)
_NEW_THING = re.compile(r"\b(?:propose|present|introduce)", re.IGNORECASE)
_RESULT = re.compile(
    r"\b(?:outperform|state-of-the-art|surpass|achiev|improv|significant|faster|accura|"
    r"reduc|speed-?up|orders? of magnitude)",
    re.IGNORECASE,
)
_BACKGROUND = re.compile(
    r"^(?:recent|in recent years|over the (?:past|last)|despite|although|however|while|"
    r"with the (?:rapid|recent|growing|advent)|[a-z ]{0,40}(?:have|has) (?:become|emerged|shown|"
    r"attracted|achieved|gained))",
    re.IGNORECASE,
)
_EVALUATION = re.compile(
    r"^(?:(?:through|via|in|with|by) (?:\w+ ){0,2}(?:experiments|evaluations?)|"
    r"(?:extensive |our |numerical )?(?:experiments|experimental results|evaluations?|results)\b)",
    re.IGNORECASE,
)
_NOTE = re.compile(
    r"\b(?:code|data|models?|implementation|dataset|project page|weights)\b[^.]{0,60}"
    r"\b(?:available|released|publicly|open-source|github|https?://)|https?://|\\url\{",
    re.IGNORECASE,
)


_CONNECTIVE = re.compile(
    r"^(?:therefore|thus|hence|overall|finally|moreover|furthermore|additionally|in addition|"
    r"to this end|to address (?:this|these)(?: \w+)?|in this (?:paper|work|study|letter)|here)"
    r",?\s+(?=[a-z])",
    re.IGNORECASE,
)


def sentences(text: str) -> list[str]:
    """The text's sentences; an abbreviation (``e.g.``, ``et al.``, ``Fig.``) ends none."""
    flat = " ".join(text.split())
    out: list[str] = []
    start = 0
    for match in _SPLIT.finditer(flat):
        before = flat[start : match.start()]
        last = before.rsplit(" ", 1)[-1].rstrip(".!?").lower()
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue  # "et al. Smith", "J. Smith": not a sentence end
        out.append(before)
        start = match.end()
    out.append(flat[start:])
    return [s for s in out if s]


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)} - _STOP


def _score(sentence: str, position: int, count: int, title_words: set[str]) -> float:
    score = 0.0
    if (contribution := _CONTRIBUTION.search(sentence)) is not None:
        # What the paper brings ("we propose X") says more than how it was checked.
        score += 4.0 if _NEW_THING.search(contribution.group()) else 3.0
    if _RESULT.search(sentence):
        score += 1.0
    if title_words:
        score += 2.0 * len(_words(sentence) & title_words) / len(title_words)
    if position == 0 and _BACKGROUND.search(sentence):
        score -= 1.5
    if _EVALUATION.search(sentence):
        score -= 1.0  # how it was checked, after what it is
    if _NOTE.search(sentence):
        score -= 4.0
    words = len(sentence.split())
    if words < 8:
        score -= 2.0
    elif words > 60:
        score -= 1.5
    # A slight preference for the front: abstracts say what they do before how well.
    return score - 0.3 * position / max(count, 1)


def cut(text: str, limit: int = MAX_CHARS) -> str:
    """At most ``limit`` characters, cut at a word boundary, with an ellipsis when cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def key_sentence(abstract: str, title: str = "") -> str:
    """The abstract's sentence that best says what the paper does; "" for an empty abstract."""
    found = sentences(abstract)
    if not found:
        return ""
    title_words = _words(title)
    scored = [(_score(s, i, len(found), title_words), -i, s) for i, s in enumerate(found)]
    best = max(scored)[2]
    # "Therefore, we develop X" reads as "We develop X" on its own.
    if (lead := _CONNECTIVE.match(best)) is not None:
        rest = best[lead.end() :]
        best = rest[0].upper() + rest[1:]
    return cut(best)


def summary(signals: Iterable[Signal]) -> str:
    """The newest non-empty summary a source offered, or ""."""
    offered = [s for s in signals if s.summary and s.summary.strip()]
    if not offered:
        return ""
    newest = max(offered, key=lambda s: (s.taken_at is not None, s.taken_at, s.summary or ""))
    return newest.summary or ""


def tldr(paper: Paper, signals: Iterable[Signal] = ()) -> str:
    """Hugging Face's summary when present, else the abstract's key sentence."""
    offered = summary(signals)
    return cut(offered) if offered else key_sentence(paper.abstract, paper.title)
