"""The digest as JSON: every field of the digest, plus each paper's links and rank."""

from __future__ import annotations

from typing import Any

from pydantic_core import to_json

from bot.models import Digest

JSON_FORMAT = "hotpapers-digest"
JSON_VERSION = 1


def digest_dict(digest: Digest) -> dict[str, Any]:
    data: dict[str, Any] = {"format": JSON_FORMAT, "version": JSON_VERSION}
    data.update(digest.model_dump(mode="json"))
    for rank, (item, ranked) in enumerate(zip(data["items"], digest.items, strict=True), start=1):
        item["rank"] = rank
        paper = ranked.paper
        item["paper"].update(abs_url=paper.abs_url, pdf_url=paper.pdf_url, html_url=paper.html_url)
    return data


def render_json(digest: Digest) -> str:
    """Pretty, UTF-8 (not ``\\u`` escapes) JSON, ending with a newline.

    pydantic-core's serialiser indents ten times faster than the standard library's.
    """
    return to_json(digest_dict(digest), indent=2).decode() + "\n"
