from __future__ import annotations

import pytest

from bot.errors import InputError
from bot.taxonomy import load_taxonomy


def test_categories_archives_and_wildcards_are_spelled_as_arxiv_does() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.validate(["cs.lg", "CS.*", "physics.comp-ph", "hep-th", "cs.LG"]) == (
        "cs.LG",
        "cs.*",
        "physics.comp-ph",
        "hep-th",
    )
    assert taxonomy.name("cs.LG") == "Machine Learning"
    assert taxonomy.name("cs") == "Computer Science"


@pytest.mark.parametrize(
    ("typo", "suggested"),
    [
        ("cs.LGG", "cs.LG"),
        ("cs.ML", "stat.ML"),
        ("cs.cv.", "cs.CV"),
        ("physics.compph", "physics.comp-ph"),
    ],
)
def test_an_unknown_category_suggests_the_closest_real_ones(typo: str, suggested: str) -> None:
    with pytest.raises(InputError, match="Unknown arXiv category") as caught:
        load_taxonomy().canonical(typo)
    assert suggested in str(caught.value)


def test_nonsense_gets_no_suggestion() -> None:
    with pytest.raises(InputError, match=r"^Unknown arXiv category 'qqqq'\.$"):
        load_taxonomy().canonical("qqqq")


def test_the_taxonomy_covers_every_archive() -> None:
    taxonomy = load_taxonomy()
    archives = {c.split(".")[0] for c in taxonomy.categories}
    assert archives == set(taxonomy.archives)
    assert len(taxonomy.categories) > 150
