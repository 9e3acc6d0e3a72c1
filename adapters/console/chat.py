"""A local chat channel in the terminal: type ``/hotpapers …`` exactly as in Slack or Discord.

The same command language, store and scheduler as the real platforms. Lines come from stdin,
so a session can be scripted (``printf '/hotpapers top 3\\n' | hotpapers run --sample``); the
channel closes at the end of input. Upstream text is printed as text, never as rich markup.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TextIO

from rich.console import Console
from rich.text import Text

from bot.chat import CommandHandler, Context, DigestReply, Reply, TextReply
from bot.render import render_text

CHANNEL = "console"
PREFIX = "/hotpapers"
STYLES = {"help": "cyan", "confirmation": "green", "list": "default", "error": "red"}


def show(console: Console, reply: Reply) -> None:
    if isinstance(reply, DigestReply):
        console.print(Text(render_text(reply.digest).rstrip()))
        return
    console.print(Text(reply.text, style=STYLES[reply.kind]))


class ConsoleChat:
    def __init__(self, handler: CommandHandler, console: Console, *, user: str = "you") -> None:
        self.handler = handler
        self.console = console
        self.context = Context(platform="console", channel=CHANNEL, user=user)

    async def answer(self, line: str) -> None:
        text = line.strip()
        if not text:
            return
        if not text.lower().startswith(PREFIX):
            show(
                self.console,
                TextReply(kind="error", text=f"Commands start with {PREFIX}; try {PREFIX} help."),
            )
            return
        show(self.console, await self.handler.handle(text[len(PREFIX) :], self.context))

    async def serve(
        self, stdin: TextIO = sys.stdin, *, prompt: Callable[[], None] | None = None
    ) -> None:
        """Answer every line until the end of input."""
        while True:
            if prompt is not None:
                prompt()
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                return
            await self.answer(line)
