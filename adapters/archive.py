"""``hotpapers publish``: a day's digest into a static archive directory.

Writes ``posts/hot-papers-YYYY-MM-DD.md`` (the Hot Papers post, front matter included, for a
static-site generator), ``hot-papers-YYYY-MM-DD.html`` (a self-contained page), ``index.html``
and ``feed.xml`` (Atom), remembering published days in ``archive.json``. Publishing a day again
replaces it; every file is written whole or not at all.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from bot.errors import InputError
from bot.files import write_atomic
from bot.models import Digest, Ranked
from bot.render.atom import render_atom
from bot.render.common import digest_title, one_line, reason, tldr_line
from bot.render.html import DayEntry, render_html, render_index
from bot.render.markdown import render_markdown

MANIFEST = "archive.json"
TOP_TITLES = 3


def _days(out: Path) -> dict[str, DayEntry]:
    path = out / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            d["slug"]: DayEntry(
                **{
                    **d,
                    "top_titles": tuple(d["top_titles"]),
                    "top_notes": tuple(d.get("top_notes", ())),
                }
            )
            for d in data["days"]
        }
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path} is not an archive manifest hotpapers can read ({exc}).") from exc


def _note(item: Ranked) -> str:
    """Why a top paper is hot and its TL;DR, for the feed."""
    why, tldr = reason(item), tldr_line(item)
    return " ".join(p for p in (f"{why}." if why else "", f"TL;DR: {tldr}" if tldr else "") if p)


def publish(digest: Digest, out: Path, *, base_url: str = "") -> list[Path]:
    """Write or replace the day in the archive at ``out``; the files written."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file, not a directory.")
    slug = f"hot-papers-{digest.date:%Y-%m-%d}"
    updated = (digest.counts_taken_at or digest.generated_at).strftime("%Y-%m-%dT%H:%M:%SZ")
    days = _days(out)
    days[slug] = DayEntry(
        date=f"{digest.date:%Y-%m-%d}",
        slug=slug,
        papers=len(digest.items),
        top_titles=tuple(
            one_line(" ".join(r.paper.title.split())) for r in digest.items[:TOP_TITLES]
        ),
        top_notes=tuple(_note(r) for r in digest.items[:TOP_TITLES]),
        title=digest_title(digest),
        updated=updated,
    )
    files = {
        out / "posts" / f"{slug}.md": render_markdown(digest),
        out / f"{slug}.html": render_html(digest),
        out / "index.html": render_index(list(days.values())),
        out / "feed.xml": render_atom(list(days.values()), base_url=base_url),
        out / MANIFEST: json.dumps(
            {"days": [dataclasses.asdict(d) for d in days.values()]}, ensure_ascii=False, indent=1
        ),
    }
    for path, text in files.items():
        write_atomic(path, text, make_parents=True)
    return list(files)
