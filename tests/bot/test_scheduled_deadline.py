"""Collections no one waits for (cron) give each source a longer deadline."""

from __future__ import annotations

from bot.settings import Settings


def test_a_scheduled_collection_gives_each_source_the_longer_deadline() -> None:
    settings = Settings(source_deadline_s=60, scheduled_source_deadline_s=300)
    assert settings.scheduled().source_deadline_s == 300
    assert settings.source_deadline_s == 60  # the settings themselves are left alone


def test_a_source_deadline_longer_than_the_scheduled_one_is_kept() -> None:
    settings = Settings(source_deadline_s=900, scheduled_source_deadline_s=300)
    assert settings.scheduled().source_deadline_s == 900
