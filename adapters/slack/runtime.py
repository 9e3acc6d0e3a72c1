"""Running the Slack app inside ``hotpapers run``: one workspace or many, HTTP or Socket Mode.

- ``SLACK_BOT_TOKEN``: one workspace. ``SLACK_CLIENT_ID`` + ``SLACK_CLIENT_SECRET``: any
  number, installed through Slack's OAuth flow (``/slack/install``), installations kept by
  slack_sdk's SQLAlchemy installation store in the project's database.
- ``SLACK_APP_TOKEN``: Socket Mode (no public URL). Otherwise HTTP on ``HOTPAPERS_HTTP_HOST``
  and ``HOTPAPERS_HTTP_PORT`` at ``/slack/events``, the signing secret verified on every
  request, each signed request served once (replays refused, across replicas), and a request
  that cannot be read (a timestamp that is not a number, a body that is not UTF-8) refused
  with 400 and one log line.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore

from adapters.slack.app import build_app
from adapters.slack.channels import installation_store
from adapters.slack.feedback import SlackFeedback
from adapters.slack.publisher import web_client
from bot.chat import CommandHandler
from bot.errors import ConfigError, DeliveryError
from bot.settings import Settings
from bot.store import ReplayGuard, SqlStore

SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",
    "channels:history",
    "groups:history",
    "reactions:read",
]
EVENTS_PATH = "/slack/events"
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
log = logging.getLogger("hotpapers.slack")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def readable(handler: Handler) -> Handler:
    """Refuse with 400 what Bolt cannot read, before it tries (it would answer 500)."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        if timestamp is not None and not _TIMESTAMP.fullmatch(timestamp):
            log.warning("refused a Slack request: its timestamp is not a number")
            return web.Response(status=400, text="X-Slack-Request-Timestamp is not a number.")
        try:
            body = (await request.read()).decode("utf-8")
        except UnicodeDecodeError:
            log.warning("refused a Slack request: its body is not UTF-8")
            return web.Response(status=400, text="The request body is not UTF-8.")
        if not parsable(body, request.headers.get("Content-Type", "")):
            log.warning(
                "refused a Slack request: its body cannot be read (not a JSON object or form)"
            )
            return web.Response(status=400, text="The request body cannot be read.")
        return await handler(request)

    return guarded


def parsable(body: str, content_type: str) -> bool:
    """Whether Bolt can read the body: JSON or a form, whose ``payload`` is a JSON object.

    Bolt parses the body before it checks the signature, and a body it cannot parse ends in a
    500 with a traceback: anyone could fill the log with them."""
    if not body:
        return True
    try:
        if content_type.startswith("application/json") or body.startswith("{"):
            return isinstance(json.loads(body), dict)
        payload = parse_qs(body).get("payload")
        return payload is None or isinstance(json.loads(payload[0]), dict)
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        return False


def _secret(value: Any) -> str:
    return str(value.get_secret_value()) if value is not None else ""


async def reachable(settings: Settings) -> None:
    """Ask Slack for a Socket Mode connection once, before the SDK's endless quiet retries:
    DeliveryError when Slack cannot be reached (exit 3), ConfigError when it refuses the token."""
    token = _secret(settings.slack_app_token)
    try:
        await web_client(token, settings.slack_api_url).apps_connections_open(app_token=token)
    except SlackApiError as exc:
        raise ConfigError(
            f"Slack refused SLACK_APP_TOKEN ({exc.response.get('error', 'refused')})."
        ) from exc
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise DeliveryError(
            f"Slack could not be reached at {settings.slack_api_url} ({type(exc).__name__})."
        ) from exc


async def authorized_once(app: AsyncApp) -> None:
    """Ask Slack who the bot is (``auth.test``) once, before the first request comes.

    Bolt's single-workspace authorization asks on the first request and keeps the answer, but
    every request that comes before that answer asks too: a burst of commands after a start
    made as many ``auth.test`` calls, each on a new connection, in the way of their
    acknowledgements. If Slack cannot answer now, Bolt asks on the first request, as before.
    """
    for middleware in app._async_middleware_list:
        if isinstance(middleware, AsyncSingleTeamAuthorization):
            try:
                middleware.auth_test_result = await app.client.auth_test()
            except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError) as exc:
                log.warning("Slack's auth.test failed at start (%s); the first command asks", exc)


@dataclass
class SlackRuntime:
    app: AsyncApp
    mode: str
    stop: Callable[[], Awaitable[None]]


async def start_slack(
    settings: Settings,
    handler: CommandHandler,
    store: SqlStore,
    *,
    may_manage: Callable[[str], bool],
    web_app: web.Application,
) -> SlackRuntime:
    """Build the app and connect it; HTTP mode adds its routes to ``web_app`` (served by run).

    Scheduled posts do not go through it: ``adapters.slack.channels`` builds their publisher,
    which reads the installations this app's OAuth flow saves."""
    if settings.slack_signing_secret is None and settings.slack_app_token is None:
        raise ConfigError(
            "Slack needs SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)."
        )
    if settings.slack_app_token is not None:
        await reachable(settings)
    options: dict[str, Any] = {}
    if settings.slack_bot_token is not None:
        client = web_client(_secret(settings.slack_bot_token), settings.slack_api_url)
    else:
        assert settings.slack_client_id is not None
        client = web_client(None, settings.slack_api_url)
        installations = await installation_store(settings, store)
        states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=store.engine)
        await states.create_tables()  # type: ignore[no-untyped-call]
        options["oauth_settings"] = AsyncOAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=_secret(settings.slack_client_secret),
            scopes=SCOPES,
            installation_store=installations,
            state_store=states,
        )
    # Answers to commands go to Slack's response URLs on one session's kept connections.
    session = aiohttp.ClientSession()
    app = build_app(
        handler,
        client=client,
        signing_secret=_secret(settings.slack_signing_secret) or "socket-mode",
        may_manage=may_manage,
        request_verification_enabled=settings.slack_app_token is None,
        replays=ReplayGuard(store) if settings.slack_app_token is None else None,
        feedback=SlackFeedback(store.feedback),
        session=session,
        **options,
    )
    if settings.slack_bot_token is not None:
        await authorized_once(app)
    if settings.slack_app_token is not None:
        socket = AsyncSocketModeHandler(app, _secret(settings.slack_app_token))
        try:
            await socket.connect_async()  # type: ignore[no-untyped-call]
        except BaseException:
            await session.close()
            raise

        async def disconnect() -> None:
            try:
                await socket.close_async()  # type: ignore[no-untyped-call]
            finally:
                await session.close()

        return SlackRuntime(app=app, mode="Socket Mode", stop=disconnect)
    bolt = app.server(path=EVENTS_PATH, port=settings.http_port).web_app
    for route in bolt.router.routes():
        web_app.router.add_route(
            route.method,
            route.resource.canonical,  # type: ignore[union-attr]
            readable(route.handler),
        )

    return SlackRuntime(
        app=app,
        mode=f"HTTP {EVENTS_PATH} on port {settings.http_port}",
        stop=session.close,
    )
