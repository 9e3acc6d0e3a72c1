"""LaTeX in titles and abstracts (``{\\em …}``, ``$2.5\\times$``, ``\\"o``) as Unicode. Pure.

arXiv metadata is written in LaTeX; a reader wants ``2.5×`` and ``ö``. Only text that looks
like LaTeX is converted, so a plain ``13%`` or ``$5`` stays as written; anything the parser
cannot read (or any text too long to be a title or an abstract) comes back unchanged.
"""

from __future__ import annotations

import re

from pylatexenc.latex2text import LatexNodes2Text

# arXiv caps abstracts at 1,920 characters; longer text is not metadata, and the parser's time
# grows with its input, so it is left as written.
MAX_CHARS = 6000
# A control sequence (\em, \", \&…) or a math span with math in it ($x^2$, $2.5\times$).
_LATEX = re.compile(r"\\[A-Za-z\"'`^~=.&%$#_{}]|\$[^$]*[\\^_{][^$]*\$")
# arXiv text never holds LaTeX comments: a bare % is a per cent sign, not the end of a line.
_BARE_PERCENT = re.compile(r"(?<!\\)%")


def to_unicode(text: str) -> str:
    """``text`` with its LaTeX markup turned into Unicode; ``text`` itself when that fails."""
    if len(text) > MAX_CHARS or not _LATEX.search(text):
        return text
    try:
        converted = LatexNodes2Text(math_mode="text", strict_latex_spaces=False).latex_to_text(
            _BARE_PERCENT.sub(r"\\%", text)
        )
    # The parser is third-party code fed untrusted text: whatever it raises (deep nesting
    # raises RecursionError), the reader gets the text as written.
    except Exception:
        return text
    return converted if converted.strip() else text
