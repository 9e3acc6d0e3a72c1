"""Logging for the long-running commands: human-readable lines by default, JSON by option.

A filter masks every secret the settings hold and anything shaped like a Slack, Discord or
webhook token before a record is written, so no token reaches a log, even inside an error.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable

TOKEN_SHAPES = re.compile(
    r"xox[abposr]-[\w-]+|xapp-[\w-]+"  # Slack tokens
    r"|[\w-]{23,28}\.[\w-]{6,7}\.[\w-]{27,}"  # Discord bot tokens
    r"|(?<=hooks\.slack\.com/services/)[\w/]+"  # Slack webhook secrets
    r"|(?<=/webhooks/)\d+/[\w-]+"  # Discord webhook tokens
    r"|(?<=Bot )[\w.-]{20,}|(?<=Bearer )[\w.-]{8,}"
)
MASK = "[redacted]"


class Redactor(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return TOKEN_SHAPES.sub(MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure(*, json_lines: bool, level: str, secrets: Iterable[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(Redactor(secrets))
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S"
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("hotpapers").setLevel(level.upper())
