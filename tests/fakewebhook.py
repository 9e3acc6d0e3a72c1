"""An incoming webhook (Discord or Slack) that answers as a script says, for delivery tests.

Each request takes the next answer of ``script`` (then ``ok``):

- ``ok``: takes the post, answers 200 with the message (Discord ``?wait=true``) or ``ok``.
- ``slow``: takes the post, answers only after ``slow_s`` (beyond the client's timeout).
- ``taken-500``: takes the post, then answers HTTP 500.
- ``down``: answers HTTP 500 without taking the post.
- ``not-json``: takes the post, answers 200 with an HTML body.
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any


class ScriptedWebhook:
    def __init__(self, script: list[str] | None = None, *, slow_s: float = 1.0) -> None:
        self.script = list(script or [])
        self.slow_s = slow_s
        self.posts: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self._ids = itertools.count(5000)

    def __call__(
        self, path: str, body: bytes
    ) -> tuple[int, str, bytes] | tuple[int, str, bytes, float]:
        route = path.split("?")[0]
        with self.lock:
            how = self.script.pop(0) if self.script else "ok"
            if how == "down":
                return 500, "text/plain", b"internal error"
            self.posts.append((route, json.loads(body)))
            message_id = str(next(self._ids))
        if how == "taken-500":
            return 500, "text/plain", b"internal error"
        if how == "not-json":
            return 200, "text/html", b"<html><body>Thanks!</body></html>"
        delay = self.slow_s if how == "slow" else 0.0  # waited out by the server, unlocked
        if route.startswith("/slack/"):
            return 200, "text/plain", b"ok", delay
        return 200, "application/json", json.dumps({"id": message_id}).encode(), delay

    def titles(self) -> list[str]:
        """The first embed title of each message taken, in order (Discord)."""
        return [(p.get("embeds") or [{}])[0].get("title", "") for _, p in self.posts]
