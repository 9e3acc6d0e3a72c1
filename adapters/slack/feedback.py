"""Buttons and reactions on Slack: what a channel says about the papers we post.

A press of 👍, 👎 or 🔖 (Block Kit ``block_actions``, ``action_id`` ``hp_like`` …, the arXiv id
as value) is acknowledged at once (Slack wants it within 3 s), recorded per workspace, channel
and person in ``store.feedback``, and answered only to the presser ("🔖 Saved for you and
#lab."); the same button again takes the word back. 🧵 posts a reply in the message's thread
seeded with the paper's links (a new message when the digest was only shown to the presser:
an ephemeral message has no thread). ``reaction_added`` and ``reaction_removed`` on a message we
posted count for the paper they can be tied to (``bot.feedback.actions.reacted_paper``), as a
reaction with its emoji; removing it removes it.

Everything in a payload is untrusted: a press that is not ours, or an id that is not an arXiv
id, is acknowledged and ignored.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.feedback import FeedbackRecorder
from adapters.slack.blocks import PAPER_BLOCK, carried, escape, link
from bot.feedback import Channel
from bot.feedback.actions import ThreadSeed, acknowledgement, press, seed
from bot.models import Digest
from bot.store.feedback import FeedbackStore

ACTION = re.compile(r"^hp_(like|dislike|save|discuss)$")
_ID = re.compile(r"^[A-Z0-9]{1,32}$")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]*)>")
log = logging.getLogger("hotpapers.slack")


def _field(body: Mapping[str, Any], *path: str) -> str:
    found: Any = body
    for key in path:
        found = found.get(key) if isinstance(found, Mapping) else None
    return found if isinstance(found, str) else ""


def seed_text(thread: ThreadSeed) -> str:
    """A paper's thread seed as Slack mrkdwn: its linked title, then its links; escaped."""
    title = link(thread.links[0].url, thread.title or thread.arxiv_id) if thread.links else ""
    places = " · ".join(link(x.url, x.label, 80) for x in thread.links)
    return f"🧵 *{title}*\n{places}"


def shown_seed(arxiv_id: str, blocks: Sequence[Any]) -> ThreadSeed:
    """The seed of a paper from the message it was pressed in: the links of its section (ours,
    built from checked URLs; their labels unescaped, to be escaped again when posted)."""
    section = ""
    for block in blocks:
        if not isinstance(block, Mapping):
            continue
        if block.get("type") == "section":
            text = block.get("text")
            section = str(text.get("text", "")) if isinstance(text, Mapping) else ""
        if str(block.get("block_id", "")).startswith(PAPER_BLOCK) and any(
            isinstance(e, Mapping) and e.get("value") == arxiv_id
            for e in block.get("elements") or []
        ):
            break
    else:
        return seed(arxiv_id, "")
    links = [(html.unescape(label), url) for url, label in _LINK.findall(section)]
    title = re.sub(r"^\d+\.\s*", "", links[0][0]) if links else ""
    return seed(arxiv_id, title, [(label, url) for label, url in links[1:] if label != "link"])


class SlackFeedback:
    """Reads Slack's presses and reaction events; records through ``FeedbackRecorder``."""

    def __init__(
        self,
        feedback: FeedbackStore,
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.recorder = FeedbackRecorder(feedback, clock=clock)
        self.feedback = feedback

    @staticmethod
    def _where(workspace: str, channel: str) -> Channel:
        return Channel(platform="slack", channel=channel, scope=workspace)

    async def posted(
        self, workspace: str, channel: str, ts: str, message: Mapping[str, Any]
    ) -> None:
        """Remember the papers a posted message carries (from its buttons)."""
        if ts:
            await self.recorder.posted(self._where(workspace, channel), ts, carried(message))

    async def own(self, workspace: str, channel: str, digest: Digest) -> Digest:
        """The digest with the channel's own count on each paper it has one for."""
        return await self.recorder.own(self._where(workspace, channel), digest)

    async def pressed(
        self, body: Mapping[str, Any], *, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        actions = body.get("actions")
        action = actions[0] if isinstance(actions, list) and actions else {}
        if not isinstance(action, Mapping):
            return
        what = press(str(action.get("action_id", "")), str(action.get("value", "")))
        team = _field(body, "team", "id")
        channel, user = _field(body, "channel", "id"), _field(body, "user", "id")
        if what is None or not channel or not user:
            log.info("ignored a Slack button press that is not ours")
            return
        shown = f"<#{channel}>" if _ID.match(channel) else escape(channel)
        text: str | None
        if what.action == "discuss":
            await self._discuss(body, what.arxiv_id, channel, team, client)
            text = acknowledgement("discuss", channel=shown)
        else:
            where = self._where(team, channel)
            text = await self.recorder.pressed(where, user, what.action, what.arxiv_id, shown=shown)
        if text is not None:
            await respond(text=text, response_type="ephemeral", replace_original=False)

    async def _discuss(
        self,
        body: Mapping[str, Any],
        arxiv_id: str,
        channel: str,
        team: str,
        client: AsyncWebClient,
    ) -> None:
        message = body.get("message")
        blocks = message.get("blocks") if isinstance(message, Mapping) else None
        thread = seed(arxiv_id, "")
        if isinstance(blocks, list):
            thread = shown_seed(arxiv_id, blocks)
        if not thread.title:
            stored = await self.feedback.papers([arxiv_id])
            if arxiv_id in stored:
                others = [(x.label, x.url) for x in thread.links[2:]]
                thread = seed(arxiv_id, stored[arxiv_id].title, others)
        # An ephemeral digest has no thread: the seed is a new message, the thread's start.
        parent = _field(body, "message", "thread_ts") or _field(body, "message", "ts")
        extra: dict[str, Any] = {"thread_ts": parent} if parent else {}
        try:
            posted = await client.chat_postMessage(
                channel=channel,
                text=seed_text(thread),
                unfurl_links=False,
                unfurl_media=False,
                **extra,
            )
        except SlackApiError as exc:
            error = exc.response.get("error")
            log.warning("the 🧵 thread of %s was not opened: %s", arxiv_id, error)
            return
        await self.recorder.posted(self._where(team, channel), str(posted["ts"]), [(0, arxiv_id)])

    async def reacted(self, body: Mapping[str, Any], *, added: bool) -> None:
        event = body.get("event")
        if not isinstance(event, Mapping) or _field(event, "item", "type") != "message":
            return
        channel, ts = _field(event, "item", "channel"), _field(event, "item", "ts")
        user, emoji = _field(event, "user"), _field(event, "reaction")
        if channel and ts and user and emoji:
            where = self._where(_field(body, "team_id"), channel)
            await self.recorder.reacted(where, ts, user, emoji, added=added)


def register_feedback(app: AsyncApp, recorder: SlackFeedback) -> None:
    """The app's handlers of the paper buttons and of reactions."""

    @app.action(ACTION)
    async def pressed(
        ack: Any, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()  # first: Slack wants an answer within 3 s
        await recorder.pressed(body, respond=respond, client=client)

    @app.event("reaction_added")
    async def reaction_added(body: dict[str, Any]) -> None:
        await recorder.reacted(body, added=True)

    @app.event("reaction_removed")
    async def reaction_removed(body: dict[str, Any]) -> None:
        await recorder.reacted(body, added=False)
