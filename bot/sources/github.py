"""GitHub stars of the code repositories that the day's papers link.

Repositories come from the abstracts and from what Hugging Face lists for a paper; a repository
whose stars another source already counted (Hugging Face's ``githubStars``) is skipped. With a
token, one GraphQL request reads up to ``BATCH`` repositories; without one, the REST API is read
one repository at a time, at most ``max_repos`` of them (GitHub allows 60 such requests an hour).
Each signal carries when its repository was created, so that the ranking can tell the lifetime
stars of an older repository from attention to the paper (``bot.attention``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from bot.cache import utcnow
from bot.errors import SourceError
from bot.models import Paper, Signal
from bot.sources.http import DEFAULT_RETRY, Fetcher, RetryPolicy, Sleep

API_URL = "https://api.github.com"
BATCH = 50
MAX_REPOS_WITHOUT_TOKEN = 30
_REPO = re.compile(
    r"github\.com/([A-Za-z0-9][A-Za-z0-9-]{0,38})/([A-Za-z0-9._-]{1,100})", re.IGNORECASE
)
_NOT_REPOS = {"about", "features", "orgs", "sponsors", "topics", "marketplace", "settings"}


def repos_in(text: str) -> list[str]:
    """``owner/name`` of every GitHub repository a text links, in order, each once."""
    found: dict[str, None] = {}
    for owner, name in _REPO.findall(text):
        name = re.sub(r"(\.git|[.,;:)]+)$", "", name)
        if owner.lower() not in _NOT_REPOS and name:
            found.setdefault(f"{owner}/{name}", None)
    return list(found)


def repo_name(url: str) -> str | None:
    """The ``owner/name`` of a GitHub repository URL, or None."""
    repos = repos_in(url)
    return repos[0] if repos else None


def _moment(value: object) -> dt.datetime | None:
    """An ISO 8601 time as GitHub writes it (``2021-03-01T12:00:00Z``), or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


# A repository's stars and when it was created (None when GitHub did not say).
Repo = tuple[int, dt.datetime | None]


class GitHubSource:
    name = "github"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        token: str | None = None,
        api_url: str = API_URL,
        max_repos: int = MAX_REPOS_WITHOUT_TOKEN,
        clock: Callable[[], dt.datetime] = utcnow,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.http = Fetcher(client, self.name, retry=retry, sleep=sleep)
        self.token = token
        self.api_url = api_url.rstrip("/")
        self.max_repos = max_repos
        self.clock = clock

    async def collect(self, papers: Sequence[Paper], day: dt.date) -> list[Signal]:
        return await self.follow_up(papers, day, [])

    async def follow_up(
        self, papers: Sequence[Paper], day: dt.date, signals: Sequence[Signal]
    ) -> list[Signal]:
        """Stars of the repositories linked by ``papers`` that ``signals`` did not count yet."""
        counted = {s.repo.lower() for s in signals if s.repo and "stars" in s.counts}
        linked: dict[str, list[str]] = defaultdict(list)
        for paper in papers:
            for repo in repos_in(paper.abstract):
                linked[repo].append(paper.arxiv_id)
        for s in signals:
            if s.repo:
                linked[s.repo].append(s.arxiv_id)
        wanted = {
            repo: list(dict.fromkeys(ids))
            for repo, ids in linked.items()
            if repo.lower() not in counted
        }
        found = await (self._graphql(list(wanted)) if self.token else self._rest(list(wanted)))
        taken = self.clock()
        return [
            Signal(
                source=self.name,
                arxiv_id=arxiv_id,
                counts={"stars": found[repo][0]},
                share=1.0 / len(wanted[repo]),
                taken_at=taken,
                repo=repo,
                repo_created_at=found[repo][1],
            )
            for repo in wanted
            if repo in found
            for arxiv_id in wanted[repo]
        ]

    async def _rest(self, repos: list[str]) -> dict[str, Repo]:
        stars: dict[str, Repo] = {}
        for repo in repos[: self.max_repos]:
            try:
                data = await self.http.get(f"{self.api_url}/repos/{repo}", headers=self._headers())
            except SourceError as exc:
                if exc.reason == "HTTP 404":
                    continue  # a repository that was deleted or made private
                raise
            if isinstance(data, dict) and isinstance(data.get("stargazers_count"), int):
                stars[repo] = (data["stargazers_count"], _moment(data.get("created_at")))
        return stars

    async def _graphql(self, repos: list[str]) -> dict[str, Repo]:
        stars: dict[str, Repo] = {}
        for start in range(0, len(repos), BATCH):
            batch = repos[start : start + BATCH]
            fields = " ".join(
                f"r{i}: repository(owner: $o{i}, name: $n{i}) {{ stargazerCount createdAt }}"
                for i in range(len(batch))
            )
            params = ", ".join(f"$o{i}: String!, $n{i}: String!" for i in range(len(batch)))
            variables: dict[str, Any] = {}
            for i, repo in enumerate(batch):
                variables[f"o{i}"], variables[f"n{i}"] = repo.split("/", 1)
            body = {"query": f"query({params}) {{ {fields} }}", "variables": variables}
            data = await self.http.json(
                "POST", f"{self.api_url}/graphql", json=body, headers=self._headers()
            )
            found = data.get("data") if isinstance(data, dict) else None
            if not isinstance(found, dict):
                raise SourceError(self.name, "answered with an unexpected shape")
            for i, repo in enumerate(batch):
                node = found.get(f"r{i}")
                if isinstance(node, dict) and isinstance(node.get("stargazerCount"), int):
                    stars[repo] = (node["stargazerCount"], _moment(node.get("createdAt")))
        return stars

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/vnd.github+json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers
