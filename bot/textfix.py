"""Repairing mojibake: UTF-8 text that was once decoded with the wrong character set.

The reference post shows UTF-8 read as Mac Roman (``RƒÉdulescu`` for ``Rădulescu``, ``√ó``
for ``×``). ftfy repairs the common cases; it leaves short Mac Roman runs such as ``√ó``
alone, so those are re-decoded here when, and only when, they form valid UTF-8.
"""

from __future__ import annotations

import re

import ftfy

_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")


def _mac_roman(match: re.Match[str]) -> str:
    run = match.group()
    try:
        return run.encode("mac_roman").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return run


def repair(text: str) -> str:
    """The text with mojibake undone; correct text comes back unchanged."""
    return _NON_ASCII_RUN.sub(_mac_roman, ftfy.fix_text(text, _CONFIG))
