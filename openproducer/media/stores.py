"""Choosing the blob store from ``storage_url``."""

from __future__ import annotations

from pathlib import Path

from openproducer.core.config import S3Settings
from openproducer.media.base import BlobStore

__all__ = ["open_blob_store"]


def open_blob_store(storage_url: str, s3: S3Settings | None = None) -> BlobStore:
    if storage_url.startswith("file://"):
        from openproducer.media.local import LocalBlobStore

        return LocalBlobStore(Path(storage_url.removeprefix("file://")))
    if storage_url.startswith("s3://"):
        from openproducer.media.s3 import S3BlobStore

        s3 = s3 or S3Settings()
        return S3BlobStore(
            storage_url, endpoint_url=s3.endpoint_url, region=s3.region, access_key_id=s3.access_key_id,
            secret_access_key=s3.secret_access_key, presign_expiry_s=s3.presign_expiry_s,
        )
    raise ValueError(f"storage_url: unsupported scheme in {storage_url!r} (use file:// or s3://)")
