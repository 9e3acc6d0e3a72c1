from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.render.latex import MAX_CHARS, to_unicode


def test_latex_markup_in_titles_and_abstracts_becomes_unicode() -> None:
    assert to_unicode(r"We train {\em fast} models $2.5\times$ faster") == (
        "We train fast models 2.5× faster"
    )
    assert to_unicode(r"Schr\"odinger bridges with $\epsilon > 10^{-3}$") == (
        "Schrödinger bridges with ϵ > 10^-3"
    )
    assert to_unicode(r"$\mathcal{O}(n \log n)$ and $\alpha$") == "𝒪(n log n) and α"


def test_plain_text_stays_as_written() -> None:
    """Dollars, per cent signs, braces and tildes are ordinary characters outside LaTeX."""
    for text in ("costs $5 and $10 a day", "13% faster ~ {a, b}", "x_1 and y^2"):
        assert to_unicode(text) == text


def test_a_per_cent_sign_does_not_end_the_text() -> None:
    """To LaTeX a bare % starts a comment; in an abstract it is a per cent sign."""
    assert to_unicode(r"13% faster than $\alpha$-nets") == "13% faster than α-nets"


def test_malformed_or_hostile_latex_comes_back_unchanged() -> None:
    deep = "{" * 3000 + r"\em x"
    assert to_unicode(deep) == deep  # the parser's recursion is caught
    long = r"\alpha " * (MAX_CHARS // 7 + 1)
    assert to_unicode(long) == long  # longer than any abstract: not parsed at all


@given(st.text(alphabet=st.sampled_from(list("\\${}^_%~ ab\"'`&#1")), max_size=80))
def test_any_text_converts_without_raising(text: str) -> None:
    assert isinstance(to_unicode(text), str)
