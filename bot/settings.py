"""Settings of hotpapers: environment variables ``HOTPAPERS_*`` over an optional TOML file.

Only the composition root (the CLI) loads them. Every knob is documented in
``docs/configuration.md`` and in ``config/hotpapers.example.toml``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.errors import ConfigError
from bot.ranking import MAX_POST_SHARE, RANK_PRIOR

SourceName = Literal["huggingface", "hackernews", "bluesky", "twitter", "reddit", "github"]
SOURCE_NAMES: tuple[SourceName, ...] = (
    "huggingface",
    "hackernews",
    "bluesky",
    "twitter",
    "reddit",
    "github",
)


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "hotpapers"


class Settings(BaseSettings):
    # Every number is bounded (issue 11): a huge one would overflow a date or a C int later.
    model_config = SettingsConfigDict(
        env_prefix="HOTPAPERS_",
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        # `VAR=` (as compose files and .env templates write) means unset, not an empty secret.
        env_ignore_empty=True,
        allow_inf_nan=False,
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    # None: a SQLite file in the data directory. postgresql://… for several replicas.
    database_url: str | None = None
    grace_hours: float = Field(default=6.0, ge=0, le=48)
    delivery_lease_s: float = Field(default=600.0, gt=0, le=86_400)
    # Store or platform calls one delivery run makes at once (rate limits are waited out apart).
    delivery_concurrency: int = Field(default=16, ge=1, le=256)
    # The part of each bot-wide or workspace-wide rate limit this process may use: 1 / the
    # number of processes posting for the same bot (docker-compose.yml's two replicas: 0.5).
    rate_limit_share: float = Field(default=1.0, gt=0, le=1)
    # How long a scheduled post's computed digest is kept in the store for later runs and other
    # processes; 0: every run computes its own.
    digest_ttl_minutes: float = Field(default=10.0, ge=0, le=1_440)
    no_announcement: Literal["skip", "notice"] = "skip"
    # A daily post whose filters match none of the day's papers: "skip" it, or "post" it.
    empty_posts: Literal["skip", "post"] = "skip"
    categories: tuple[str, ...] = ()
    # None: every source whose credentials are set (Hugging Face, Hacker News, GitHub need none).
    sources: tuple[SourceName, ...] | None = None
    # Ranking (see the README's "How a score is made"): weights of sources and counts, the
    # largest share of a paper's score one post may carry, and the rank prior K.
    weights: dict[str, Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)]] = Field(
        default_factory=dict
    )
    max_post_share: float = Field(default=MAX_POST_SHARE, gt=0, le=1)
    rank_prior: float = Field(default=RANK_PRIOR, ge=0, le=1e6)
    min_score: float | None = Field(default=None, ge=0, le=1e12)
    include_cross: bool = True
    include_replacements: bool = False
    cache_ttl_minutes: int = Field(default=60, ge=0, le=10_080)
    http_timeout_s: float = Field(default=20.0, gt=0, le=600)
    source_deadline_s: float = Field(default=60.0, gt=0, le=3_600)
    # Collections no one waits for (``hotpapers post``, ``publish``, ``snapshot refresh``: cron
    # jobs) give each source this long instead, so that a big day is read to its end.
    scheduled_source_deadline_s: float = Field(default=300.0, gt=0, le=3_600)
    signals_ttl_minutes: int = Field(default=30, ge=0, le=10_080)
    retry_attempts: int = Field(default=3, ge=1, le=10)
    retry_backoff_s: float = Field(default=1.0, ge=0, le=600)
    max_retry_after_s: float = Field(default=60.0, ge=0, le=3_600)
    arxiv_feed_url: str = "https://rss.arxiv.org/atom/"
    # Past days (``--date``) that were never fetched come from arXiv's search API.
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    # Readings (counts over time) of days older than this before the latest stored day are
    # deleted; 0 keeps every day.
    readings_retention_days: int = Field(default=90, ge=0)
    # Settled deliveries (and their rendered messages) last changed more than this many days
    # ago are deleted after each delivery run; deliveries in doubt stay until resolved. 0 keeps
    # all.
    ledger_retention_days: int = Field(default=90, ge=0)
    # Stored snapshots (the whole collected input of a day and scope) taken more than this many
    # days ago are deleted after each collection and delivery run; their readings stay. 0 keeps
    # all.
    snapshot_retention_days: int = Field(default=14, ge=0)
    huggingface_api_url: str = "https://huggingface.co/api/daily_papers"
    hackernews_api_url: str = "https://hn.algolia.com/api/v1/search_by_date"
    bluesky_handle: str | None = None
    bluesky_app_password: SecretStr | None = None
    bluesky_api_url: str = "https://bsky.social"
    x_bearer_token: SecretStr | None = None
    x_api_url: str = "https://api.twitter.com"
    x_daily_read_budget: int = Field(default=1000, ge=0, le=10_000_000)
    reddit_client_id: str | None = None
    reddit_client_secret: SecretStr | None = None
    reddit_auth_url: str = "https://www.reddit.com/api/v1/access_token"
    reddit_api_url: str = "https://oauth.reddit.com"
    # Research subreddits whose self-posts are read too (besides every paper link on Reddit).
    reddit_subreddits: tuple[Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{2,21}$")], ...] = (
        "MachineLearning",
        "LocalLLaMA",
        "LanguageTechnology",
        "computervision",
    )
    # Chat platforms. Slack's variables keep Slack's own names (SLACK_BOT_TOKEN, …).
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "slack_bot_token")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "slack_signing_secret")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "slack_app_token")
    )
    slack_client_id: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_CLIENT_ID", "slack_client_id")
    )
    slack_client_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_CLIENT_SECRET", "slack_client_secret")
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        validation_alias=AliasChoices("SLACK_API_URL", "slack_api_url"),
    )
    discord_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_TOKEN", "discord_token")
    )
    discord_api_base: str = Field(
        default="https://discord.com/api/v10",
        validation_alias=AliasChoices("DISCORD_API_BASE", "discord_api_base"),
    )
    discord_dev_guild: int | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_DEV_GUILD", "discord_dev_guild")
    )
    discord_shard_count: int | None = Field(
        default=None,
        ge=1,
        le=10_000,
        validation_alias=AliasChoices("DISCORD_SHARD_COUNT", "discord_shard_count"),
    )
    discord_shard_ids: tuple[int, ...] | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_SHARD_IDS", "discord_shard_ids")
    )
    # Where ``run`` listens (Slack's endpoint, webhooks, /healthz): 0.0.0.0 is every interface
    # (what a container needs); 127.0.0.1 keeps it to this machine, behind a reverse proxy.
    http_host: str = Field(
        default="0.0.0.0", min_length=1, max_length=253, pattern=r"^[0-9A-Za-z.:_-]+$"
    )
    http_port: int = Field(default=3000, ge=1, le=65535)
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # Who may change a channel's subscriptions: anyone, or only the listed user ids.
    subscription_policy: Literal["anyone", "admins"] = "anyone"
    admins: tuple[str, ...] = ()
    github_token: SecretStr | None = None
    github_api_url: str = "https://api.github.com"
    github_max_repos: int = Field(default=30, ge=0, le=1_000)

    def secrets(self) -> list[str]:
        """Every secret value set, for log redaction."""
        values = [getattr(self, name) for name in type(self).model_fields]
        found = [v.get_secret_value() for v in values if isinstance(v, SecretStr)]
        url = self.database_url or ""
        if "@" in url and ":" in url.split("@")[0].split("//")[-1]:
            found.append(url.split("@")[0].split("//")[-1].split(":", 1)[1])
        return found

    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'hotpapers.db'}"

    def scheduled(self) -> Settings:
        """These settings for a collection no one waits for: each source gets
        ``scheduled_source_deadline_s`` (or ``source_deadline_s``, if that is longer)."""
        longest = max(self.source_deadline_s, self.scheduled_source_deadline_s)
        return self.model_copy(update={"source_deadline_s": longest})

    def has_credentials(self, source: SourceName) -> bool:
        if source == "bluesky":
            return bool(self.bluesky_handle and self.bluesky_app_password)
        if source == "twitter":
            return self.x_bearer_token is not None
        if source == "reddit":
            return bool(self.reddit_client_id and self.reddit_client_secret)
        return True

    def enabled_sources(self) -> tuple[SourceName, ...]:
        """The sources to ask; ConfigError when one is named without its credentials."""
        if self.sources is None:
            return tuple(s for s in SOURCE_NAMES if self.has_credentials(s))
        missing = [s for s in self.sources if not self.has_credentials(s)]
        if missing:
            raise ConfigError(
                f"Source {missing[0]!r} is enabled but its credentials are not set "
                "(see the README's Sources section)."
            )
        return tuple(dict.fromkeys(self.sources))

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = os.environ.get("HOTPAPERS_CONFIG")
        toml = TomlConfigSettingsSource(
            settings_cls, toml_file=Path(toml_file) if toml_file else None
        )
        return init_settings, env_settings, toml


def load_settings() -> Settings:
    """The settings in force; ConfigError names the first bad value."""
    config = os.environ.get("HOTPAPERS_CONFIG")
    if config and not Path(config).is_file():
        raise ConfigError(f"HOTPAPERS_CONFIG names {config!r}, which is not a file.")
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"Setting {where!r} is invalid: {first['msg']}.") from exc
    except ValueError as exc:  # a TOML file that does not parse
        raise ConfigError(f"The configuration file {config!r} cannot be read: {exc}.") from exc
