"""Direct messages on Discord over REST: ``POST /users/@me/channels`` opens (or finds) the DM
channel with the user, ``POST /channels/{id}/messages`` sends one message with an embed per
paper, ``allowed_mentions`` empty and a nonce (``enforce_nonce``) so that a retried request
within minutes is not a second message. Text is escaped as in channel digests."""

from __future__ import annotations

import hashlib
from typing import Any

import discord
import httpx

from adapters.discord.embeds import NO_MENTIONS, escape
from adapters.discord.publisher import API_BASE
from adapters.webhooks import message_id, send_once
from bot.errors import DeliveryError, DestinationGone, MaybePosted, RateLimited
from bot.follows.digest import more_line, why
from bot.follows.model import FollowDigest, Person
from bot.insight import short_authors
from bot.render.common import one_line
from bot.render.text import excerpt


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dm_payload(message: FollowDigest) -> dict[str, Any]:
    """The ``content``, ``embeds`` (one per paper, at most 10) and ``allowed_mentions``."""
    count = len(message.matches)
    content = [
        f"**{count} new paper{'s' if count != 1 else ''} for what you follow** ({message.dated})"
    ]
    if message.more:
        content.append(escape(more_line(message)))
    embeds = []
    for n, match in enumerate(message.matches, start=1):
        paper = match.paper
        lines = [
            escape(_cut(one_line(short_authors(paper.authors)), 300)),
            f"*{escape(_cut(one_line(why(match)), 300))}*",
        ]
        if paper.abstract.strip():
            lines.append(escape(excerpt(one_line(paper.abstract), 400)))
        embed = discord.Embed(
            title=_cut(f"{n}. {escape(_cut(one_line(paper.title), 200))}", 256),
            url=paper.abs_url,
            description=_cut("\n".join(lines), 1000),
        )
        embeds.append(embed.to_dict())
    return {
        "content": _cut("\n".join(content), 2000),
        "embeds": embeds[:10],
        "allowed_mentions": NO_MENTIONS,
    }


def nonce(person: Person, message: FollowDigest) -> str:
    """The same person and day, the same nonce (Discord takes at most 25 characters)."""
    what = f"{person.label()}:{message.day}"
    return hashlib.sha256(what.encode()).hexdigest()[:25]


class DiscordDirectMessenger:
    def __init__(self, client: httpx.AsyncClient, token: str, *, api_base: str = API_BASE) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bot {token}"}
        self.api_base = api_base.rstrip("/")

    async def _channel(self, user: str) -> str:
        try:
            response = await self.client.post(
                f"{self.api_base}/users/@me/channels",
                json={"recipient_id": user},
                headers=self.headers,
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(f"Discord could not be reached ({type(exc).__name__})") from exc
        found = message_id(response, "Discord") if response.status_code < 300 else ""
        if not found:
            raise DeliveryError(
                f"Discord would not open a direct message with {user} (HTTP {response.status_code})"
            )
        return found

    async def send_dm(self, person: Person, message: FollowDigest) -> str:
        """The id of the direct message; DeliveryError when it certainly was not sent,
        MaybePosted when it may have been."""
        channel = await self._channel(person.user)
        payload = {**dm_payload(message), "nonce": nonce(person, message), "enforce_nonce": True}
        response = await send_once(
            self.client,
            "Discord",
            "POST",
            f"{self.api_base}/channels/{channel}/messages",
            json=payload,
            headers=self.headers,
        )
        status = response.status_code
        if status == 429:
            raise RateLimited(f"Discord is rate limiting direct messages to {person.user}", 1.0)
        if status in (403, 404):
            # 50007: the user shares no server with the bot or does not take direct messages.
            raise DestinationGone(f"Discord refused a direct message to {person.user} ({status})")
        if status >= 500:
            raise MaybePosted(f"Discord failed on a direct message to {person.user} ({status})")
        if status >= 300:
            raise DeliveryError(f"Discord refused a direct message to {person.user} ({status})")
        return message_id(response, "Discord")
