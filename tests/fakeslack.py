"""A fake Slack: the Web API methods hotpapers calls, response_urls and incoming webhooks.

It validates what real Slack validates for us (block count and section length, a fallback
text, JSON bodies) and records every call, so tests assert on what a workspace would see.
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakeserver import Answer

MAX_BLOCKS = 50
SECTION_CHARS = 3000
GONE_CHANNELS = {"C_GONE": "channel_not_found", "C_ARCHIVED": "is_archived"}


class FakeSlack:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        self.webhook_posts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.lock = threading.Lock()
        self._ts = itertools.count(1)
        self.socket_url = ""
        # The next chat.postMessage calls: True takes the message but answers HTTP 500 (lose)
        # or only after ``slow_s`` seconds (slow).
        self.lose_answers: list[bool] = []
        self.slow_answers: list[bool] = []
        self.slow_s = 1.0
        self.installed_token = "xoxb-installed"
        # Channels whose next chat.postMessage calls get a 429 (Retry-After: 0), how many each.
        self.rate_limited: dict[str, int] = {}
        self.refused = 0

    @staticmethod
    def _answer(body: dict[str, Any], status: int = 200) -> tuple[int, str, bytes]:
        return status, "application/json", json.dumps(body).encode()

    def _check(self, payload: dict[str, Any]) -> str | None:
        blocks = payload.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if len(blocks) > MAX_BLOCKS:
            return "invalid_blocks"
        for block in blocks:
            text = (block.get("text") or {}).get("text", "")
            if block.get("type") == "section" and len(text) > SECTION_CHARS:
                return "invalid_blocks"
        if not payload.get("text"):
            return "no_text"
        return None

    def post(self, path: str, body: bytes) -> Answer:
        route = urlsplit(path).path
        with self.lock:
            self.calls.append(route)
            if route.startswith("/respond/"):
                self.responses.append(json.loads(body))
                return 200, "text/plain", b"ok"
            if route.startswith("/hooks/"):
                payload = json.loads(body)
                if self._check(payload):
                    return 400, "text/plain", b"invalid_blocks"
                self.webhook_posts.append(payload)
                return 200, "text/plain", b"ok"
            if route == "/api/apps.connections.open":
                return self._answer({"ok": True, "url": self.socket_url})
            if route == "/api/oauth.v2.access":
                return self._answer(
                    {
                        "ok": True,
                        "access_token": self.installed_token,
                        "token_type": "bot",
                        "scope": "commands,chat:write",
                        "bot_user_id": "UB9",
                        "app_id": "A1",
                        "team": {"id": "T9", "name": "Other lab"},
                        "enterprise": None,
                        "is_enterprise_install": False,
                        "authed_user": {"id": "U9"},
                    }
                )
            if route == "/api/auth.test":
                return self._answer(
                    {"ok": True, "team_id": "T1", "user_id": "UBOT", "bot_id": "B1", "team": "Lab"}
                )
            if route == "/api/chat.postMessage":
                payload = (
                    json.loads(body)
                    if body.startswith(b"{")
                    else {k: v[0] for k, v in parse_qs(body.decode()).items()}
                )
                channel = str(payload.get("channel", ""))
                if channel in GONE_CHANNELS:
                    return self._answer({"ok": False, "error": GONE_CHANNELS[channel]})
                if self.rate_limited.get(channel):
                    self.rate_limited[channel] -= 1
                    self.refused += 1
                    status, kind, data = self._answer({"ok": False, "error": "ratelimited"}, 429)
                    return status, kind, data, 0.0, {"Retry-After": "0"}
                if error := self._check(payload):
                    return self._answer({"ok": False, "error": error})
                ts = f"1700000000.{next(self._ts):06d}"
                self.messages.append({**payload, "ts": ts})
                if self.lose_answers and self.lose_answers.pop(0):
                    return self._answer({"ok": False, "error": "internal_error"}, 500)
                delay = self.slow_s if self.slow_answers and self.slow_answers.pop(0) else 0.0
                answer = {
                    "ok": True,
                    "channel": channel,
                    "ts": ts,
                    "message": {"text": payload["text"]},
                }
                return (*self._answer(answer), delay)
            if route == "/api/chat.update":
                return self._update(body)
            return self._answer({"ok": False, "error": "unknown_method"})

    def _update(self, body: bytes) -> tuple[int, str, bytes]:
        """chat.update: the message with this ts in this channel gets the new text and blocks
        (and metadata when given); it must be one the bot posted."""
        payload = (
            json.loads(body)
            if body.startswith(b"{")
            else {k: v[0] for k, v in parse_qs(body.decode()).items()}
        )
        channel, ts = str(payload.get("channel", "")), str(payload.get("ts", ""))
        if channel in GONE_CHANNELS:
            return self._answer({"ok": False, "error": GONE_CHANNELS[channel]})
        if error := self._check(payload):
            return self._answer({"ok": False, "error": error})
        found = next(
            (m for m in self.messages if m.get("channel") == channel and m["ts"] == ts), None
        )
        if found is None:
            return self._answer({"ok": False, "error": "message_not_found"})
        self.updates.append(payload)
        found.update({k: v for k, v in payload.items() if k in ("text", "blocks", "metadata")})
        return self._answer({"ok": True, "channel": channel, "ts": ts, "text": payload["text"]})

    def history(self, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        channel = query.get("channel", [""])[0]
        with self.lock:
            self.calls.append("/api/conversations.history")
            mine = [
                m
                for m in reversed(self.messages)
                if m.get("channel") == channel and "thread_ts" not in m
            ]
        return self._answer({"ok": True, "messages": mine[: int(query.get("limit", ["100"])[0])]})

    def replies(self, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        channel, ts = query.get("channel", [""])[0], query.get("ts", [""])[0]
        with self.lock:
            self.calls.append("/api/conversations.replies")
            thread = [
                m
                for m in self.messages
                if m.get("channel") == channel and ts in (m["ts"], m.get("thread_ts"))
            ]
        if not thread:
            return self._answer({"ok": False, "error": "thread_not_found"})
        return self._answer({"ok": True, "messages": thread})

    def routes(self) -> dict[str, Any]:
        return {
            "/api/conversations.history": self.history,
            "/api/conversations.replies": self.replies,
        }
