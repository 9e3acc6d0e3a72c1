"""Every chat renderer shows why, TL;DR and links, and no upstream string can ping, link or
break a platform limit."""

from __future__ import annotations

import datetime as dt
import io
import re

import discord
from rich.console import Console

from adapters.console.chat import digest_view
from adapters.discord.embeds import escape as discord_escape
from adapters.discord.embeds import to_messages as discord_messages
from adapters.slack.blocks import to_messages as slack_messages
from bot.models import Digest, Filters, Link, Paper, Post, Ranked, SourceScore

NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
EVIL = (
    "@everyone @here <!channel> <!here> <@U123> <#C123> <@&123456789012345678> "
    "<#123456789012345678> [a](https://evil.example) and [b](https://evil.example) "
    "<https://evil.example|click> \x00\x07\x1b[31m\x0b & ** _ ~ ` |"
)


def item(rank: int, *, big: int = 1) -> Ranked:
    paper = Paper(
        arxiv_id=f"2611.{rank:05d}",
        title=(EVIL + " title ") * big,
        authors=tuple(f"Author {n} <!channel> @everyone" for n in range(6 * big)),
        abstract=(EVIL + " abstract. ") * big,
        categories=("cs.LG", "cs.AI", *(["x" * 100] * 30 * (big > 1))),
        primary_category="cs.LG",
    )
    post = Post(url="https://bsky.app/profile/a/post/1", author=EVIL * big, text=EVIL * big)
    return Ranked(
        paper=paper,
        score=100 - rank,
        breakdown=(SourceScore(source="bluesky", counts={"likes": 3}, score=3, posts=1),),
        top_posts=(post, post, post),
        why=(EVIL + " why ") * big,
        tldr=(EVIL + " tldr ") * big,
        links=(
            Link(kind="code", label="GitHub", url="https://github.com/lab/code"),
            Link(
                kind="reddit", label="r/ML", url="https://evil.example/x) [y](https://evil.example"
            ),
            Link(kind="alphaxiv", label="alphaXiv", url="https://www.alphaxiv.org/abs/2611.00001"),
        ),
        old="cross-listed",
        gain_per_hour=22,
    )


def digest(papers: int, *, big: int = 1, keywords: tuple[str, ...] = ()) -> Digest:
    return Digest(
        date=dt.date(2026, 11, 24),
        filters=Filters(keywords=keywords),
        items=tuple(item(n, big=big) for n in range(1, papers + 1)),
        generated_at=NOW,
        sources_used=("bluesky",),
    )


def test_slack_shows_why_tldr_links_and_short_authors() -> None:
    section = slack_messages(digest(1))[0]["blocks"][1]["text"]["text"]
    assert "Author 0" in section
    assert "… et al." in section
    assert "Author 4" not in section
    assert "+22 per hour" in section
    assert "*TL;DR*" in section
    assert "<https://github.com/lab/code|GitHub>" in section
    assert "<https://www.alphaxiv.org/abs/2611.00001|alphaXiv>" in section
    assert "evil.example/x" not in section  # a link whose URL is not a plain URL is dropped


def test_slack_fallback_text_escapes_the_users_keywords() -> None:
    """``/hotpapers keywords <!channel>`` must not notify the channel through ``text``."""
    for message in slack_messages(digest(30, keywords=("<!channel>", "<@U123>"))):
        assert "<!channel>" not in message["text"]
        assert "<@U123>" not in message["text"]
        assert "&lt;!channel&gt;" in message["text"]


def test_slack_never_pings_or_links_and_every_limit_holds_with_huge_values() -> None:
    messages = slack_messages(digest(60, big=40, keywords=("<!channel>",)))
    for message in messages:
        assert len(message["blocks"]) <= 50
        assert len(message["text"]) <= 3000
        for block in message["blocks"]:
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= 150
                continue
            texts = [block["text"]] if "text" in block else block.get("elements", [])
            for text in texts:
                body = text["text"]
                assert len(body) <= 3000
                for bad in ("<!", "<@", "<#", "<https://evil", "\x00", "\x07", "\x1b", "\x0b"):
                    assert bad not in body


def test_discord_escapes_every_masked_link_not_only_the_first() -> None:
    """discord.utils.escape_markdown leaves ``[b](…)`` live after an escaped ``[a](…)``."""
    line = "[a](https://evil.example) and [b](https://evil.example)"
    assert "[b](https" in discord.utils.escape_markdown(line)  # the library's hole
    escaped = discord_escape(line)
    assert re.search(r"(?<!\\)[\[\]]", escaped) is None  # every bracket escaped
    assert escaped.count("\\[") == 2


def test_discord_shows_channels_mentions_and_controls_as_text() -> None:
    escaped = discord_escape("<#123456789012345678> <@&123456789012345678> @everyone a\x1b\x00b")
    assert "\\<#123456789012345678\\>" in escaped
    assert "@everyone" not in escaped
    assert "\x1b" not in escaped
    assert "\x00" not in escaped
    assert (
        discord_escape("see https://github.com/a_b/c_d now") == "see https://github.com/a_b/c_d now"
    )


def test_discord_shows_why_tldr_links_and_short_authors() -> None:
    embed = discord_messages(digest(1))[0]["embeds"][0]
    description = embed["description"]
    assert "… et al." in description
    assert "+22 per hour" in description
    assert "**TL;DR**" in description
    assert "[GitHub](https://github.com/lab/code)" in description
    assert "evil.example/x" not in description


def test_discord_never_pings_or_links_and_every_limit_holds_with_huge_values() -> None:
    for message in discord_messages(digest(60, big=40, keywords=("@everyone",))):
        assert len(message["content"]) <= 2000
        assert len(message["embeds"]) <= 10
        assert message["allowed_mentions"] == {"parse": []}
        total = 0
        for embed in message["embeds"]:
            assert len(embed["title"]) <= 256
            assert len(embed["description"]) <= 4096
            assert len(embed["footer"]["text"]) <= 2048
            total += len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
        assert total <= 6000
        texts = [message["content"]] + [
            e[k] if k != "footer" else e[k]["text"]
            for e in message["embeds"]
            for k in ("title", "description", "footer")
        ]
        for text in texts:
            assert re.search(r"(?<!\\)<", text) is None  # every < shown as text
            assert re.search(r"(?<!\\)\]\(https://evil", text) is None  # no live masked link
            for bad in ("@everyone", "@here", "\x00", "\x1b"):
                assert bad not in text


def test_the_console_shows_why_tldr_and_links_without_control_characters() -> None:
    out = io.StringIO()
    Console(file=out, width=100, force_terminal=False, color_system=None).print(
        digest_view(digest(1))
    )
    shown = " ".join(out.getvalue().split())
    assert "TL;DR" in shown
    assert "+22 per hour" in shown
    assert "GitHub" in shown
    assert "… et al." in shown
    assert "\x1b" not in shown
    assert "\x00" not in shown


def test_the_slack_manifest_does_not_rely_on_unescaped_commands() -> None:
    """Safety comes from escaping every rendered string, not from ``should_escape: false``."""
    from importlib.resources import files

    manifest = files("config").joinpath("slack-manifest.yml").read_text(encoding="utf-8")
    assert "should_escape" not in manifest


def test_without_a_tldr_chat_shows_the_abstracts_start() -> None:
    bare = digest(1).items[0].model_copy(update={"tldr": "", "why": "", "gain_per_hour": None})
    plain_digest = digest(1).model_copy(update={"items": (bare,)})
    section = slack_messages(plain_digest)[0]["blocks"][1]["text"]["text"]
    assert "TL;DR" not in section
    assert "abstract." in section
    description = discord_messages(plain_digest)[0]["embeds"][0]["description"]
    assert "TL;DR" not in description
    assert "abstract." in description


def test_discord_link_labels_need_no_escaping() -> None:
    """Discord shows escaping backslashes inside a masked link, so labels carry none."""
    url = "https://www.reddit.com/r/A_b/comments/1x/"
    odd = Link(kind="reddit", label="r/A_b *[x](y)", url=url)
    one = digest(1).items[0].model_copy(update={"links": (odd,)})
    description = discord_messages(digest(1).model_copy(update={"items": (one,)}))[0]["embeds"][0][
        "description"
    ]
    assert f"[r/A_b xy]({url})" in description
