"""The Slack app: ``/hotpapers`` with slack-bolt's AsyncApp, in HTTP or Socket Mode.

The command is acknowledged at once (always within Slack's 3 s), then answered through the
command's ``response_url``: help, errors, lists and digests are ephemeral unless
``public`` asks to post for everyone, which posts with ``chat.postMessage`` (a long digest
continues in the thread). Bolt verifies the signing secret of every HTTP request: a forged or
stale signature gets 401 and nothing runs; a signed request sent again within its five minutes
(a replay) gets 401 too, and nothing runs twice: the signatures served are kept in the store
that every replica shares. A command without a ``response_url`` is answered in the
acknowledgement itself. A change to the channel's subscriptions is announced in the channel,
naming who made it.

A burst of commands is acknowledged first: at most ``ANSWERS_AT_ONCE`` are answered at once
(the others wait their turn, acknowledged), so that answers never take every store connection
or the event loop from the acknowledgements and ``/healthz``; papers rendered for one answer
are reused by the next (``Rendered``); and answers share one HTTP session's connections.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import aiohttp
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest, AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.blocks import Rendered, escape, to_messages
from adapters.slack.feedback import SlackFeedback, register_feedback
from adapters.slack.publisher import SlackPublisher, translate
from bot.chat import CommandHandler, Context, DigestReply, Reply, TextReply, announcement
from bot.limits import CUT_NOTE, REPLY_LIMITS

COMMAND = "/hotpapers"
MAX_RESPONSES = 5  # Slack accepts five messages through one response_url
# Commands answered at once; the others wait, acknowledged, for their turn. Fewer than the
# store's connections (15 on SQLite, 24 on PostgreSQL): a burst of answers never takes every
# connection from the acknowledgements' replay checks, nor the event loop from /healthz.
ANSWERS_AT_ONCE = 12
Policy = Callable[[str], bool]  # may this user change the channel's subscriptions?
NO_RESPONSE_URL = "hotpapers cannot answer this command: Slack sent no response_url with it."
log = logging.getLogger("hotpapers.slack")


class Replays(Protocol):
    """Remembers signed requests: True the first time a signature is seen within its window."""

    async def first_time(self, signature: str, *, now: dt.datetime) -> bool: ...


def refuse_replays(app: AsyncApp, replays: Replays, clock: Callable[[], dt.datetime]) -> None:
    """A middleware after Bolt's own verification: a signature served once never runs again.

    It runs after the signature was verified, so that nobody can block a request by sending
    its signature first with another body.
    """

    async def once(
        request: AsyncBoltRequest, next_: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        signature = request.headers.get("x-slack-signature", [""])[0]
        if request.mode != "http" or not signature:
            return await next_()
        timestamp = request.headers.get("x-slack-request-timestamp", [""])[0]
        if await replays.first_time(f"{timestamp}:{signature}", now=clock()):
            return await next_()
        log.warning("refused a replayed Slack request (its signature was already served)")
        return BoltResponse(status=401, body="This signed request was already served.")

    app.middleware(once)


class SharedRespond:
    """Bolt's ``respond`` on one HTTP session that every answer shares: connections to Slack's
    response URLs are kept open and reused, not opened (TLS and all) for each message."""

    def __init__(self, response_url: str, session: aiohttp.ClientSession) -> None:
        self.response_url = response_url
        self.session = session

    async def __call__(
        self,
        *,
        text: str = "",
        blocks: list[dict[str, Any]] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
    ) -> WebhookResponse:
        client = AsyncWebhookClient(url=self.response_url, session=self.session)
        return await client.send(
            text=text, blocks=blocks, response_type=response_type, replace_original=replace_original
        )


def escaped(text: str) -> str:
    """Slack's escaped text within the 40,000 characters of a message: escaping lengthens it
    (``&`` becomes ``&amp;``), so it is cut after, never inside an entity."""
    out = escape(text)
    limit = REPLY_LIMITS["slack"]
    if len(out) <= limit:
        return out
    head = re.sub(r"&[a-z]*$", "", out[: limit - len(CUT_NOTE)])
    return head.rstrip() + CUT_NOTE


async def answer(
    reply: Reply,
    *,
    respond: AsyncRespond | SharedRespond,
    client: AsyncWebClient,
    channel: str,
    who: str = "",
    feedback: SlackFeedback | None = None,
    workspace: str = "",
    rendered: Rendered | None = None,
) -> None:
    """Send a reply: ephemeral through ``respond`` unless it is a public digest or a change to
    the channel's subscriptions, announced in the channel with ``who`` made it (their name as
    text, escaped: a mention would notify them). With ``feedback``, a digest carries the
    paper buttons and the channel's own count, and a public one's papers are remembered.
    ``rendered``: papers rendered for earlier answers, reused."""
    if isinstance(reply, TextReply) and reply.kind == "confirmation":
        text = announcement(escaped(reply.text), escape(who) if who else "Someone")
        await respond(text=text, response_type="in_channel", replace_original=False)
        return
    if not isinstance(reply, DigestReply):
        await respond(text=escaped(reply.text), response_type="ephemeral", replace_original=False)
        return
    digest = reply.digest
    if feedback is not None:
        digest = await feedback.own(workspace, channel, digest)
    if reply.public:
        try:
            await SlackPublisher(client).post(
                channel,
                digest,
                posted=(
                    None
                    if feedback is None
                    else functools.partial(feedback.posted, workspace, channel)
                ),
            )
        except SlackApiError as exc:
            error = translate(exc, "the post")
            await respond(
                text=escape(f"{error}. Is the app invited to this channel?"),
                response_type="ephemeral",
            )
        return
    messages = to_messages(digest, with_buttons=feedback is not None, rendered=rendered)
    if len(messages) > MAX_RESPONSES:
        note = (
            f"The digest continues beyond what one command may answer ({len(messages)} messages): "
            "ask for fewer papers with top N, or add public to post it all in the channel."
        )
        section = {"type": "section", "text": {"type": "mrkdwn", "text": note}}
        messages = [*messages[: MAX_RESPONSES - 1], {"text": note, "blocks": [section]}]
    for message in messages:
        await respond(
            text=message["text"],
            blocks=message["blocks"],
            response_type="ephemeral",
            replace_original=False,
        )


def register(
    app: AsyncApp,
    handler: CommandHandler,
    *,
    may_manage: Policy,
    feedback: SlackFeedback | None = None,
    answers_at_once: int = ANSWERS_AT_ONCE,
    session: aiohttp.ClientSession | None = None,
) -> None:
    """``/hotpapers``, acknowledged at once and answered in turn; with ``session``, the
    answers share its connections."""
    answering = asyncio.Semaphore(answers_at_once)
    rendered = Rendered()

    @app.command(COMMAND)
    async def hotpapers(
        ack: Any, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        if not command.get("response_url"):
            # Nothing could carry a later answer: say so now, and change nothing.
            log.warning("a /hotpapers command came without a response_url; it was not run")
            await ack(text=NO_RESPONSE_URL, response_type="ephemeral")
            return
        await ack()  # first: Slack wants an answer within 3 s, the digest may take longer
        context = Context(
            platform="slack",
            workspace=str(command.get("team_id", "")),
            channel=str(command.get("channel_id", "")),
            user=str(command.get("user_id", "")),
            may_manage=may_manage(str(command.get("user_id", ""))),
        )
        async with answering:
            reply = await handler.handle(str(command.get("text", "")), context)
            await answer(
                reply,
                respond=respond
                if session is None
                else SharedRespond(command["response_url"], session),
                client=client,
                channel=context.channel,
                who=str(command.get("user_name", "")),
                feedback=feedback,
                workspace=context.workspace,
                rendered=rendered,
            )


def _not_token_skipped(record: logging.LogRecord) -> bool:
    return "`token` will be unused" not in record.getMessage()


def build_app(
    handler: CommandHandler,
    *,
    client: AsyncWebClient,
    signing_secret: str,
    may_manage: Policy,
    replays: Replays | None = None,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    feedback: SlackFeedback | None = None,
    session: aiohttp.ClientSession | None = None,
    **options: Any,
) -> AsyncApp:
    """A Bolt app answering ``/hotpapers``; ``options`` pass OAuth settings for many workspaces.

    With ``replays``, a signed request is served at most once. With ``feedback``, digests carry
    the paper buttons, and presses and reactions are recorded (``adapters.slack.feedback``).
    With ``session`` (the caller closes it), answers to commands share its connections.
    """
    # Bolt reads SLACK_BOT_TOKEN itself and warns that the client's token wins; it is the same.
    logging.getLogger("slack_bolt.AsyncApp").addFilter(_not_token_skipped)
    app = AsyncApp(client=client, signing_secret=signing_secret, **options)
    if replays is not None:
        refuse_replays(app, replays, clock)
    register(app, handler, may_manage=may_manage, feedback=feedback, session=session)
    if feedback is not None:
        register_feedback(app, feedback)
    return app
