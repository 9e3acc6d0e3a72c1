"""The word and author filters: exclude, all-of and authors, with the name rule documented in
``bot.matching``."""

from __future__ import annotations

import pytest

from bot.matching import author_matches, words_match
from bot.models import Filters, Paper

PAPER = Paper(
    arxiv_id="2103.00001",
    title="Video Diffusion Models",
    abstract="We study LLMs that generate video.",
    authors=("Yann LeCun", "Léon Bottou", "Laurens van der Maaten", "Jean-Pierre Serre"),
)


@pytest.mark.parametrize(
    ("filters", "kept"),
    [
        (Filters(exclude=("llm",)), False),  # "LLMs" contains it, whatever the case
        (Filters(exclude=("transformer",)), True),
        (Filters(all_keywords=("diffusion", "VIDEO")), True),
        (Filters(all_keywords=("diffusion", "audio")), False),
        (Filters(keywords=("audio", "video"), exclude=("audio",)), True),
        (Filters(keywords=("video",), exclude=("diffusion",)), False),
        (Filters(authors=("Geoffrey Hinton", "Y. LeCun")), True),
        (Filters(authors=("Geoffrey Hinton",)), False),
        (Filters(all_keywords=("video",), authors=("Bottou",), exclude=("gan",)), True),
    ],
)
def test_every_filter_kind_must_pass(filters: Filters, kept: bool) -> None:
    assert words_match(PAPER, filters) is kept


@pytest.mark.parametrize(
    ("wanted", "author"),
    [
        ("Yann LeCun", "Yann LeCun"),
        ("yann lecun", "Yann LeCun"),
        ("Y. LeCun", "Yann LeCun"),
        ("Y LeCun", "Yann LeCun"),
        ("Yann LeCun", "Y. LeCun"),
        ("LeCun", "Yann LeCun"),
        ("Leon Bottou", "Léon Bottou"),
        ("LÉON BOTTOU", "Leon Bottou"),
        ("van der Maaten", "Laurens van der Maaten"),
        ("L. van der Maaten", "Laurens van der Maaten"),
        ("J.-P. Serre", "Jean-Pierre Serre"),
        ("Jean-Pierre Serre", "J. Serre"),
        ("LeCun, Yann", "Yann LeCun"),
        ("Shin, J.", "Jinwoo Shin"),
    ],
)
def test_names_match_across_case_accents_and_initials(wanted: str, author: str) -> None:
    assert author_matches(wanted, author)


@pytest.mark.parametrize(
    ("wanted", "author"),
    [
        ("Yan LeCun", "Yann LeCun"),  # another first name
        ("X. LeCun", "Yann LeCun"),  # another initial
        ("Yann", "Yann LeCun"),  # a first name alone is a last name
        ("LeCun Yann", "Yann LeCun"),
        ("", "Yann LeCun"),
        ("...", "Yann LeCun"),
    ],
)
def test_other_names_do_not_match(wanted: str, author: str) -> None:
    assert not author_matches(wanted, author)
