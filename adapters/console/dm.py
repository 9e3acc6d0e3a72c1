"""Direct messages on the console: printed on a stream, headed by the person they are for."""

from __future__ import annotations

import itertools
from typing import TextIO

from bot.follows.digest import render_text
from bot.follows.model import FollowDigest, Person


class ConsoleDirectMessenger:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._ids = itertools.count(1)

    async def send_dm(self, person: Person, message: FollowDigest) -> str:
        self.stream.write(f"── direct message to {person.user} ──\n{render_text(message)}\n")
        self.stream.flush()
        return f"console-dm:{next(self._ids)}"
