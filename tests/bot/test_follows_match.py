"""Matching a day's papers against a person's follows: names, keywords, similar papers."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.follows.match import DayIndex, match_day, mentions, same_person
from bot.follows.model import Follow, Kind, Person
from bot.models import Paper

ME = Person(platform="slack", scope="T1", user="U1")
AT = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def paper(arxiv_id: str, title: str, abstract: str = "", authors: tuple[str, ...] = ()) -> Paper:
    return Paper(arxiv_id=arxiv_id, title=title, abstract=abstract, authors=authors)


def follow(kind: Kind, value: str, text: str = "") -> Follow:
    return Follow(person=ME, kind=kind, value=value, text=text, created_at=AT)


@pytest.mark.parametrize(
    "author",
    ["Yann LeCun", "Y. LeCun", "yann lecun", "LeCun, Yann", "Yann A. LeCun", "YANN LECUN", "LeCun"],
)
def test_an_author_is_found_whatever_the_case_initials_or_order(author: str) -> None:
    assert same_person("Yann LeCun", author)


@pytest.mark.parametrize(
    ("followed", "author"),
    [
        ("Roxana Radulescu", "Roxana Rădulescu"),
        ("Roxana Rădulescu", "R. Radulescu"),
        ("Jose Hernandez-Orallo", "José Hernández-Orallo"),
        ("Soren Hauberg", "Søren Hauberg"),
        ("J.-B. Alayrac", "Jean-Baptiste Alayrac"),
        ("Hinton", "Geoffrey E. Hinton"),
    ],
)
def test_accents_hyphens_and_a_surname_alone_are_tolerated(followed: str, author: str) -> None:
    assert same_person(followed, author)


@pytest.mark.parametrize(
    ("followed", "author"),
    [("Jun Li", "Jie Li"), ("Yann LeCun", "Yann Lecunn"), ("Yann LeCun", "Y. Bengio"), ("", "X")],
)
def test_another_person_is_not_matched(followed: str, author: str) -> None:
    assert not same_person(followed, author)


def test_a_keyword_matches_whole_words_in_order_plural_tolerated() -> None:
    gnn = paper("1", "Graph Neural Networks at scale")
    sub = paper("2", "Subgraph neural networking")
    reversed_words = paper("3", "Networks: neural, graph")
    in_abstract = paper("4", "A title", "We train a graph  neural\nnetwork on molecules.")
    assert mentions("graph neural network", gnn)
    assert mentions("Graph Neural Network", in_abstract)
    assert not mentions("graph neural network", sub)
    assert not mentions("graph neural network", reversed_words)
    assert not mentions("...", gnn)


def test_a_similar_follow_finds_close_papers_but_not_unrelated_ones_nor_itself() -> None:
    followed = paper(
        "2103.09742",
        "Training GANs with stronger augmentations via contrastive discriminator",
        "Generative adversarial networks (GANs) trained with data augmentation and a "
        "contrastive discriminator on limited data.",
    )
    close = paper(
        "2103.00001",
        "Contrastive discriminators for data-efficient GAN training",
        "We train generative adversarial networks with augmentation and contrastive "
        "learning in the discriminator when data is limited.",
    )
    unrelated = [
        paper(f"2103.1{i:04d}", title, abstract)
        for i, (title, abstract) in enumerate(
            [
                ("Soccer team defense evaluation", "Prediction models of soccer defense."),
                ("OpenFOAM in-situ analysis", "Python data analyses for fluid dynamics."),
                ("Hardware softmax co-design", "An efficient softmax for transformer hardware."),
                ("Reinforcement learning guide", "Multi-objective reinforcement learning."),
            ]
        )
    ]
    index = DayIndex([followed, close, *unrelated])
    found = match_day(
        index, [follow("similar", followed.arxiv_id, f"{followed.title}\n{followed.abstract}")]
    )
    assert [m.paper.arxiv_id for m in found] == ["2103.00001"]
    assert found[0].similarity >= 0.2
    assert found[0].reasons == ("papers like 2103.09742",)


def test_papers_matching_more_follows_come_first_each_once_with_every_reason() -> None:
    both = paper("1", "Diffusion models by LeCun", authors=("Yann LeCun",))
    one = paper("2", "Diffusion models for audio", authors=("A. Person",))
    none = paper("3", "Nothing here", authors=("B. Person",))
    index = DayIndex([one, both, none])
    found = match_day(index, [follow("keyword", "diffusion model"), follow("author", "Yann LeCun")])
    assert [(m.paper.arxiv_id, m.reasons) for m in found] == [
        ("1", ("keyword “diffusion model”", "author “Yann LeCun”")),
        ("2", ("keyword “diffusion model”",)),
    ]


def test_an_empty_day_or_no_follows_match_nothing() -> None:
    assert match_day(DayIndex([]), [follow("keyword", "x")]) == []
    assert match_day(DayIndex([paper("1", "x")]), []) == []
