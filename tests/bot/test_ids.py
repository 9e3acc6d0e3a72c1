from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ids import find_refs, normalize_id, parse_id


@pytest.mark.parametrize(
    ("text", "arxiv_id", "version"),
    [
        ("2103.09742", "2103.09742", None),
        ("2103.09742v2", "2103.09742", 2),
        ("arXiv:2103.09742", "2103.09742", None),
        ("0704.0001", "0704.0001", None),
        ("hep-th/9901001", "hep-th/9901001", None),
        ("hep-th/9901001v3", "hep-th/9901001", 3),
        ("math.gt/0309136", "math.GT/0309136", None),
        ("oai:arXiv.org:2609.31763v1".removeprefix("oai:arXiv.org:"), "2609.31763", 1),
    ],
)
def test_parse_id_normalises_versions_prefixes_and_old_style_ids(
    text: str, arxiv_id: str, version: int | None
) -> None:
    ref = parse_id(text)
    assert (ref.arxiv_id, ref.version) == (arxiv_id, version)


@pytest.mark.parametrize("text", ["", "2103.097", "21030.09742", "hello", "2103.09742v", "cs/12"])
def test_parse_id_rejects_what_is_not_an_id(text: str) -> None:
    with pytest.raises(ValueError, match="not an arXiv id"):
        parse_id(text)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://arxiv.org/abs/2103.09742", "2103.09742"),
        ("https://arxiv.org/pdf/2103.09742v1.pdf", "2103.09742"),
        ("http://export.arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        ("https://www.arxiv.org/html/2501.01234v3", "2501.01234"),
        ("https://huggingface.co/papers/2602.23229", "2602.23229"),
        ("https://www.alphaxiv.org/overview/2501.00001v2", "2501.00001"),
        ("https://doi.org/10.48550/arXiv.2103.09742", "2103.09742"),
    ],
)
def test_find_refs_recognises_every_kind_of_link(url: str, expected: str) -> None:
    assert [r.arxiv_id for r in find_refs(url)] == [expected]


def test_find_refs_does_not_truncate_a_longer_number() -> None:
    assert find_refs("https://arxiv.org/abs/2103.097421") == []
    assert find_refs("https://example.com/abs/2103.09742") == []


def test_find_refs_lists_each_paper_once_in_order() -> None:
    text = (
        "see arXiv:2101.00002 and https://arxiv.org/abs/2101.00001v2 then arxiv.org/pdf/2101.00002"
    )
    assert [r.arxiv_id for r in find_refs(text)] == ["2101.00002", "2101.00001"]


def test_normalize_id_accepts_bare_ids_and_urls() -> None:
    assert normalize_id("2602.23229") == "2602.23229"
    assert normalize_id("https://arxiv.org/abs/2602.23229v4") == "2602.23229"
    with pytest.raises(ValueError, match="not an arXiv id"):
        normalize_id("nothing here")


new_ids = st.builds(
    lambda yymm, number, five: f"{yymm:04d}.{number:0{5 if five else 4}d}",
    st.integers(701, 3012),
    st.integers(1, 9999),
    st.booleans(),
)
forms = st.sampled_from(
    [
        "https://arxiv.org/abs/{id}{v}",
        "http://arxiv.org/pdf/{id}{v}.pdf",
        "https://arxiv.org/pdf/{id}{v}",
        "https://export.arxiv.org/abs/{id}{v}",
        "https://arxiv.org/html/{id}{v}",
        "https://huggingface.co/papers/{id}",
        "https://www.alphaxiv.org/abs/{id}{v}",
        "https://doi.org/10.48550/arXiv.{id}",
        "arXiv:{id}{v}",
    ]
)


@given(arxiv_id=new_ids, form=forms, version=st.one_of(st.none(), st.integers(1, 30)))
def test_every_reference_form_round_trips_to_the_canonical_id(
    arxiv_id: str, form: str, version: int | None
) -> None:
    text = f"Look at {form.format(id=arxiv_id, v=f'v{version}' if version else '')} today!"
    assert [r.arxiv_id for r in find_refs(text)] == [arxiv_id]


def test_untrusted_text_never_makes_an_id_that_is_not_ascii_or_a_huge_version() -> None:
    from bot.ids import find_refs, is_canonical_id, parse_id

    assert find_refs("arXiv:２１０３.０９７４２ https://arxiv.org/abs/２１０３.０９７４２") == []
    with pytest.raises(ValueError, match="not an arXiv id"):
        parse_id("２１０３.０９７４２")
    (ref,) = find_refs("arXiv:2103.09742v" + "9" * 5000)  # int() would refuse 5000 digits
    assert ref.arxiv_id == "2103.09742"
    assert all(
        is_canonical_id(r.arxiv_id) for r in find_refs("hep-th/9901001 arXiv:math.gt/0309136")
    )
