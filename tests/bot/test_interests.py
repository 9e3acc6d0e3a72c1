"""Imported interests: BibTeX, Zotero CSV and lists of arXiv ids become positive examples."""

from __future__ import annotations

import pytest

from bot.errors import InputError
from bot.relevance.interests import read_interests

BIB = r"""
@article{brown2020,
  title = {Language Models are {Few-Shot} Learners},
  author = {Brown, Tom and M{\"u}ller, Ann},
  journal = {arXiv preprint arXiv:2005.14165},
  abstract = {We show that scaling up language models improves few-shot performance.}
}
@misc{vaswani, title="Attention is all you need", eprint={1706.03762v5}, archivePrefix={arXiv}}
@book{notitle, author={Nobody}}
@book{knuth, title={The {\TeX}book}, doi={10.1000/XYZ}}
@misc{again, title={Attention again}, url={https://arxiv.org/abs/1706.03762}}
"""

CSV = (
    '"Key","Item Type","Publication Year","Author","Title","Url","Abstract Note","DOI","Extra"\n'
    '"K1","preprint","2020","Brown, Tom","Language Models are Few-Shot Learners",'
    '"http://arxiv.org/abs/2005.14165v4","Few-shot.","","arXiv: 2005.14165"\n'
    '"K2","journalArticle","2019","Doe, J","A journal paper","","On things.","10.1/ABC",""\n'
    '"K3","journalArticle","2019","Doe, J","","","","",""\n'
    '"K4","preprint","2021","Roe, R","Only in Extra","","","","arXiv:2101.00001"\n'
)


def test_bibtex_entries_with_titles_and_their_arxiv_ids() -> None:
    imported = read_interests("library.bib", BIB)
    assert imported.format == "bibtex"
    assert [(i.key, i.arxiv_id) for i in imported.interests] == [
        ("2005.14165", "2005.14165"),
        ("1706.03762", "1706.03762"),  # the later entry of the same paper is kept once
        ("10.1000/xyz", ""),
    ]
    brown = imported.interests[0]
    assert brown.title == "Language Models are Few-Shot Learners"
    assert "scaling up language models" in brown.text
    assert imported.skipped == ("notitle: no title",)


def test_zotero_csv_rows_with_their_abstracts() -> None:
    imported = read_interests("export.csv", CSV)
    assert imported.format == "csv"
    assert [(i.key, i.arxiv_id) for i in imported.interests] == [
        ("2005.14165", "2005.14165"),
        ("10.1/abc", ""),
        ("2101.00001", "2101.00001"),
    ]
    assert imported.interests[1].text.endswith("On things.")
    assert imported.skipped == ("line 4: no title",)


def test_a_list_of_ids_and_urls_with_comments() -> None:
    text = "# our reading group\n2005.14165v2\n\nhttps://arxiv.org/pdf/1706.03762\nhep-th/9901001 # old\nnot-an-id\n"
    imported = read_interests("ids.txt", text)
    assert imported.format == "ids"
    assert [i.arxiv_id for i in imported.interests] == [
        "2005.14165",
        "1706.03762",
        "hep-th/9901001",
    ]
    assert {i.text for i in imported.interests} == {""}  # found later: stored paper or arXiv
    assert imported.skipped == ("line 6: “not-an-id” is not an arXiv id",)


def test_bibtex_is_told_by_its_content_too() -> None:
    assert read_interests("export", BIB).format == "bibtex"


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("zotero.rdf", "<rdf:RDF/>", "Zotero RDF is not read"),
        ("empty.bib", "@book{x, author={A}}", "holds no BibTeX entry with a title"),
        ("ids.txt", "hello\nworld\n", "holds no arXiv id"),
        ("bad.csv", "a,b\n1,2\n", "has a Title column"),
    ],
)
def test_a_file_with_nothing_to_import_is_one_sentence(name: str, text: str, says: str) -> None:
    with pytest.raises(InputError, match=says):
        read_interests(name, text)


def test_a_broken_bibtex_block_is_named_and_the_rest_imported() -> None:
    text = "@book{a, title={Kept}}\n@article{b, title = {Unclosed\n@book{c, title={Also kept}}\n"
    imported = read_interests("lib.bib", text)
    assert [i.title for i in imported.interests] == ["Kept", "Also kept"]
    assert imported.skipped == ("a BibTeX block that cannot be read (line 2)",)
