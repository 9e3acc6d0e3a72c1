"""Snapshots: the collected input of one day's digest, as versioned JSON.

A snapshot holds the announced papers, every engagement signal (aggregated counts and
individual posts) and which sources answered. The live path writes one per day; ``--snapshot``
and ``--sample`` replay one offline. The format is documented in ``docs/snapshot.md``.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from bot.errors import SnapshotError
from bot.files import read_text, write_atomic
from bot.ids import is_canonical_id
from bot.limits import MAX_SNAPSHOT_BYTES, echo
from bot.models import Paper, Signal, SourceFailure, Value

SNAPSHOT_FORMAT: Literal["hotpapers-snapshot"] = "hotpapers-snapshot"
SAMPLE_RESOURCE = "sample-2021-03-18.json"


class Snapshot(Value):
    """Everything a digest of ``date`` is computed from."""

    format: Literal["hotpapers-snapshot"] = SNAPSHOT_FORMAT
    version: Literal[1] = 1
    date: dt.date
    announced: bool = True
    papers: tuple[Paper, ...] = ()
    signals: tuple[Signal, ...] = ()
    sources_used: tuple[str, ...] = ()
    sources_failed: tuple[SourceFailure, ...] = ()
    taken_at: dt.datetime | None = None
    origin: str = ""
    # The earliest earlier reading of each repository's stars (repo → [stars, taken at]), so
    # that stars count as attention gained since (``bot.attention``); empty without history.
    stars_before: dict[str, tuple[int, dt.datetime]] = Field(default_factory=dict)


def dumps(snapshot: Snapshot) -> str:
    return json.dumps(snapshot.model_dump(mode="json"), ensure_ascii=False, indent=1) + "\n"


def loads(text: str | bytes, *, name: str = "snapshot") -> Snapshot:
    """Parse a snapshot; SnapshotError names what is wrong in one sentence.

    A good snapshot is validated straight from its JSON text (pydantic-core: no tree of
    Python dicts and lists first, which for 100,000 signals is seconds and hundreds of MB);
    only a bad one is parsed again the slow way, to say where it is wrong.
    """
    try:
        snapshot = Snapshot.model_validate_json(text)
    except (ValidationError, RecursionError):
        snapshot = _invalid(text, name)
    _check_ids(snapshot, name)
    return snapshot


def _invalid(text: str | bytes, name: str) -> Snapshot:
    """The snapshot pydantic-core refused, parsed again to name what is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{name} is not valid JSON (line {exc.lineno}: {exc.msg}).") from exc
    except RecursionError as exc:
        raise SnapshotError(f"{name} is nested too deeply to be a snapshot.") from exc
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        raise SnapshotError(
            f'{name} is not a hotpapers snapshot (no "format": "{SNAPSHOT_FORMAT}").'
        )
    if data.get("version") != 1:
        raise SnapshotError(
            f"{name} has snapshot version {data.get('version')!r}; this hotpapers reads version 1."
        )
    try:
        snapshot = Snapshot.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise SnapshotError(f"{name} is corrupt at {where}: {first['msg']}.") from exc
    except RecursionError as exc:
        raise SnapshotError(f"{name} is nested too deeply to be a snapshot.") from exc
    return snapshot


def _check_ids(snapshot: Snapshot, name: str) -> None:
    # Ids name files and links downstream: only real arXiv ids may pass.
    ids = [("papers", i, p.arxiv_id) for i, p in enumerate(snapshot.papers)]
    ids += [("signals", i, s.arxiv_id) for i, s in enumerate(snapshot.signals)]
    for where, i, arxiv_id in ids:
        if not is_canonical_id(arxiv_id):
            raise SnapshotError(
                f"{name} is corrupt at {where}.{i}.arxiv_id: "
                f"“{echo(arxiv_id)}” is not an arXiv id such as 2103.09742."
            )


def read_snapshot(path: Path) -> Snapshot:
    text = read_text(path, "Snapshot file", limit=MAX_SNAPSHOT_BYTES)
    return loads(text, name=f"Snapshot file {str(path)!r}")


def write_snapshot(snapshot: Snapshot, path: Path, *, make_parents: bool = False) -> None:
    """Write atomically, so that a crash never leaves half a snapshot behind."""
    write_atomic(path, dumps(snapshot), make_parents=make_parents)


def sample_snapshot() -> Snapshot:
    """The bundled day: the reference Hot Papers post of 2021-03-18, imported."""
    text = resources.files("bot").joinpath("data", SAMPLE_RESOURCE).read_text(encoding="utf-8")
    return loads(text, name="the bundled sample")
