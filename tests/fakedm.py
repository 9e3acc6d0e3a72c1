"""Direct messages on the fake platforms: the endpoints that open a DM channel with a user,
added to FakeSlack (``conversations.open``) and FakeDiscord (``POST /users/@me/channels``).

A user id in ``CLOSED`` cannot be messaged, as Slack (``cannot_dm_bot``) and Discord (403)
answer for a user who shares no server or takes no direct messages.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakediscord import BASE, FakeDiscord
from tests.fakeslack import FakeSlack

CLOSED = {"UCLOSED", "403"}


class FakeSlackDm(FakeSlack):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    def post(
        self, path: str, body: bytes
    ) -> tuple[int, str, bytes] | tuple[int, str, bytes, float]:
        if urlsplit(path).path != "/api/conversations.open":
            return super().post(path, body)
        # slack_sdk sends this method's arguments in the query string.
        payload: dict[str, Any] = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
        payload |= (
            json.loads(body)
            if body.startswith(b"{")
            else {k: v[0] for k, v in parse_qs(body.decode()).items()}
        )
        user = str(payload.get("users", ""))
        with self.lock:
            self.calls.append("/api/conversations.open")
            if user in CLOSED:
                return self._answer({"ok": False, "error": "cannot_dm_bot"})
            self.opened.append(user)
        return self._answer({"ok": True, "channel": {"id": f"D{user}"}})


class FakeDiscordDm(FakeDiscord):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    def post(self, path: str, body: bytes) -> tuple[int, str, bytes]:
        if urlsplit(path).path.removeprefix(BASE) != "/users/@me/channels":
            return super().post(path, body)
        user = str((json.loads(body) if body else {}).get("recipient_id", ""))
        with self.lock:
            self.opened.append(user)
        # The DM channel of user 403 exists, but posting in it is forbidden (code 50007).
        channel = "403" if user in CLOSED else f"9{user}"
        return self._json({"id": channel, "type": 1, "recipients": [{"id": user}]})
