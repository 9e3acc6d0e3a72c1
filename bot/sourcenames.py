"""Display names of engagement sources, shared by every renderer and the post importer."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

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


_HOSTS = {
    "twitter.com": "twitter",
    "x.com": "twitter",
    "news.ycombinator.com": "hackernews",
    "bsky.app": "bluesky",
    "huggingface.co": "huggingface",
    "reddit.com": "reddit",
    "github.com": "github",
}


def source_for_url(url: str) -> str | None:
    """The source a post's URL belongs to, when its host is one of the known ones."""
    host = urlsplit(url).hostname or ""
    host = host.removeprefix("www.").removeprefix("old.").removeprefix("mobile.")
    return _HOSTS.get(host)
