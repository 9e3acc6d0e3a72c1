"""Display names of engagement sources, shared by every renderer and the post importer."""

from __future__ import annotations

import re

SOURCE_LABELS = {
    "twitter": "X/Twitter",
    "huggingface": "Hugging Face",
    "hackernews": "Hacker News",
    "bluesky": "Bluesky",
    "reddit": "Reddit",
    "github": "GitHub",
}


def label(source: str) -> str:
    """How a source is named to people: ``hackernews`` → ``Hacker News``."""
    return SOURCE_LABELS.get(source, source)


def source_for_label(text: str) -> str:
    """The source key of a display name; an unknown name becomes a lower-case key."""
    for key, name in SOURCE_LABELS.items():
        if text.strip().casefold() in {name.casefold(), key}:
            return key
    return re.sub(r"[^a-z0-9]+", "", text.casefold()) or "unknown"
