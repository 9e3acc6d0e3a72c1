"""Reading a Hot Papers markdown post back into a snapshot.

The post format is the one of the reference post (``shared/seed``) and of ``render_markdown``:
front matter whose title is ``Hot Papers YYYY-MM-DD``, then one section per paper::

    # 3. Title
    Authors, comma separated
    - retweets: 552, favorites: 165 (03/19/2021 06:21:51)       X/Twitter counts
    - points: 12, comments: 4 (Hacker News, 03/19/2021 06:21:51) any other source
    - links: [abs](https://arxiv.org/abs/2103.09568) | [pdf](...)
    - [cs.AI](https://arxiv.org/list/cs.AI/recent) | [cs.LG](...)
    abstract paragraphs
    quoted posts: X embeds (<blockquote class="twitter-tweet">) or markdown quotes

The section numbers are ignored: order comes back from the counts when the digest is ranked.
What cannot be read without failing the whole post (a counts line that is not counts, a post
that ends mid-line or inside a quote, as a cut file does) is a warning with its line number;
``hotpapers snapshot import-post --strict`` makes any of them an error.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field

from bot.errors import SnapshotError
from bot.ids import find_refs
from bot.limits import echo
from bot.models import Paper, Post, Signal
from bot.render.common import COUNTS_TIME
from bot.render.markdown import UNNAMED_SOURCE
from bot.snapshot import Snapshot
from bot.sourcenames import source_for_label, source_for_url
from bot.textfix import repair

_FRONT = re.compile(r"\A\ufeff?---\s*\n(?P<body>.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")
_HEADING = re.compile(r"^# (?:\d+\.\s+)?(?P<title>.+?)\s*$", re.MULTILINE)
_METADATA = re.compile(r"^- [A-Za-z_ ]+:")  # a line of the block where counts are
_COUNTS = re.compile(
    r"^- (?P<counts>[A-Za-z_ ]+: \d+(?:, [A-Za-z_ ]+: \d+)*)(?: \((?P<paren>[^()]*)\))?\s*$"
)
_WHEN = re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d")
# The lines a rendered post adds where the reference posts have none: ours, not the paper's.
_NOTES = ("- why: ", "- TL;DR: ", "- more: ")
_LINKS = re.compile(r"^- links: .*\[abs\]\((?P<abs>[^)\s]+)\)")
_CATEGORY = re.compile(
    r"\[(?P<cat>[A-Za-z-]+(?:\.[A-Za-z-]+)?)\]\(https?://arxiv\.org/list/[^)]*\)"
)
_EMBED = re.compile(r"<blockquote\b[^>]*>(?P<body>.*?)</blockquote>", re.DOTALL | re.IGNORECASE)
_EMBED_TEXT = re.compile(r"<p\b[^>]*>(?P<text>.*?)</p>", re.DOTALL | re.IGNORECASE)
_EMBED_BYLINE = re.compile(
    r"&mdash;\s*(?P<author>.*?)\s*<a href=\"(?P<url>[^\"]+)\"[^>]*>(?P<when>[^<]*)</a>", re.DOTALL
)
_QUOTE_BYLINE = re.compile(
    r"^> — (?:(?P<author>.*), )?(?:\[(?P<when>[^\]]*)\]\((?P<url>[^)\s]+)\))\s*$"
)
_TAGS = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)


def _as_written(text: str) -> str:
    """Upstream text as it was before ``render_markdown`` neutralised it (``&lt;``, ``]\\(``)."""
    text = text.replace("&lt;", "<").replace("]\\(", "](")
    return re.sub(r"^(\s{0,3})\\\[", r"\1[", text, flags=re.MULTILINE)


@dataclass
class _Section:
    title: str
    start: int  # the line number of the heading, from 1
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportedPost:
    """A post read back: its snapshot, and what could not be read (each with its line)."""

    snapshot: Snapshot
    warnings: tuple[str, ...] = ()


def _post_date(text: str) -> dt.datetime | None:
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    return None


def _clean_url(url: str) -> str:
    url = html.unescape(url)
    return re.sub(r"\?ref_src=[^#]*$", "", url)


def _embeds(block: str) -> list[Post]:
    posts = []
    for match in _EMBED.finditer(block):
        body = match.group("body")
        text_match = _EMBED_TEXT.search(body)
        byline = _EMBED_BYLINE.search(body)
        if byline is None:
            continue
        text = text_match.group("text") if text_match else ""
        text = html.unescape(_TAGS.sub("", _BREAK.sub("\n", text)))
        posts.append(
            Post(
                url=_clean_url(byline.group("url")),
                author=html.unescape(_TAGS.sub("", byline.group("author"))).strip(),
                text=text.strip(),
                posted_at=_post_date(byline.group("when")),
            )
        )
    return posts


def _quotes(lines: list[str]) -> list[Post]:
    posts: list[Post] = []
    text: list[str] = []
    for line in lines:
        byline = _QUOTE_BYLINE.match(line)
        if byline:
            posts.append(
                Post(
                    url=byline.group("url"),
                    author=html.unescape(byline.group("author") or ""),
                    text=_as_written(html.unescape("\n".join(text).strip())),
                    posted_at=_post_date(byline.group("when") or ""),
                )
            )
            text = []
        elif line.startswith(">"):
            text.append(line[2:] if line.startswith("> ") else line[1:])
        else:
            text = []
    return posts


def _counted(match: re.Match[str]) -> tuple[str, dict[str, int], dt.datetime | None]:
    """Source, counts and time of a counts line; no source name means X/Twitter."""
    parts = [p.strip() for p in (match.group("paren") or "").split(",") if p.strip()]
    taken = None
    if parts and _WHEN.fullmatch(parts[-1]):
        taken = dt.datetime.strptime(parts.pop(), COUNTS_TIME).replace(tzinfo=dt.UTC)
    source = source_for_label(", ".join(parts)) if parts else UNNAMED_SOURCE
    pairs = (pair.split(":") for pair in match.group("counts").split(", "))
    return source, {metric.strip(): int(n) for metric, n in pairs}, taken


def _paper_and_signals(
    section: _Section, day: dt.date, warnings: list[str]
) -> tuple[Paper, list[Signal]]:
    lines = section.lines
    links_at = next((i for i, line in enumerate(lines) if _LINKS.match(line)), None)
    arxiv_id = None
    categories: tuple[str, ...] = ()
    counted: list[tuple[str, dict[str, int], dt.datetime | None]] = []
    body_start = None
    authors: tuple[str, ...] = ()
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if (links := _LINKS.match(line)) is not None:
            refs = find_refs(links.group("abs"))
            arxiv_id = refs[0].arxiv_id if refs else None
            body_start = i + 1
        elif (counts := _COUNTS.match(line)) is not None:
            counted.append(_counted(counts))
            body_start = i + 1
        elif line.startswith("- ") and _CATEGORY.search(line):
            categories = tuple(m.group("cat") for m in _CATEGORY.finditer(line))
            body_start = i + 1
        elif line.startswith(("- score ", *_NOTES)):
            body_start = i + 1
        elif links_at is not None and i < links_at and _METADATA.match(line):
            warnings.append(
                f"line {section.start + 1 + i}: “{echo(line)}” cannot be read as counts; "
                f"the paper {echo(section.title)!r} is imported without them"
            )
            body_start = i + 1
        elif not authors and body_start is None:
            authors = tuple(a.strip() for a in line.split(",") if a.strip())
    if arxiv_id is None:
        raise SnapshotError(f"The paper {section.title!r} has no abs link to arXiv.")
    rest = lines[body_start or 0 :]
    text = "\n".join(rest)
    first_quote = min(
        [i for i, line in enumerate(rest) if line.lstrip().startswith(("<blockquote", ">"))]
        or [len(rest)]
    )
    abstract = "\n".join(rest[:first_quote]).strip()
    abstract = _as_written(re.sub(r"\n{3,}", "\n\n", abstract))
    paper = Paper(
        arxiv_id=arxiv_id,
        title=section.title,
        authors=authors,
        abstract=abstract,
        primary_category=categories[0] if categories else None,
        categories=categories,
        announced=day,
    )
    posts = _embeds(_SCRIPT.sub("", text)) + _quotes(rest[first_quote:])
    signals = [
        Signal(source=source, arxiv_id=arxiv_id, counts=counts, taken_at=taken)
        for source, counts, taken in counted
    ]
    fallback = counted[0][0] if counted else UNNAMED_SOURCE
    taken = {source: when for source, _, when in reversed(counted)}
    # A post's own counts are not known: its engagement is in the aggregated counts line.
    for post in posts:
        source = source_for_url(post.url) or fallback
        signals.append(
            Signal(
                source=source, arxiv_id=arxiv_id, counts={}, post=post, taken_at=taken.get(source)
            )
        )
    return paper, signals


def _sections(body: str, first_line: int) -> list[_Section]:
    sections: list[_Section] = []
    for number, line in enumerate(body.splitlines(), start=first_line):
        heading = _HEADING.match(line)
        if heading:
            sections.append(_Section(title=_as_written(heading.group("title")), start=number))
        elif line.strip() == "---" and sections:
            break  # the footer of a rendered digest
        elif sections:
            sections[-1].lines.append(line)
    return sections


def import_post(text: str, *, name: str = "post") -> Snapshot:
    """A snapshot of the papers, counts and quoted posts of a Hot Papers post (warnings aside)."""
    return read_post(text, name=name).snapshot


def _cut_short(text: str, sections: list[_Section], first_line: int) -> list[str]:
    """Signs that the post was cut: it ends mid-line, or inside a quoted post."""
    warnings = []
    last_line = first_line + text.count("\n")
    if text and not text.endswith("\n"):
        warnings.append(
            f"line {last_line}: the post ends in the middle of a line; it may be cut short"
        )
    for section in sections:
        block = "\n".join(section.lines).lower()
        if block.count("<blockquote") > block.count("</blockquote>"):
            warnings.append(
                f"line {section.start}: a quoted post of {echo(section.title)!r} is not closed; "
                "the post may be cut short"
            )
    return warnings


def read_post(text: str, *, name: str = "post") -> ImportedPost:
    """The snapshot of a Hot Papers post, and a warning for each part that cannot be read."""
    text = repair(text.replace("\r\n", "\n"))
    front = _FRONT.match(text)
    if front is None:
        raise SnapshotError(f"{name} has no front matter: it is not a Hot Papers post.")
    # The last date of the title: "best of the week 2021-03-12 – 2021-03-18" is the 18th's.
    title_day = re.search(r"^title:.*" + _DAY.pattern, front.group("body"), re.MULTILINE)
    any_day = title_day or _DAY.search(front.group("body"))
    if any_day is None:
        raise SnapshotError(f"{name} names no date (title: Hot Papers YYYY-MM-DD).")
    try:
        day = dt.date.fromisoformat(any_day.group(1))
    except ValueError as exc:
        raise SnapshotError(f"{name} has an impossible date {any_day.group(1)!r}.") from exc
    first_line = text[: front.end()].count("\n") + 1
    body = text[front.end() :]
    sections = _sections(body, first_line)
    if not sections:
        raise SnapshotError(f"{name} lists no papers (no '# N. Title' sections).")
    papers: dict[str, Paper] = {}
    signals: list[Signal] = []
    warnings: list[str] = []
    for section in sections:
        paper, found = _paper_and_signals(section, day, warnings)
        if paper.arxiv_id in papers:
            raise SnapshotError(f"{name} lists arXiv:{paper.arxiv_id} twice.")
        papers[paper.arxiv_id] = paper
        signals += found
    taken = [s.taken_at for s in signals if s.taken_at is not None]
    snapshot = Snapshot(
        date=day,
        papers=tuple(papers.values()),
        signals=tuple(signals),
        sources_used=tuple(sorted({s.source for s in signals})),
        taken_at=max(taken) if taken else None,
        origin=f"import-post:{name}",
    )
    warnings += _cut_short(body, sections, first_line)
    return ImportedPost(snapshot=snapshot, warnings=tuple(warnings))
