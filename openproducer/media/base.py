"""The blob store interface: where clip files (audio, covers, stems, scores) live."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

__all__ = ["BlobNotFound", "BlobStore"]


class BlobNotFound(KeyError):
    """No blob is stored under the key."""

    def __str__(self) -> str:
        return f"no blob stored under {self.args[0]!r}" if self.args else "blob not found"


@runtime_checkable
class BlobStore(Protocol):
    """Keys are relative, slash-separated paths such as ``clips/<id>/mix.mp3``.

    Writes are atomic (readers see the old blob or the new one, never a part)
    and overwrite: storing a key twice keeps only the second version.
    """

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        """Store a file's bytes. A local store may hard-link the file instead of copying it, so the
        caller must not write into that file afterwards (deleting or replacing it is fine)."""

    def get_bytes(self, key: str) -> bytes:
        """Raises BlobNotFound."""

    def local_path(self, key: str) -> Path | None:
        """A real file to read directly (zero-copy serving, ffmpeg input); None when the store is remote.

        Raises BlobNotFound when the store is local and the key is absent.
        """

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int:
        """Size in bytes. Raises BlobNotFound."""

    def delete_prefix(self, prefix: str) -> int:
        """Delete every key that starts with ``prefix`` (non-empty); returns how many were deleted."""
