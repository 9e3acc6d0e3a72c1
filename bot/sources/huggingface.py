"""Hugging Face Daily Papers: upvotes, comments and GitHub stars, no account needed.

Each paper also brings its code repository (``githubRepo``) and Hugging Face's one-sentence
summary (``ai_summary``), kept on the signal for the annotations (``bot.insight``).

``GET /api/daily_papers?date=D`` lists the papers added to Daily Papers on day D (not their
arXiv date), so the announcement day and the day after are both read; a page holds at most
``limit`` papers and further pages are asked for while pages come back full.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.cache import utcnow
from bot.errors import SourceError
from bot.ids import normalize_id
from bot.models import Paper, Signal
from bot.sources.github import repo_name
from bot.sources.http import DEFAULT_RETRY, Fetcher, RetryPolicy, Sleep

API_URL = "https://huggingface.co/api/daily_papers"
PAGE_SIZE = 100
MAX_PAGES = 10
INTERVAL_S = 0.5
SUMMARY_CHARS = 600  # Hugging Face's summaries are one sentence; a longer one is cut


class _HFPaper(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    upvotes: int = 0
    githubStars: int | None = None  # noqa: N815 - the API's name
    githubRepo: str | None = None  # noqa: N815 - the API's name
    ai_summary: str | None = None


class _HFEntry(BaseModel):
    model_config = ConfigDict(extra="ignore")
    paper: _HFPaper
    numComments: int = 0  # noqa: N815 - the API's name


def _summary(text: str | None) -> str | None:
    """The summary as one line of at most ``SUMMARY_CHARS`` characters, or None when empty."""
    flat = " ".join((text or "").split())
    if not flat:
        return None
    return flat if len(flat) <= SUMMARY_CHARS else flat[: SUMMARY_CHARS - 1] + "…"


class HuggingFaceSource:
    name = "huggingface"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str = API_URL,
        clock: Callable[[], dt.datetime] = utcnow,
        interval: float = INTERVAL_S,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.http = Fetcher(client, self.name, interval=interval, retry=retry, sleep=sleep)
        self.base_url = base_url
        self.clock = clock

    async def _entries(self, day: dt.date) -> list[_HFEntry]:
        entries: list[_HFEntry] = []
        for page in range(MAX_PAGES):
            params: dict[str, str | int] = {"date": day.isoformat(), "limit": PAGE_SIZE, "p": page}
            data = await self.http.get(self.base_url, params=params)
            if not isinstance(data, list):
                raise SourceError(self.name, "answered with an unexpected shape")
            try:
                entries += [_HFEntry.model_validate(item) for item in data]
            except ValidationError as exc:
                raise SourceError(self.name, "answered with an unexpected shape") from exc
            if len(data) < PAGE_SIZE:
                break
        return entries

    async def collect(self, papers: Sequence[Paper], day: dt.date) -> list[Signal]:
        wanted = {p.arxiv_id for p in papers}
        today = self.clock().date()
        days = [d for d in (day, day + dt.timedelta(days=1)) if d <= today]
        taken = self.clock()
        best: dict[str, Signal] = {}
        for listed_on in days:
            for entry in await self._entries(listed_on):
                try:
                    arxiv_id = normalize_id(entry.paper.id)
                except ValueError:
                    continue
                if arxiv_id not in wanted:
                    continue
                counts = {"upvotes": entry.paper.upvotes, "comments": entry.numComments}
                if entry.paper.githubStars is not None:
                    counts["stars"] = entry.paper.githubStars
                # Listed on both days: the later listing has the newer counts.
                best[arxiv_id] = Signal(
                    source=self.name,
                    arxiv_id=arxiv_id,
                    counts=counts,
                    taken_at=taken,
                    repo=repo_name(entry.paper.githubRepo or ""),
                    summary=_summary(entry.paper.ai_summary),
                )
        return list(best.values())
