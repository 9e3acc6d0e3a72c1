"""Reading and writing the user's files, with failures told in one sentence."""

from __future__ import annotations

from pathlib import Path

from bot.errors import SnapshotError, StorageError


def read_text(path: Path, what: str) -> str:
    """The UTF-8 text of ``path``; SnapshotError says why it cannot be had (``what`` names it)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SnapshotError(f"{what} {str(path)!r} does not exist.") from exc
    except UnicodeDecodeError as exc:
        raise SnapshotError(f"{what} {str(path)!r} is not UTF-8 text.") from exc
    except OSError as exc:
        raise SnapshotError(f"{what} {str(path)!r} cannot be read: {exc.strerror}.") from exc


def write_atomic(path: Path, text: str, *, make_parents: bool = False) -> None:
    """Write the whole text or nothing: a crash never leaves half a file behind."""
    partial = path.with_name(path.name + ".partial")
    try:
        if make_parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        raise StorageError(f"Cannot write {str(path)!r}: {exc.strerror}.") from exc
