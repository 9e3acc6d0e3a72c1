"""Finding the paper a ``follow similar ARXIV_ID`` names: in the store's days first, else on
arXiv's API (``id_list``). Its title and abstract are kept with the follow, so matching a day
never needs the network."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select

from bot.arxiv_api import ArxivApi, parse_results
from bot.limits import FIRST_DAY
from bot.models import Paper
from bot.store.retry import retried
from bot.store.sql import SqlStore
from bot.store.tables import PaperRow


class PaperLookup(Protocol):
    """The paper with this canonical id, or None when there is none; FeedError when the
    place it is looked up in cannot be read now."""

    async def __call__(self, arxiv_id: str) -> Paper | None: ...


class StoredPapers:
    """Papers of the days kept in the store (the latest day's version)."""

    def __init__(self, store: SqlStore) -> None:
        self.sessions = store.sessions

    @retried
    async def __call__(self, arxiv_id: str) -> Paper | None:
        async with self.sessions() as session:
            found = await session.scalar(
                select(PaperRow.paper)
                .where(PaperRow.arxiv_id == arxiv_id)
                .order_by(PaperRow.day.desc())
                .limit(1)
            )
        return Paper.model_validate(found) if found is not None else None


class ArxivPapers:
    """One paper from arXiv's API (``id_list``), through the API client every past day uses,
    so that its requests share the gate that spaces arXiv requests."""

    def __init__(self, api: ArxivApi) -> None:
        self.api = api

    async def __call__(self, arxiv_id: str) -> Paper | None:
        answer = await self.api._fetch({"id_list": arxiv_id, "max_results": 1})
        papers, _ = parse_results(answer, day=FIRST_DAY)
        found = next((p for p in papers if p.arxiv_id == arxiv_id), None)
        # Not an announcement of any day: the placeholder day is not kept.
        return found.model_copy(update={"announced": None}) if found is not None else None


class FirstFound:
    """Each lookup in turn, until one finds the paper."""

    def __init__(self, *lookups: PaperLookup) -> None:
        self.lookups = lookups

    async def __call__(self, arxiv_id: str) -> Paper | None:
        for lookup in self.lookups:
            if (paper := await lookup(arxiv_id)) is not None:
                return paper
        return None
