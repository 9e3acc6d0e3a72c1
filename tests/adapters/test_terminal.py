"""At a terminal: history and editing, Ctrl-C and Ctrl-D that quit at once, completion."""

from __future__ import annotations

from pathlib import Path

from prompt_toolkit.application import create_app_session
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from adapters.console.terminal import completer, terminal_lines

UP = "\x1b[A"
CTRL_C = "\x03"
CTRL_D = "\x04"


async def typed(keys: str, history: Path | None) -> list[str]:
    """The lines read when ``keys`` are typed, one line at a time, as a person types them."""
    chunks = keys.split("\r")
    lines = []
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(chunks.pop(0) + ("\r" if chunks else ""))
        async for line in terminal_lines(history, input=pipe, output=DummyOutput()):
            lines.append(line)
            if chunks:
                pipe.send_text(chunks.pop(0) + ("\r" if chunks else ""))
    return lines


async def test_the_up_arrow_brings_back_the_last_command_and_ctrl_c_quits(tmp_path: Path) -> None:
    lines = await typed(f"top 3\r{UP}\r{CTRL_C}this is never read\r", tmp_path / "history")
    assert lines == ["top 3", "top 3"]


async def test_ctrl_d_quits_and_history_outlives_the_session(tmp_path: Path) -> None:
    await typed(f"subscribe cs.LG\r{CTRL_D}", tmp_path / "history")
    assert await typed(f"{UP}\r{CTRL_D}", tmp_path / "history") == ["subscribe cs.LG"]


async def test_an_unwritable_history_still_gives_a_prompt(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert await typed(f"help\r{CTRL_D}", blocked / "history") == ["help"]


def test_completion_offers_commands_categories_and_zones() -> None:
    def offered(text: str) -> set[str]:
        return {c.text for c in completer().get_completions(Document(text), None)}  # type: ignore[arg-type]

    assert "subscribe" in offered("/hotpapers subs")
    assert "cs.LG" in offered("top 3 cs.L")
    assert "Europe/Berlin" in offered("subscribe cs.LG tz Europe/Ber")
    assert "rising" in offered("/hotpapers ris")
    assert "weekly" in offered("subscribe cs.LG week")
    assert {"follow", "follows"} <= offered("/hotpapers foll")
    assert "picks" in offered("/hotpapers pic")
