from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.errors import SnapshotError, StorageError
from bot.files import read_text, write_atomic


def test_a_regular_file_is_replaced_whole_and_nothing_is_left_behind(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.write_text("old")
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md"]
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~current_umask())


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"


def test_text_utf8_cannot_encode_is_replaced_not_a_crash(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_atomic(target, "title \ud800 end")  # a lone surrogate, as JSON may carry
    assert target.read_text(encoding="utf-8") == "title ? end"


def test_a_failed_write_is_one_sentence_and_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "dir"
    target.mkdir()
    with pytest.raises(StorageError, match="Cannot write"):
        write_atomic(target, "x")
    assert list(tmp_path.iterdir()) == [target]


def test_a_file_over_the_limit_is_refused_with_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * (2 * 1024 * 1024 + 1))
    with pytest.raises(SnapshotError, match="larger than the limit of 2 MiB"):
        read_text(path, "The post", limit=2 * 1024 * 1024)
    assert read_text(path, "The post") == "x" * (2 * 1024 * 1024 + 1)


def test_a_replaced_file_keeps_its_permissions_and_owner(tmp_path: Path) -> None:
    target = tmp_path / "private.json"
    target.write_text("old\n")
    target.chmod(0o600)
    before = target.stat()
    write_atomic(target, "new\n")
    after = target.stat()
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(after.st_mode) == 0o600  # not the umask's 644: it stays private
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
