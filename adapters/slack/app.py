"""The Slack app: ``/hotpapers`` with slack-bolt's AsyncApp, in HTTP or Socket Mode.

The command is acknowledged at once (always within Slack's 3 s), then answered through the
command's ``response_url``: help, errors, confirmations, lists and digests are ephemeral unless
``public`` asks to post for everyone, which posts with ``chat.postMessage`` (a long digest
continues in the thread). Bolt verifies the signing secret of every HTTP request: a forged or
stale signature gets 401 and nothing runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import escape, to_messages
from adapters.slack.publisher import SlackPublisher, translate
from bot.chat import CommandHandler, Context, DigestReply, Reply

COMMAND = "/hotpapers"
MAX_RESPONSES = 5  # Slack accepts five messages through one response_url
Policy = Callable[[str], bool]  # may this user change the channel's subscriptions?


async def answer(
    reply: Reply, *, respond: AsyncRespond, client: AsyncWebClient, channel: str
) -> None:
    """Send a reply: ephemeral through ``respond`` unless it is a public digest."""
    if not isinstance(reply, DigestReply):
        await respond(text=escape(reply.text), response_type="ephemeral", replace_original=False)
        return
    if reply.public:
        try:
            await SlackPublisher(client).post(channel, reply.digest)
        except SlackApiError as exc:
            error = translate(exc, "the post")
            await respond(
                text=escape(f"{error}. Is the app invited to this channel?"),
                response_type="ephemeral",
            )
        return
    messages = to_messages(reply.digest)
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


def register(app: AsyncApp, handler: CommandHandler, *, may_manage: Policy) -> None:
    @app.command(COMMAND)
    async def hotpapers(
        ack: Any, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()  # first: Slack wants an answer within 3 s, the digest may take longer
        context = Context(
            platform="slack",
            workspace=str(command.get("team_id", "")),
            channel=str(command.get("channel_id", "")),
            user=str(command.get("user_id", "")),
            may_manage=may_manage(str(command.get("user_id", ""))),
        )
        reply = await handler.handle(str(command.get("text", "")), context)
        await answer(reply, respond=respond, client=client, channel=context.channel)


def _not_token_skipped(record: logging.LogRecord) -> bool:
    return "`token` will be unused" not in record.getMessage()


def build_app(
    handler: CommandHandler,
    *,
    client: AsyncWebClient,
    signing_secret: str,
    may_manage: Policy,
    **options: Any,
) -> AsyncApp:
    """A Bolt app answering ``/hotpapers``; ``options`` pass OAuth settings for many workspaces."""
    # Bolt reads SLACK_BOT_TOKEN itself and warns that the client's token wins; it is the same.
    logging.getLogger("slack_bolt.AsyncApp").addFilter(_not_token_skipped)
    app = AsyncApp(client=client, signing_secret=signing_secret, **options)
    register(app, handler, may_manage=may_manage)
    return app
