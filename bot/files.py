"""Reading and writing the user's files, with failures told in one sentence."""

from __future__ import annotations

import contextlib
import os
import stat
import uuid
from pathlib import Path

from bot.errors import SnapshotError, StorageError

# Upstream JSON may carry lone surrogates, which UTF-8 cannot encode: they become "?".
UNENCODABLE = "replace"


def read_text(path: Path, what: str, *, limit: int | None = None) -> str:
    """The UTF-8 text of ``path``; SnapshotError says why it cannot be had (``what`` names it).

    ``limit`` bounds its size in bytes: a larger file is refused before it is read whole.
    """
    data = read_bytes(path, what, limit=limit)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SnapshotError(f"{what} {str(path)!r} is not UTF-8 text.") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")  # as text mode reads it


def read_bytes(path: Path, what: str, *, limit: int | None = None) -> bytes:
    """The bytes of ``path``, as ``read_text`` reads them but not decoded."""
    try:
        with path.open("rb") as file:
            data = file.read() if limit is None else file.read(limit + 1)
    except FileNotFoundError as exc:
        raise SnapshotError(f"{what} {str(path)!r} does not exist.") from exc
    except OSError as exc:
        raise SnapshotError(f"{what} {str(path)!r} cannot be read: {exc.strerror}.") from exc
    if limit is not None and len(data) > limit:
        raise SnapshotError(
            f"{what} {str(path)!r} is larger than the limit of {limit // (1024 * 1024)} MiB."
        )
    return data


def write_atomic(path: Path, text: str, *, make_parents: bool = False) -> None:
    """Write the whole text or nothing: a crash never leaves half a file behind.

    Only a regular file (or a new one) is replaced by renaming a finished copy over it; a
    symbolic link, a device such as ``/dev/stdout`` or a pipe is written through, so that it
    stays what it is.
    """
    try:
        if make_parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            was: os.stat_result | None = path.lstat()
        except FileNotFoundError:
            was = None
        mode = was.st_mode if was is not None else None
        if mode is not None and not stat.S_ISREG(mode):
            with path.open("w", encoding="utf-8", errors=UNENCODABLE) as target:
                target.write(text)
            return
        # A new name, created exclusively: a file or link planted there is never followed.
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8", errors=UNENCODABLE) as file:
                file.write(text)
                if was is not None:
                    # The file replaced keeps its permissions (a 600 stays private) and owner.
                    os.fchmod(file.fileno(), stat.S_IMODE(was.st_mode))
                    with contextlib.suppress(PermissionError):
                        os.fchown(file.fileno(), was.st_uid, was.st_gid)
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StorageError(f"Cannot write {str(path)!r}: {exc.strerror}.") from exc
