"""LocalBlobStore: key safety, atomic overwrite, prefix deletion."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from openproducer.media.base import BlobNotFound, BlobStore
from openproducer.media.local import LocalBlobStore


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


def test_is_a_blob_store(store: LocalBlobStore) -> None:
    assert isinstance(store, BlobStore)


def test_round_trip_and_overwrite(store: LocalBlobStore, tmp_path: Path) -> None:
    store.put_bytes("clips/a1/mix.mp3", b"first", "audio/mpeg")
    assert store.get_bytes("clips/a1/mix.mp3") == b"first"
    store.put_bytes("clips/a1/mix.mp3", b"second!", "audio/mpeg")
    assert store.get_bytes("clips/a1/mix.mp3") == b"second!"
    assert store.size("clips/a1/mix.mp3") == 7
    assert store.exists("clips/a1/mix.mp3") and not store.exists("clips/a1/mix.wav")

    src = tmp_path / "cover.png"
    src.write_bytes(b"\x89PNG" + b"0" * 3_000_000)
    store.put_file("clips/a1/cover.png", src, "image/png")
    local = store.local_path("clips/a1/cover.png")
    assert local is not None and local.read_bytes() == src.read_bytes()
    assert local.is_relative_to(store.root)
    assert src.exists()  # the caller keeps its file
    # Only the blobs: no temporary files left behind.
    assert sorted(p.name for p in (store.root / "clips" / "a1").iterdir()) == ["cover.png", "mix.mp3"]


def test_missing_keys(store: LocalBlobStore) -> None:
    for call in (store.get_bytes, store.size, store.local_path):
        with pytest.raises(BlobNotFound):
            call("clips/none/mix.mp3")
    store.put_bytes("clips/x/a", b"1", "text/plain")
    with pytest.raises(BlobNotFound):
        store.get_bytes("clips/x")  # a directory is not a blob


@pytest.mark.parametrize(
    "key",
    ["", "/etc/passwd", "../outside", "clips/../../x", "clips/./a", "clips//a", "clips\\a", "a/\x00b",
     "clips/.tmp-abc", "C:/x"],
)  # fmt: skip
def test_unsafe_keys_refused(store: LocalBlobStore, key: str) -> None:
    with pytest.raises(ValueError):
        store.put_bytes(key, b"x", "text/plain")
    with pytest.raises(ValueError):
        store.exists(key)


def test_failed_write_leaves_old_blob_and_no_temp_file(store: LocalBlobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.put_bytes("clips/b/mix.wav", b"good", "audio/wav")

    def crash(src: str, dst: str) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        store.put_bytes("clips/b/mix.wav", b"half", "audio/wav")
    monkeypatch.undo()
    assert store.get_bytes("clips/b/mix.wav") == b"good"
    assert [p.name for p in (store.root / "clips" / "b").iterdir()] == ["mix.wav"]


def test_delete_prefix(store: LocalBlobStore) -> None:
    for key in ("clips/c1/mix.mp3", "clips/c1/stems/vocals.flac", "clips/c10/mix.mp3", "clips/c2/mix.mp3"):
        store.put_bytes(key, b"x", "application/octet-stream")
    assert store.delete_prefix("clips/c1/") == 2
    assert not store.exists("clips/c1/mix.mp3") and not (store.root / "clips" / "c1").exists()
    assert store.exists("clips/c10/mix.mp3") and store.exists("clips/c2/mix.mp3")
    assert store.delete_prefix("clips/c") == 2  # a plain string prefix
    assert not (store.root / "clips").exists()
    assert store.delete_prefix("clips/none/") == 0
    with pytest.raises(ValueError):
        store.delete_prefix("")
    with pytest.raises(ValueError):
        store.delete_prefix("../")
