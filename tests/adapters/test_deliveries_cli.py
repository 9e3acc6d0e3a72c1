"""``hotpapers deliveries`` and ``deliver``'s exit status while deliveries are in doubt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from tests.fakeserver import serve
from tests.fakewebhook import ScriptedWebhook

runner = CliRunner()
WEDNESDAY_9 = "2026-11-25T09:05:00+00:00"
LATER = "2026-11-25T09:20:00+00:00"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("HOTPAPERS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOTPAPERS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOTPAPERS_HTTP_TIMEOUT_S", "0.3")


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def subscribe_and_deliver(base: str) -> tuple[int, str, str]:
    """A Slack webhook subscription (one message a digest), delivered once."""
    hook = f"{base}/slack/T/B/x"
    assert (
        invoke("subscriptions", "add", "--webhook", hook, "--platform", "slack", "--top", "1")[0]
        == 0
    )
    return invoke("deliver", "--sample", "--at", WEDNESDAY_9)


def test_an_uncertain_delivery_is_reported_until_an_operator_resolves_it() -> None:
    hook = ScriptedWebhook(["slow"], slow_s=1.2)
    with serve({}, post=hook) as (base, _):
        code, _, err = subscribe_and_deliver(base)
        assert code == 4, err
        assert "1 uncertain" in err
        assert "may or may not have gone out" in err
        for _ in range(2):  # every later run says so too, and fails
            code, _, err = invoke("deliver", "--sample", "--at", LATER)
            assert code == 4, err
            assert "1 delivery may or may not have been posted" in err
            assert "hotpapers deliveries resolve ID --posted|--retry" in err
        code, out, _ = invoke("deliveries", "list", "--state", "uncertain")
        assert code == 0
        assert "uncertain" in out
        assert "ReadTimeout" in out
        assert "/x" not in out  # a webhook's secret part stays hidden
        code, out, _ = invoke("deliveries", "resolve", "1", "--posted")
        assert (code, out) == (0, "Delivery 1: recorded as posted.\n")
        code, _, err = invoke("deliver", "--sample", "--at", LATER)
        assert code == 0, err
    assert len(hook.posts) == 1
    assert "posted" in invoke("deliveries", "list")[1]
    assert "No uncertain deliveries." in invoke("deliveries", "list", "--state", "uncertain")[2]


def test_resolving_for_a_retry_posts_the_message_again() -> None:
    hook = ScriptedWebhook(["slow"], slow_s=1.2)
    with serve({}, post=hook) as (base, _):
        assert subscribe_and_deliver(base)[0] == 4  # in doubt: an operator decides
        code, out, _ = invoke("deliveries", "resolve", "1", "--retry")
        assert code == 0
        assert "1 message left to post" in out
        code, _, err = invoke("deliver", "--sample", "--at", LATER)
        assert code == 0, err
        assert "1 posted" in err
    assert len(hook.posts) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["resolve", "1"], "Give either --posted or --retry."),
        (["resolve", "1", "--posted", "--retry"], "Give either --posted or --retry."),
        (["resolve", "7", "--posted"], "There is no delivery 7"),
        (["list", "--state", "lost"], "'lost' is not one of"),
    ],
)
def test_bad_deliveries_commands_are_one_sentence(args: list[str], message: str) -> None:
    code, _, err = invoke("deliveries", *args)
    assert code == 2
    assert message in " ".join(err.split())
    assert "Traceback" not in err


def test_only_an_uncertain_delivery_can_be_resolved() -> None:
    assert invoke("subscriptions", "add", "--channel", "lab", "--platform", "console")[0] == 0
    assert invoke("deliver", "--sample", "--at", WEDNESDAY_9)[0] == 0
    code, _, err = invoke("deliveries", "resolve", "1", "--retry")
    assert code == 2
    assert "Delivery 1 is posted, not uncertain" in err


def test_post_help_states_its_real_default_top(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = invoke("post", "--help")
    assert code == 0
    assert "default: 10" in " ".join(out.split())
    assert "all above the minimum score" not in " ".join(out.split())


@pytest.mark.parametrize(
    "args",
    [
        ["resolve", "99999999999999999999999", "--posted"],
        ["list", "--limit", "99999999999999999999999"],
    ],
)
def test_huge_numbers_are_bad_input_not_a_crash(args: list[str]) -> None:
    code, _, err = invoke("deliveries", *args)
    assert code == 2
    assert "OverflowError" not in err
    assert "unexpected error" not in err


def test_an_operators_retry_is_posted_even_after_the_grace_window() -> None:
    hook = ScriptedWebhook(["slow"], slow_s=1.2)
    with serve({}, post=hook) as (base, _):
        assert subscribe_and_deliver(base)[0] == 4
        code, out, _ = invoke("deliveries", "resolve", "1", "--retry")
        assert (code, out) == (
            0,
            "Delivery 1: 1 message left to post; the next deliver run posts them.\n",
        )
        assert "retry" in invoke("deliveries", "list", "--state", "retry")[1]
        code, _, err = invoke("deliver", "--sample", "--at", "2026-11-25T16:00:00+00:00")
        assert code == 0, err
        assert "1 posted" in err
    assert len(hook.posts) == 2
    assert "No retry deliveries." in invoke("deliveries", "list", "--state", "retry")[2]
