"""Pure renderers of a digest: markdown (the Hot Papers post), terminal text and JSON."""

from __future__ import annotations

from bot.render.jsonout import render_json
from bot.render.markdown import render_markdown
from bot.render.text import render_text

__all__ = ["render_json", "render_markdown", "render_text"]
