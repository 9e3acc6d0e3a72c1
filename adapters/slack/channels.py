"""The Slack channel publisher as the settings configure it, for ``deliver`` and ``run`` alike.

``SLACK_BOT_TOKEN``: one workspace, that token. ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET``:
every workspace that installed the app through OAuth, each with the token its installation
saved in the project's database (slack_sdk's SQLAlchemy installation store, shared with the
OAuth flow of ``hotpapers run``). No Bolt app and no connection to Slack are needed to post.
It imports slack_sdk only when a publisher is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import aiohttp
    from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore

    from adapters.slack.publisher import SlackPublisher, WorkspacePublisher
    from bot.settings import Settings
    from bot.store import SqlStore

CREDENTIALS = (
    "SLACK_BOT_TOKEN (one workspace), or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
    "(workspaces that installed the app through /slack/install)"
)


def configured(settings: Settings) -> bool:
    return settings.slack_bot_token is not None or bool(
        settings.slack_client_id and settings.slack_client_secret
    )


def _secret(value: object) -> str:
    get = getattr(value, "get_secret_value", None)
    return str(get()) if get else ""


def installations_of(settings: Settings, store: SqlStore) -> AsyncSQLAlchemyInstallationStore:
    """The OAuth installations, kept beside the project's tables (``SLACK_CLIENT_ID``'s)."""
    from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore

    assert settings.slack_client_id is not None
    return AsyncSQLAlchemyInstallationStore(client_id=settings.slack_client_id, engine=store.engine)


async def installation_store(
    settings: Settings, store: SqlStore
) -> AsyncSQLAlchemyInstallationStore:
    """The OAuth installations, their tables created when missing (for the OAuth flow)."""
    installations = installations_of(settings, store)
    await installations.create_tables()  # type: ignore[no-untyped-call]
    return installations


def channel_publisher(
    settings: Settings, store: SqlStore, *, session: aiohttp.ClientSession | None = None
) -> SlackPublisher | WorkspacePublisher:
    """The bot token's publisher, else the OAuth installations' (their tables created before
    the first look-up); ``session``: the connections its requests share."""
    # Imported here: slack_sdk loads slowly, and this module is imported by every deliver.
    from adapters.slack.publisher import SlackPublisher, WorkspacePublisher, web_client

    if settings.slack_bot_token is not None:
        token = _secret(settings.slack_bot_token)
        return SlackPublisher(web_client(token, settings.slack_api_url, session=session))
    assert settings.slack_client_id is not None
    from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator

    installations = installations_of(settings, store)
    rotator = AsyncTokenRotator(
        client_id=settings.slack_client_id,
        client_secret=_secret(settings.slack_client_secret),
        client=web_client(None, settings.slack_api_url, session=session),
    )
    return WorkspacePublisher(
        installations,
        settings.slack_api_url,
        rotator=rotator,
        session=session,
        prepare=installations.create_tables,
    )
