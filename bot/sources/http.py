"""One way for every source to ask for JSON and to turn each failure into a SourceError."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from bot.errors import SourceError


async def get_json(
    client: httpx.AsyncClient,
    source: str,
    url: str,
    *,
    params: Mapping[str, str | int] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Any:
    """The decoded JSON body of a GET; SourceError("hackernews", "HTTP 429") and the like."""
    try:
        response = await client.get(url, params=params, headers=headers)
    except httpx.TimeoutException as exc:
        raise SourceError(source, "timed out") from exc
    except httpx.HTTPError as exc:
        raise SourceError(source, f"unreachable ({type(exc).__name__})") from exc
    if response.status_code != 200:
        raise SourceError(source, f"HTTP {response.status_code}")
    try:
        return json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(source, "answered with malformed JSON") from exc
