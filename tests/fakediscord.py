"""A fake Discord REST API: what hotpapers calls, with Discord's limits enforced.

Messages over the limits are refused with 400 as Discord would; a message whose ``nonce`` was
seen with ``enforce_nonce`` returns the first message instead of posting again. A channel's
recent messages can be read (newest first, without their nonces: Discord returns a nonce only
when the message is created). ``lose_answers`` takes the next posts but answers HTTP 500, as
an answer lost after the request went out.

With ``bucket=(limit, seconds)``, a channel's message route is a rate-limit bucket as Discord
runs it: every answer says what is left (``X-RateLimit-Remaining``, ``-Reset-After``,
``-Bucket``), and a post beyond the limit gets a 429 (counted in ``refused``).
``global_limit_next`` answers the next posts with a global 429 (``X-RateLimit-Global``).
``clock`` gives the time (a test can move it).
"""

from __future__ import annotations

import functools
import itertools
import json
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

BASE = "/api/v10"
USER = {
    "id": "100",
    "username": "hotpapers",
    "discriminator": "0",
    "avatar": None,
    "bot": True,
    "global_name": None,
}


def embed_chars(embed: dict[str, Any]) -> int:
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += len((embed.get("footer") or {}).get("text", "")) + len(
        (embed.get("author") or {}).get("name", "")
    )
    return total + sum(
        len(f.get("name", "")) + len(f.get("value", "")) for f in embed.get("fields", [])
    )


def refusal(payload: dict[str, Any]) -> str | None:
    embeds = payload.get("embeds") or []
    if len(payload.get("content") or "") > 2000:
        return "content over 2000"
    if len(embeds) > 10:
        return "more than 10 embeds"
    for e in embeds:
        if (
            len(e.get("title", "")) > 256
            or len(e.get("description", "")) > 4096
            or len((e.get("footer") or {}).get("text", "")) > 2048
        ):
            return "embed field over its limit"
    if sum(embed_chars(e) for e in embeds) > 6000:
        return "embeds over 6000 characters"
    if not payload.get("content") and not embeds:
        return "empty message"
    rows = payload.get("components") or []
    if len(rows) > 5 or any(len(r.get("components") or []) > 5 for r in rows):
        return "more than 5 rows or 5 components a row"
    if any(len(c.get("custom_id", "")) > 100 for r in rows for c in r.get("components") or []):
        return "custom_id over 100"
    return None


class FakeDiscord:
    def __init__(
        self,
        *,
        bucket: tuple[int, float] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bucket = bucket
        self.clock = clock
        self._buckets: dict[str, tuple[int, float]] = {}  # channel → (used, reset at)
        self.refused = 0
        self.global_limit_next = 0
        self.messages: list[dict[str, Any]] = []
        self.callbacks: list[dict[str, Any]] = []
        self.followups: list[dict[str, Any]] = []
        self.command_syncs: list[str] = []
        self.rate_limit_next = 0
        self.refuse_token = False
        self.refuse_sync = False
        self.guild_count = 0
        self.lock = threading.Lock()
        self._ids = itertools.count(1000)
        self._nonces: dict[str, dict[str, Any]] = {}
        self.lose_answers: list[bool] = []
        self.history_reads = 0
        self.edits: list[tuple[str, dict[str, Any]]] = []
        self.webhook_messages: list[dict[str, Any]] = []
        self.threads: list[dict[str, Any]] = []

    def _json(self, body: Any, status: int = 200) -> tuple[int, str, bytes]:
        return status, "application/json", json.dumps(body).encode()

    def _message(self, channel: str, payload: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": str(next(self._ids)),
            "channel_id": channel,
            "type": 0,
            "content": payload.get("content", ""),
            "embeds": payload.get("embeds", []),
            "author": USER,
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": "2026-11-25T09:00:00+00:00",
            "edited_timestamp": None,
            "flags": payload.get("flags", 0),
            "components": payload.get("components", []),
            "nonce": payload.get("nonce"),
        }

    def get(self, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        if self.refuse_token:
            return self._json({"message": "401: Unauthorized", "code": 0}, 401)
        return self._json(USER)

    def application(self, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        return self._json(
            {
                "id": "100",
                "name": "hotpapers",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
                "owner": USER,
                "summary": "",
                "approximate_guild_count": self.guild_count,
            }
        )

    def _take(self, channel: str) -> tuple[int, dict[str, str]]:
        """One request of the channel's bucket: 200 or 429, and the headers saying what is left."""
        if self.global_limit_next:
            self.global_limit_next -= 1
            return 429, {"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"}
        if self.bucket is None:
            return 200, {}
        limit, seconds = self.bucket
        now = self.clock()
        used, reset_at = self._buckets.get(channel, (0, now + seconds))
        if now >= reset_at:
            used, reset_at = 0, now + seconds
        status = 200 if used < limit else 429
        used += status == 200
        self._buckets[channel] = (used, reset_at)
        self.refused += status == 429
        return status, {
            "X-RateLimit-Bucket": "fake-channel-messages",
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(limit - used),
            "X-RateLimit-Reset-After": f"{reset_at - now:.3f}",
        }

    def post(self, path: str, body: bytes) -> tuple[int, str, bytes, float, dict[str, str]]:
        status, kind, data, *rest = self._post(path, body)
        return status, kind, data, 0.0, (rest[1] if len(rest) > 1 else {})

    def _post(self, path: str, body: bytes) -> tuple[Any, ...]:
        route = urlsplit(path).path.removeprefix(BASE)
        payload = json.loads(body) if body else {}
        parts = route.strip("/").split("/")
        with self.lock:
            if parts[0] == "channels" and parts[-1] == "threads":
                return self._thread(parts, payload)
            if parts[0] == "channels" and parts[-1] == "messages":
                channel = parts[1]
                if channel in ("404", "403"):
                    return self._json({"message": "Unknown Channel", "code": 10003}, int(channel))
                status, limits = self._take(channel)
                if status == 429:
                    wait = 0.25 if "X-RateLimit-Global" in limits else None
                    reset = float(limits.get("X-RateLimit-Reset-After", 0))
                    answer = {
                        "message": "You are being rate limited.",
                        "retry_after": wait if wait is not None else reset,
                        "global": wait is not None,
                    }
                    return (*self._json(answer, 429), 0.0, limits)
                if self.rate_limit_next:
                    self.rate_limit_next -= 1
                    return self._json(
                        {
                            "message": "You are being rate limited.",
                            "retry_after": 0.25,
                            "global": False,
                        },
                        429,
                    )
                if payload.get("allowed_mentions") != {"parse": []}:
                    return self._json(
                        {"message": "hotpapers must never allow mentions", "code": 0}, 400
                    )
                if reason := refusal(payload):
                    return self._json({"message": reason, "code": 50035}, 400)
                nonce = payload.get("nonce")
                if nonce and payload.get("enforce_nonce") and nonce in self._nonces:
                    return self._json(self._nonces[nonce])
                message = self._message(channel, payload)
                self.messages.append(message)
                if nonce:
                    self._nonces[nonce] = message
                if self.lose_answers and self.lose_answers.pop(0):
                    return self._json({"message": "500: Internal Server Error", "code": 0}, 500)
                return (*self._json(message), 0.0, limits)
            if parts[0] == "interactions" and parts[-1] == "callback":
                self.callbacks.append({"interaction": parts[1], **payload})
                flags = (payload.get("data") or {}).get("flags", 0)
                return self._json(
                    {
                        "interaction": {
                            "id": parts[1],
                            "type": 2,
                            "response_message_loading": payload.get("type") == 5,
                            "response_message_ephemeral": bool(flags & 64),
                        }
                    }
                )
            if parts[0] == "webhooks":
                if reason := refusal(payload):
                    return self._json({"message": reason, "code": 50035}, 400)
                message = self._message("555", payload)
                self.followups.append(payload)
                self.webhook_messages.append(message)
                return self._json(message)
        return self._json({"message": "404: Not Found", "code": 0}, 404)

    def _thread(self, parts: list[str], payload: dict[str, Any]) -> tuple[int, str, bytes]:
        """Start a thread on a message (its id is the message's; one a message) or alone."""
        parent = parts[1]
        thread_id = parts[3] if len(parts) == 5 else str(next(self._ids))
        if any(t["id"] == thread_id for t in self.threads):
            return self._json(
                {"message": "A thread has already been created for this message", "code": 160004},
                400,
            )
        thread = {
            "id": thread_id,
            "type": 11,
            "guild_id": "777",
            "parent_id": parent,
            "owner_id": USER["id"],
            "name": payload.get("name", ""),
            "last_message_id": None,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": "2026-11-25T09:00:00+00:00",
                "locked": False,
            },
        }
        self.threads.append(thread)
        return self._json(thread, 201)

    def patch(self, path: str, body: bytes) -> tuple[int, str, bytes]:
        """Edit a message: ``/channels/C/messages/ID`` (the bot's) or a webhook's
        ``/webhooks/ID/TOKEN/messages/ID``; 404 for a message that does not exist."""
        route = urlsplit(path).path.removeprefix(BASE)
        parts = route.strip("/").split("/")
        payload = json.loads(body) if body else {}
        with self.lock:
            if len(parts) >= 4 and parts[-2] == "messages" and parts[0] in ("channels", "webhooks"):
                if reason := refusal(payload):
                    return self._json({"message": reason, "code": 50035}, 400)
                if payload.get("allowed_mentions") != {"parse": []}:
                    return self._json(
                        {"message": "hotpapers must never allow mentions", "code": 0}, 400
                    )
                mine = self.messages if parts[0] == "channels" else self.webhook_messages
                found = next((m for m in mine if m["id"] == parts[-1]), None)
                if found is None:
                    return self._json({"message": "Unknown Message", "code": 10008}, 404)
                self.edits.append((route, payload))
                found.update(
                    {k: payload[k] for k in ("content", "embeds") if k in payload},
                    edited_timestamp="2026-11-26T09:00:00+00:00",
                )
                return self._json(found)
        return self._json({"message": "404: Not Found", "code": 0}, 404)

    def put(self, path: str, body: bytes) -> tuple[int, str, bytes]:
        if self.refuse_sync:
            return self._json({"message": "Missing Access", "code": 50001}, 403)
        with self.lock:
            self.command_syncs.append(urlsplit(path).path)
        commands = json.loads(body)
        return self._json(
            [
                {**c, "id": str(700 + n), "application_id": "100", "version": "1"}
                for n, c in enumerate(commands)
            ]
        )

    def history(self, channel: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        limit = int(query.get("limit", ["50"])[0])
        with self.lock:
            self.history_reads += 1
            recent = [
                {k: v for k, v in m.items() if k != "nonce"}
                for m in reversed(self.messages)
                if m["channel_id"] == channel
            ]
        return self._json(recent[:limit])

    def routes(self) -> dict[str, Any]:
        return {
            f"{BASE}/users/@me": self.get,
            f"{BASE}/oauth2/applications/@me": self.application,
            **{
                f"{BASE}/channels/{channel}/messages": functools.partial(self.history, channel)
                for channel in ("555", "556")
            },
        }
