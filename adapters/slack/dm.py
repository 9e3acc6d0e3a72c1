"""Direct messages on Slack: ``conversations.open`` with the user, then ``chat.postMessage``.

Block Kit through slack_sdk's models; every upstream string (titles, authors) and the person's
own follow values are escaped, so nothing can mention anyone or inject a link.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import HEADER_CHARS, SECTION_CHARS, escape, link
from adapters.slack.publisher import translate
from bot.errors import DeliveryError, MaybePosted
from bot.follows.digest import more_line, why
from bot.follows.model import FollowDigest, Person
from bot.insight import short_authors
from bot.render.common import one_line
from bot.render.text import excerpt


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def heading(message: FollowDigest) -> str:
    count = len(message.matches)
    return f"{count} new paper{'s' if count != 1 else ''} for what you follow ({message.dated})"


def dm_message(message: FollowDigest) -> dict[str, Any]:
    """The ``text`` and ``blocks`` of one direct message."""
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=_cut(heading(message), HEADER_CHARS)))
    ]
    for n, match in enumerate(message.matches, start=1):
        paper = match.paper
        lines = [
            f"*{link(paper.abs_url, f'{n}. {_cut(one_line(paper.title), 250)}')}*",
            escape(_cut(one_line(short_authors(paper.authors)), 200)),
            f"_{escape(_cut(one_line(why(match)), 300))}_",
        ]
        if paper.abstract.strip():
            lines.append("> " + escape(excerpt(one_line(paper.abstract), 300)))
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=_cut("\n".join(lines), SECTION_CHARS)))
        )
    footer = "Change what comes: /hotpapers follows · /hotpapers dm at HH:MM"
    if message.more:
        footer = more_line(message) + " " + footer
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=escape(footer))]))
    return {"text": escape(heading(message)), "blocks": [b.to_dict() for b in blocks]}


class SlackDirectMessenger:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def send_dm(self, person: Person, message: FollowDigest) -> str:
        """The ts of the direct message; DeliveryError when it certainly was not sent,
        MaybePosted when it may have been."""
        try:
            opened = await self.client.conversations_open(users=person.user)
            channel = str((opened.get("channel") or {}).get("id", ""))
        except SlackApiError as exc:
            error = exc.response.get("error", "") or f"HTTP {exc.response.status_code}"
            raise DeliveryError(
                f"Slack would not open a direct message with {person.user}: {error}"
            ) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"Slack could not be reached ({type(exc).__name__})") from exc
        if not channel:
            raise DeliveryError(f"Slack opened no direct message with {person.user}")
        payload = dm_message(message)
        try:
            response = await self.client.chat_postMessage(
                channel=channel,
                text=payload["text"],
                blocks=payload["blocks"],
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            raise translate(exc, f"a direct message to {person.user}") from exc
        except aiohttp.ClientConnectorError as exc:
            raise DeliveryError(f"Slack could not be reached ({type(exc).__name__})") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise MaybePosted(
                f"Slack did not answer after a direct message to {person.user} was sent "
                f"({type(exc).__name__})"
            ) from exc
        return str(response.get("ts", ""))
