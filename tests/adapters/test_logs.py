from __future__ import annotations

import json
import logging

import pytest

from adapters.logs import configure


@pytest.fixture(autouse=True)
def restore_logging() -> object:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_no_secret_reaches_a_log_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure(json_lines=False, level="info", secrets=["my-app-password-123"])
    log = logging.getLogger("hotpapers.test")
    log.warning("login with %s failed", "my-app-password-123")
    log.warning(
        "token xoxb-1234-5678-abcdef and xapp-1-A-123 and Bot MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz012"
    )
    log.warning(
        "posting to https://hooks.slack.com/services/T000/B000/XXXXsecret and https://discord.com/api/webhooks/123/tok-en"
    )
    try:
        raise RuntimeError("Authorization: Bearer sk-secret-value-here")
    except RuntimeError:
        log.exception("request failed")
    err = capsys.readouterr().err
    for secret in (
        "my-app-password-123",
        "xoxb-1234",
        "xapp-1",
        "MTIzNDU2",
        "XXXXsecret",
        "tok-en",
        "sk-secret",
    ):
        assert secret not in err
    assert err.count("[redacted]") >= 7
    assert " WARNING hotpapers.test: login with [redacted] failed" in err


def test_json_lines_by_option(capsys: pytest.CaptureFixture[str]) -> None:
    configure(json_lines=True, level="info", secrets=[])
    logging.getLogger("hotpapers.test").info("deliver: %d posted", 3)
    entry = json.loads(capsys.readouterr().err.strip())
    assert entry["level"] == "info"
    assert entry["message"] == "deliver: 3 posted"
    assert entry["logger"] == "hotpapers.test"
