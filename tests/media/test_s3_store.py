"""The S3 blob store against a real S3 HTTP endpoint on loopback (moto's server mode)."""

from __future__ import annotations

import httpx
import pytest

from openproducer.core.config import S3Settings
from openproducer.media.base import BlobNotFound
from openproducer.media.stores import open_blob_store
from tests.support.server import free_port

moto_server = pytest.importorskip("moto.server", reason="moto[server] is a test dependency")


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture()
def store(s3_endpoint):
    settings = S3Settings(endpoint_url=s3_endpoint, access_key_id="test", secret_access_key="test")
    blobs = open_blob_store("s3://music/tenant-a", settings)
    blobs.client.create_bucket(Bucket="music")
    return blobs


def test_round_trip_overwrite_and_delete(store, tmp_path):
    store.put_bytes("clips/a/score.json", b"{}", "application/json")
    assert store.get_bytes("clips/a/score.json") == b"{}"
    path = tmp_path / "mix.wav"
    path.write_bytes(b"RIFF" + b"\0" * 100)
    store.put_file("clips/a/mix.wav", path, "audio/wav")
    store.put_file("clips/a/mix.wav", path, "audio/wav")  # a rerun overwrites
    assert store.size("clips/a/mix.wav") == 104 and store.exists("clips/a/mix.wav")
    assert store.local_path("clips/a/mix.wav") is None
    assert store.delete_prefix("clips/a/") == 2
    assert not store.exists("clips/a/mix.wav")
    with pytest.raises(BlobNotFound):
        store.get_bytes("clips/a/mix.wav")


def test_presigned_urls_serve_ranges(store):
    store.put_bytes("clips/b/audio.mp3", bytes(range(256)) * 4, "audio/mpeg")
    url = store.presigned_url("clips/b/audio.mp3", "audio/mpeg")
    assert "X-Amz-Signature" in url
    part = httpx.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == bytes(range(10, 20))


def test_keys_are_validated(store):
    with pytest.raises(ValueError):
        store.put_bytes("../escape", b"x", "text/plain")
