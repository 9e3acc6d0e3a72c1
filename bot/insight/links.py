"""A paper's code and discussion links: its repository, its Hacker News and Reddit threads,
and its pages on alphaXiv and Hugging Face.

Every URL is ours: built from an arXiv id or a validated ``owner/name``, or a thread URL that
matches its site's exact shape. Anything else from upstream is dropped, never linked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.models import Link, Paper, Signal
from bot.sources.github import repos_in

THREADS_PER_SITE = 2
_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
_HN = re.compile(r"^https://news\.ycombinator\.com/item\?id=\d{1,12}$")
_REDDIT = re.compile(
    r"^https://(?:www\.|old\.)?reddit\.com/r/(?P<sub>[A-Za-z0-9_]{2,21})/comments/[A-Za-z0-9]{1,12}"
    r"(?:/[A-Za-z0-9_%-]{0,200})?/?$"
)
_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]{2})?/\d{7})$")


def code_repo(paper: Paper, signals: Sequence[Signal]) -> str | None:
    """``owner/name`` of the code: the repository Hugging Face lists, else the abstract's."""
    ranked = sorted(signals, key=lambda s: s.source != "huggingface")
    candidates = [s.repo for s in ranked if s.repo] + repos_in(paper.abstract)
    return next((r for r in candidates if _REPO.match(r) and not r.endswith((".", ".."))), None)


def _engagement(signal: Signal) -> int:
    return sum(signal.counts.values())


def _threads(signals: Sequence[Signal], source: str, shape: re.Pattern[str]) -> list[str]:
    posts = [
        (s, s.post.url)
        for s in signals
        if s.source == source and s.post and shape.match(s.post.url)
    ]
    posts.sort(key=lambda pair: -_engagement(pair[0]))
    return list(dict.fromkeys(url for _, url in posts))[:THREADS_PER_SITE]


def links(paper: Paper, signals: Iterable[Signal] = ()) -> tuple[Link, ...]:
    """Code first, then discussion threads, then the paper's pages elsewhere."""
    mine = [s for s in signals if s.arxiv_id == paper.arxiv_id]
    found: list[Link] = []
    if (repo := code_repo(paper, mine)) is not None:
        found.append(Link(kind="code", label="GitHub", url=f"https://github.com/{repo}"))
    for n, url in enumerate(_threads(mine, "hackernews", _HN), start=1):
        found.append(
            Link(kind="hackernews", label="Hacker News" + (f" {n}" if n > 1 else ""), url=url)
        )
    for url in _threads(mine, "reddit", _REDDIT):
        match = _REDDIT.match(url)
        assert match is not None  # _threads kept only URLs of this shape
        found.append(Link(kind="reddit", label=f"r/{match.group('sub')}", url=url))
    if _ID.match(paper.arxiv_id):
        found.append(
            Link(
                kind="alphaxiv",
                label="alphaXiv",
                url=f"https://www.alphaxiv.org/abs/{paper.arxiv_id}",
            )
        )
        if any(s.source == "huggingface" for s in mine):
            found.append(
                Link(
                    kind="huggingface",
                    label="Hugging Face",
                    url=f"https://huggingface.co/papers/{paper.arxiv_id}",
                )
            )
    return tuple(found)
