"""Upstream payloads in the shapes of the recorded samples (shared/samples), built to order.

Used by the tests and by the benchmark's fake endpoints.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.sax.saxutils import escape


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def atom_feed(day: dt.date, entries: list[dict[str, Any]]) -> str:
    """An ``rss.arxiv.org/atom`` feed: ids ``oai:arXiv.org:IDvN``, dc:creator, announce_type."""
    items = []
    for e in entries:
        cats = "".join(f'<category term="{c}"/>' for c in e["categories"])
        items.append(
            f"""<entry><id>oai:arXiv.org:{e["id"]}v1</id><title>{escape(e["title"])}</title>
<updated>{day}T05:00:00+00:00</updated><link href="https://arxiv.org/abs/{e["id"]}" rel="alternate" type="text/html"/>
<summary>arXiv:{e["id"]}v1 Announce Type: {e.get("type", "new")}
Abstract: {escape(e.get("abstract", ""))}</summary>{cats}<published>{day}T00:00:00-05:00</published>
<arxiv:announce_type>{e.get("type", "new")}</arxiv:announce_type><dc:creator>{escape(", ".join(e["authors"]))}</dc:creator></entry>"""
        )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns="http://www.w3.org/2005/Atom" xml:lang="en-us">'
        f"<id>http://rss.arxiv.org/atom/cs</id><title>cs updates on arXiv.org</title>"
        f"<updated>{day}T05:00:00+00:00</updated>{''.join(items)}</feed>"
    )


def hf_entry(
    arxiv_id: str, upvotes: int, comments: int, stars: int | None = None, repo: str | None = None
) -> dict[str, Any]:
    paper: dict[str, Any] = {
        "id": arxiv_id,
        "title": f"Paper {arxiv_id}",
        "upvotes": upvotes,
        "authors": [],
    }
    if stars is not None:
        paper["githubStars"] = stars
    if repo is not None:
        paper["githubRepo"] = repo
    return {
        "paper": paper,
        "title": f"Paper {arxiv_id}",
        "numComments": comments,
        "isAuthorParticipating": False,
    }


def hn_hit(
    object_id: str, url: str, points: int, comments: int, created: dt.datetime
) -> dict[str, Any]:
    return {
        "objectID": object_id,
        "url": url,
        "title": f"Story {object_id}",
        "author": "someone",
        "points": points,
        "num_comments": comments,
        "created_at": iso(created),
        "created_at_i": int(created.timestamp()),
        "_tags": ["story", f"story_{object_id}"],
    }


def hn_page(hits: list[dict[str, Any]], page: int, pages: int, per_page: int) -> dict[str, Any]:
    return {
        "hits": hits,
        "page": page,
        "nbPages": pages,
        "hitsPerPage": per_page,
        "nbHits": pages * per_page,
        "exhaustiveNbHits": True,
        "query": "arxiv.org",
        "params": "",
    }


def bsky_post(
    rkey: str,
    handle: str,
    text: str,
    link: str,
    likes: int,
    reposts: int,
    quotes: int,
    created: dt.datetime,
    *,
    embed: bool = False,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": iso(created),
        "langs": ["en"],
    }
    if embed:
        record["embed"] = {
            "$type": "app.bsky.embed.external",
            "external": {"uri": link, "title": "", "description": ""},
        }
    else:
        start = len(text.encode())
        record["text"] = f"{text} {link}"
        record["facets"] = [
            {
                "index": {"byteStart": start + 1, "byteEnd": start + 1 + len(link.encode())},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": link}],
            }
        ]
    return {
        "uri": f"at://did:plc:{handle}/app.bsky.feed.post/{rkey}",
        "cid": f"cid{rkey}",
        "author": {
            "did": f"did:plc:{handle}",
            "handle": f"{handle}.bsky.social",
            "displayName": handle.title(),
            "labels": [],
        },
        "record": record,
        "replyCount": 0,
        "repostCount": reposts,
        "likeCount": likes,
        "quoteCount": quotes,
        "bookmarkCount": 0,
        "indexedAt": iso(created),
        "labels": [],
    }


def tweet(
    tweet_id: str,
    author_id: str,
    text: str,
    link: str,
    retweets: int,
    likes: int,
    created: dt.datetime,
) -> dict[str, Any]:
    return {
        "id": tweet_id,
        "text": f"{text} https://t.co/{tweet_id}",
        "author_id": author_id,
        "created_at": iso(created),
        "edit_history_tweet_ids": [tweet_id],
        "public_metrics": {
            "retweet_count": retweets,
            "reply_count": 0,
            "like_count": likes,
            "quote_count": 0,
            "bookmark_count": 0,
            "impression_count": 10 * likes,
        },
        "entities": {
            "urls": [
                {
                    "start": 0,
                    "end": 23,
                    "url": f"https://t.co/{tweet_id}",
                    "expanded_url": link,
                    "display_url": link.removeprefix("https://"),
                }
            ]
        },
    }


def x_page(tweets: list[dict[str, Any]], next_token: str | None) -> dict[str, Any]:
    users = {t["author_id"] for t in tweets}
    meta: dict[str, Any] = {"result_count": len(tweets)}
    if tweets:
        meta |= {"newest_id": tweets[0]["id"], "oldest_id": tweets[-1]["id"]}
    if next_token:
        meta["next_token"] = next_token
    body: dict[str, Any] = {"meta": meta}
    if tweets:
        body["data"] = tweets
        body["includes"] = {
            "users": [{"id": u, "username": f"user{u}", "name": f"User {u}"} for u in sorted(users)]
        }
    return body


def reddit_listing(posts: list[dict[str, Any]], after: str | None) -> dict[str, Any]:
    return {
        "kind": "Listing",
        "data": {
            "after": after,
            "dist": len(posts),
            "children": [{"kind": "t3", "data": p} for p in posts],
            "before": None,
        },
    }


def reddit_post(
    post_id: str,
    url: str,
    score: int,
    comments: int,
    created: dt.datetime,
    *,
    subreddit: str = "MachineLearning",
    selftext: str | None = None,
) -> dict[str, Any]:
    """A link submission, or with ``selftext`` a self-post (its url is its own permalink)."""
    permalink = f"/r/{subreddit}/comments/{post_id}/submission/"
    is_self = selftext is not None
    return {
        "id": post_id,
        "name": f"t3_{post_id}",
        "url": f"https://www.reddit.com{permalink}" if is_self else url,
        "domain": f"self.{subreddit}" if is_self else url.split("/")[2],
        "is_self": is_self,
        "selftext": selftext or "",
        "title": f"Submission {post_id}",
        "author": "redditor",
        "subreddit": subreddit,
        "score": score,
        "num_comments": comments,
        "created_utc": created.timestamp(),
        "permalink": permalink,
    }
