"""Choosing the blob store from ``storage_url``."""

from __future__ import annotations

from pathlib import Path

from openproducer.media.base import BlobStore

__all__ = ["open_blob_store"]


def open_blob_store(storage_url: str) -> BlobStore:
    if storage_url.startswith("file://"):
        from openproducer.media.local import LocalBlobStore

        return LocalBlobStore(Path(storage_url.removeprefix("file://")))
    raise ValueError(f"storage_url: unsupported scheme in {storage_url!r} (use file://)")
