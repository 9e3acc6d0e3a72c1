"""Snapshots: the collected input of one day's digest, as versioned JSON.

A snapshot holds the announced papers, every engagement signal (aggregated counts and
individual posts) and which sources answered. The live path writes one per day; ``--snapshot``
and ``--sample`` replay one offline. The format is documented in ``docs/snapshot.md``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from importlib import resources
from pathlib import Path
from typing import BinaryIO, Literal

from pydantic import Field, TypeAdapter, ValidationError

from bot.errors import SnapshotError
from bot.files import read_bytes, write_atomic
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
        snapshot = _in_chunks(io.BytesIO(text.encode() if isinstance(text, str) else text))
        if snapshot is None:
            snapshot = Snapshot.model_validate_json(text)
    except (ValidationError, RecursionError):
        snapshot = _invalid(text, name)
    _check_ids(snapshot, name)
    return snapshot


# How ``dumps`` lays out the signals: a top-level key and array elements one space deeper.
# JSON strings cannot hold a raw line break, so these can only be the structure itself.
_SIGNALS_START = b'\n "signals": [\n  {'
_SIGNALS_END = b"}\n ],\n"
_BETWEEN = b"},\n  {"
_BLOCK = 1 << 20  # bytes read, and signals validated, at a time
_SIGNAL_LIST = TypeAdapter(list[Signal])


def _in_chunks(file: BinaryIO, limit: int = MAX_SNAPSHOT_BYTES) -> Snapshot | None:
    """A snapshot laid out as ``dumps`` writes it, read a block at a time and its signals
    validated a block at a time; None for a snapshot laid out otherwise or larger than
    ``limit`` bytes.

    Validating a whole text at once first parses it into a tree three times the size of the
    file (150 MB for a day of 100,000 signals), beside the file's bytes, before the first value
    exists; here the peak is the values plus a block. A block that does not validate raises,
    and the caller reads the whole file again to say where it is wrong.
    """
    buffer = bytearray()
    total = 0

    def more() -> bool:
        nonlocal total
        block = file.read(_BLOCK)
        total += len(block)
        buffer.extend(block)
        return bool(block) and total <= limit

    while (start := buffer.find(_SIGNALS_START)) < 0:
        if not more():
            return None
    first = start + len(_SIGNALS_START) - 1  # the first signal's "{"
    head = bytes(buffer[:first]) + b"]"
    del buffer[:first]
    signals: list[Signal] = []
    while True:
        stop = buffer.find(_SIGNALS_END)
        cut = stop if stop >= 0 else buffer.rfind(_BETWEEN)
        if stop >= 0 or cut > _BLOCK:
            signals += _SIGNAL_LIST.validate_json(b"[" + buffer[: cut + 1] + b"]")
            if stop >= 0:
                break
            del buffer[: cut + len(_BETWEEN) - 1]
        if not more():
            return None
    del buffer[: stop + len(_SIGNALS_END) - 2]  # from the "," after the array
    while more():
        pass
    if total > limit or _SIGNALS_START in buffer:
        return None
    rest = Snapshot.model_validate_json(head + buffer)
    if rest.signals:
        return None
    return rest.model_copy(update={"signals": tuple(signals)})


def _invalid(text: str | bytes, name: str) -> Snapshot:
    """The snapshot pydantic-core refused, parsed again to name what is wrong."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError as exc:
            raise SnapshotError(f"{name} is not UTF-8 text.") from exc
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
    """The snapshot file at ``path``.

    A file ``dumps`` wrote is read a block at a time, never held whole (``_in_chunks``); any
    other is read whole, as bytes: never decoded into a ``str``, which would take up to four
    times the file's size for one emoji in a post.
    """
    name = f"Snapshot file {str(path)!r}"
    with contextlib.suppress(OSError, ValidationError, RecursionError), path.open("rb") as file:
        snapshot = _in_chunks(file)
        if snapshot is not None:
            _check_ids(snapshot, name)
            return snapshot
    # Not laid out as ``dumps`` writes, or not valid: read again, whole, to say why.
    return loads(read_bytes(path, "Snapshot file", limit=MAX_SNAPSHOT_BYTES), name=name)


def write_snapshot(snapshot: Snapshot, path: Path, *, make_parents: bool = False) -> None:
    """Write atomically, so that a crash never leaves half a snapshot behind."""
    write_atomic(path, dumps(snapshot), make_parents=make_parents)


def sample_snapshot() -> Snapshot:
    """The bundled day: the reference Hot Papers post of 2021-03-18, imported."""
    text = resources.files("bot").joinpath("data", SAMPLE_RESOURCE).read_text(encoding="utf-8")
    return loads(text, name="the bundled sample")
