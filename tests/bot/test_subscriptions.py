from __future__ import annotations

import pytest

from bot.subscriptions import Subscription, webhook_shown

SECRET = "s3cr3tT0ken"

# Every shape of Slack and Discord webhook URL, each carrying SECRET where a secret goes.
SHAPES = [
    (
        f"https://hooks.slack.com/services/T00000000/B00000000/{SECRET}",
        "https://hooks.slack.com/services/…",
    ),
    (
        f"https://hooks.slack.com/services/T00000000/B00000000/{SECRET}/",
        "https://hooks.slack.com/services/…",
    ),
    (
        f"https://hooks.slack.com/workflows/T0/A0/123/{SECRET}",
        "https://hooks.slack.com/workflows/…",
    ),
    (f"https://hooks.slack.com/triggers/T0/123/{SECRET}", "https://hooks.slack.com/triggers/…"),
    (
        f"https://hooks.slack.com/triggers/E0/T0/123/{SECRET}?x=1",
        "https://hooks.slack.com/triggers/…",
    ),
    (f"https://discord.com/api/webhooks/123456/{SECRET}", "https://discord.com/api/…"),
    (f"https://discord.com/api/webhooks/123456/{SECRET}/", "https://discord.com/api/…"),
    (f"https://discord.com/api/webhooks/123456/{SECRET}/slack", "https://discord.com/api/…"),
    (f"https://discord.com/api/webhooks/123456/{SECRET}/github", "https://discord.com/api/…"),
    (
        f"https://discord.com/api/v10/webhooks/123456/{SECRET}?wait=true",
        "https://discord.com/api/…",
    ),
    (f"https://discordapp.com/api/webhooks/123456/{SECRET}", "https://discordapp.com/api/…"),
    (f"https://ptb.discord.com/api/webhooks/123456/{SECRET}", "https://ptb.discord.com/api/…"),
    (
        f"https://canary.discord.com/api/webhooks/123456/{SECRET}/slack",
        "https://canary.discord.com/api/…",
    ),
    (
        f"https://discord.com/api/webhooks/123456/abc?thread_id={SECRET}",
        "https://discord.com/api/…",
    ),
    (f"https://user:{SECRET}@hooks.example.org/hook/1", "https://hooks.example.org/hook/…"),
    (f"https://{SECRET}@hooks.example.org:8443/in/{SECRET}", "https://hooks.example.org:8443/in/…"),
    (f"https://hooks.example.org/#{SECRET}", "https://hooks.example.org/…"),
    (f"https://hooks.example.org?token={SECRET}", "https://hooks.example.org/…"),
    (f"http://[::1]:9/api/{SECRET}", "http://[::1]:9/api/…"),
]


@pytest.mark.parametrize(("url", "shown"), SHAPES)
def test_a_webhook_shows_its_scheme_host_and_first_segment_only(url: str, shown: str) -> None:
    sub = Subscription(platform="slack", kind="webhook", destination=url)
    assert sub.where() == shown
    assert SECRET not in sub.where()


@pytest.mark.parametrize("url", ["https://[bad/x", "https://h:99999999/x", "not a url", ""])
def test_an_unreadable_webhook_url_shows_nothing_of_itself(url: str) -> None:
    assert webhook_shown(url + SECRET) == "(a webhook URL)"


def test_a_channel_is_shown_as_it_is() -> None:
    assert Subscription(platform="slack", destination="C123").where() == "C123"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("paused by a user", "by a user"),
        ("Paused: by an operator", "by an operator"),
        ("by an operator", "by an operator"),
        ("HTTP 404: Unknown Webhook", "HTTP 404: Unknown Webhook"),
        ("pausedness", "pausedness"),
        ("", ""),
    ],
)
def test_a_pause_reason_is_why_alone(stored: str, shown: str) -> None:
    sub = Subscription(platform="slack", destination="C1", paused=True, paused_reason=stored)
    assert sub.paused_reason == shown
