"""Settings of hotpapers: environment variables ``HOTPAPERS_*`` over an optional TOML file.

Only the composition root (the CLI) loads them. Every knob is documented in
``docs/configuration.md`` and in ``config/hotpapers.example.toml``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.errors import ConfigError

SourceName = Literal["huggingface", "hackernews"]


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "hotpapers"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTPAPERS_", extra="forbid", frozen=True)

    data_dir: Path = Field(default_factory=default_data_dir)
    categories: tuple[str, ...] = ()
    sources: tuple[SourceName, ...] = ("huggingface", "hackernews")
    weights: dict[str, float] = Field(default_factory=dict)
    min_score: float | None = Field(default=None, ge=0)
    include_cross: bool = True
    include_replacements: bool = False
    cache_ttl_minutes: int = Field(default=60, ge=0)
    http_timeout_s: float = Field(default=20.0, gt=0)
    source_deadline_s: float = Field(default=60.0, gt=0)
    arxiv_feed_url: str = "https://rss.arxiv.org/atom/"
    huggingface_api_url: str = "https://huggingface.co/api/daily_papers"
    hackernews_api_url: str = "https://hn.algolia.com/api/v1/search_by_date"

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
