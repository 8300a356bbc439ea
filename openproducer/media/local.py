"""Blob store on the local filesystem."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from openproducer.media.base import BlobNotFound

__all__ = ["LocalBlobStore", "validate_key"]

_TMP_PREFIX = ".tmp-"


def validate_key(key: str, *, prefix: bool = False) -> str:
    """Return ``key`` if it is a safe relative key, else raise ValueError.

    Refused: empty keys, absolute paths, backslashes, NUL, ``.``/``..`` or empty
    segments, and segments that look like our own temporary files. With
    ``prefix=True`` a trailing slash is allowed.
    """
    if not isinstance(key, str) or not key:
        raise ValueError("blob key must be a non-empty string")
    if "\\" in key or "\x00" in key or key.startswith("/") or ":" in key.split("/", 1)[0]:
        raise ValueError(f"invalid blob key {key!r}")
    parts = key.split("/")
    if prefix and len(parts) > 1 and parts[-1] == "":
        parts = parts[:-1]
    for part in parts:
        if part in ("", ".", "..") or part.startswith(_TMP_PREFIX):
            raise ValueError(f"invalid blob key {key!r}")
    return key


class LocalBlobStore:
    """Keys map to files under ``root``; writes go to a temporary file in the
    target directory and are moved into place with ``os.replace``, so a worker
    that dies mid-write leaves at most a stray ``.tmp-*`` file, never a partial blob.
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        validate_key(key)
        return self.root.joinpath(*key.split("/"))

    def _write_atomic(self, key: str, fill: Callable[[BinaryIO], object]) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fill(fh)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self._write_atomic(key, lambda fh: fh.write(data))

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        """A hard link when ``path`` is on the store's file system (no bytes copied; the caller
        keeps its name for the file), else a copy; either way the blob appears atomically."""
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        linked = target.parent / f"{_TMP_PREFIX}{secrets.token_hex(8)}"
        try:
            os.link(path, linked)
        except OSError:  # another file system, or links not supported: copy
            with open(path, "rb") as src:
                self._write_atomic(key, lambda fh: shutil.copyfileobj(src, fh, 1 << 20))
            return
        try:
            os.chmod(linked, 0o644)
            os.replace(linked, target)
        except BaseException:
            linked.unlink(missing_ok=True)
            raise

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise BlobNotFound(key) from exc

    def local_path(self, key: str) -> Path | None:
        path = self._path(key)
        if not path.is_file():
            raise BlobNotFound(key)
        return path

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        path = self._path(key)
        if not path.is_file():
            raise BlobNotFound(key)
        return path.stat().st_size

    def delete_prefix(self, prefix: str) -> int:
        validate_key(prefix, prefix=True)
        parts = prefix.split("/")
        base = self.root.joinpath(*parts[:-1])
        stem = parts[-1]  # "" when the prefix ends with "/"
        if not base.is_dir():
            return 0
        removed = 0
        for entry in list(base.iterdir()):
            if not entry.name.startswith(stem):
                continue
            if entry.is_dir() and not entry.is_symlink():
                removed += sum(1 for p in entry.rglob("*") if p.is_file() and not p.name.startswith(_TMP_PREFIX))
                shutil.rmtree(entry)
            else:
                removed += 0 if entry.name.startswith(_TMP_PREFIX) else 1
                entry.unlink()
        self._prune(base)
        return removed

    def _prune(self, directory: Path) -> None:
        """Remove directories left empty, up to (not including) the root."""
        while directory != self.root and directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
            directory = directory.parent
