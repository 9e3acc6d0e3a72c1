"""``hotpapers publish``: a day's digest into a static archive directory.

Writes ``posts/hot-papers-YYYY-MM-DD.md`` (the Hot Papers post, front matter included, for a
static-site generator), ``hot-papers-YYYY-MM-DD.html`` (a self-contained page), ``index.html``
and ``feed.xml`` (Atom), remembering published days and the base URL in ``archive.json``.
Publishing a day again replaces it; every file is written whole or not at all.

The feed's links are absolute: under ``--base-url``, else the base URL an earlier publish was
given, else the ``file://`` URL of the directory (right for reading it locally, wrong once the
archive is served elsewhere: the caller is warned).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from bot.errors import InputError
from bot.files import write_atomic
from bot.models import Digest, Ranked
from bot.render.atom import FEED_DAYS, render_atom
from bot.render.common import digest_title, one_line, reason, tldr_line
from bot.render.html import DayEntry, render_feed_content, render_html, render_index
from bot.render.markdown import render_markdown

MANIFEST = "archive.json"
TOP_TITLES = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class Manifest:
    days: dict[str, DayEntry]
    base_url: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Published:
    """What ``publish`` wrote, the base URL of the feed's links, and a warning about it."""

    files: list[Path]
    base_url: str
    warning: str = ""


def _manifest(out: Path) -> Manifest:
    path = out / MANIFEST
    if not path.is_file():
        return Manifest(days={})
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        days = {
            d["slug"]: DayEntry(
                **{
                    **d,
                    "top_titles": tuple(d["top_titles"]),
                    "top_notes": tuple(d.get("top_notes", ())),
                    "top_ids": tuple(d.get("top_ids", ())),
                    "top_scores": tuple(float(s) for s in d.get("top_scores", ())),
                }
            )
            for d in data["days"]
        }
        base_url = data.get("base_url", "")
        if not isinstance(base_url, str):
            raise TypeError("base_url is not a string")
        return Manifest(days=days, base_url=base_url)
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path} is not an archive manifest hotpapers can read ({exc}).") from exc


def _note(item: Ranked) -> str:
    """Why a top paper is hot and its TL;DR, for the feed."""
    why, tldr = reason(item), tldr_line(item)
    return " ".join(p for p in (f"{why}." if why else "", f"TL;DR: {tldr}" if tldr else "") if p)


def _base(out: Path, given: str, remembered: str) -> tuple[str, str]:
    """The base URL of the feed's links, and a warning when it had to be guessed."""
    if given or remembered:
        return (given or remembered).rstrip("/") + "/", ""
    local = out.resolve().as_uri() + "/"
    return local, (
        f"feed.xml links point to {local}; pass --base-url with the address the archive is "
        "served at (it is remembered for later days)."
    )


def publish(digest: Digest, out: Path, *, base_url: str = "") -> Published:
    """Write or replace the day in the archive at ``out``."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file, not a directory.")
    slug = f"hot-papers-{digest.date:%Y-%m-%d}"
    updated = (digest.counts_taken_at or digest.generated_at).strftime("%Y-%m-%dT%H:%M:%SZ")
    manifest = _manifest(out)
    base, warning = _base(out, base_url, manifest.base_url)
    days = manifest.days
    top = digest.items[:TOP_TITLES]
    days[slug] = DayEntry(
        date=f"{digest.date:%Y-%m-%d}",
        slug=slug,
        papers=len(digest.items),
        top_titles=tuple(one_line(" ".join(r.paper.title.split())) for r in top),
        top_notes=tuple(_note(r) for r in top),
        top_ids=tuple(one_line(r.paper.arxiv_id) for r in top),
        top_scores=tuple(r.score for r in top),
        title=digest_title(digest),
        updated=updated,
        content=render_feed_content(digest, page_url=f"{base}{slug}.html"),
    )
    # Only the days the feed lists keep their content, so the manifest stays small.
    in_feed = sorted(days, key=lambda s: days[s].date, reverse=True)[:FEED_DAYS]
    kept = [d if d.slug in in_feed else dataclasses.replace(d, content="") for d in days.values()]
    files = {
        out / "posts" / f"{slug}.md": render_markdown(digest),
        out / f"{slug}.html": render_html(digest),
        out / "index.html": render_index(kept),
        out / "feed.xml": render_atom(kept, base_url=base),
        out / MANIFEST: json.dumps(
            {
                "base_url": base_url.rstrip("/") + "/" if base_url else manifest.base_url,
                "days": [dataclasses.asdict(d) for d in kept],
            },
            ensure_ascii=False,
            indent=1,
        ),
    }
    for path, content in files.items():
        write_atomic(path, content, make_parents=True)
    return Published(files=list(files), base_url=base, warning=warning)
