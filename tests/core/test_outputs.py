"""Storing a finished clip: the files a task answers with are stored before it answers; the stems'
FLAC and the MP3 just after, and whoever needs one sooner waits for it."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from openproducer.audio import encode
from openproducer.core import outputs, produce
from openproducer.core.config import Settings
from openproducer.core.outputs import ClipDraft, load_audio, store_clip, wait_for_pending
from openproducer.core.services import Services
from openproducer.media.local import LocalBlobStore
from openproducer.store.clock import utcnow

SR = 44100


def _tone(seconds: float, hz: float) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    wave = (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)
    return np.stack([wave, wave], axis=1)


def _draft(clip_id: str = "c-1") -> ClipDraft:
    vocals, band = _tone(2.0, 440.0), _tone(2.0, 110.0)
    return ClipDraft(
        clip_id=clip_id, api_key_id=1, task_id="t-1", source="generated", engine="composer", sample_rate=SR,
        mix=vocals + band, stems={"vocals": vocals, "instrumental": band}, score={"bars": 1}, meta={},
        cover_png=b"\x89PNG cover",
    )


@pytest.fixture()
def held_flac(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The stems' FLAC encodes wait until the returned event is set."""
    release = threading.Event()
    real = encode.write_flac

    def held(path, audio, sr):  # type: ignore[no-untyped-def]
        assert release.wait(10), "the test never released the encoder"
        return real(path, audio, sr)

    monkeypatch.setattr(encode, "write_flac", held)
    yield release
    release.set()
    wait_for_pending()


def test_the_clip_is_returned_before_its_stems_are_stored_and_readers_wait_for_them(tmp_path, held_flac):
    blobs = LocalBlobStore(tmp_path / "media")
    draft = _draft()
    clip = store_clip(blobs, draft)  # returns although no stem has been encoded yet
    for role in ("wav", "image", "score", "stem:vocals", "stem:instrumental", "mp3"):
        assert role in clip.files
    assert blobs.exists(clip.files["wav"]) and blobs.exists(clip.files["image"])
    assert not blobs.exists(clip.files["stem:vocals"])

    read: dict[str, np.ndarray] = {}
    reader = threading.Thread(target=lambda: read.setdefault("v", load_audio(blobs, clip.files["stem:vocals"])[0]))
    reader.start()
    reader.join(0.3)
    assert reader.is_alive(), "a reader of a stem still being stored waits for it"
    held_flac.set()
    reader.join(10)
    assert np.array_equal(read["v"], encode.pcm16(draft.stems["vocals"]).astype(np.float32) / 32768)
    wait_for_pending()
    band, _ = load_audio(blobs, clip.files["stem:instrumental"])
    assert np.abs(band - draft.stems["instrumental"]).max() < 1e-4
    assert blobs.exists(clip.files["mp3"])
    assert not list(tmp_path.glob("op-stems-*")), "nothing is left in the temporary folder"


def test_a_stem_that_fails_to_store_releases_its_readers(tmp_path, monkeypatch):
    blobs = LocalBlobStore(tmp_path / "media")

    def broken(path, audio, sr):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(encode, "write_flac", broken)
    clip = store_clip(blobs, _draft("c-2"))
    wait_for_pending(10)
    assert not blobs.exists(clip.files["stem:vocals"])
    assert outputs.wait_until_stored(clip.files["stem:vocals"], 0.01) is False  # known lost: no waiting
    assert outputs.wait_until_stored(clip.files["mp3"], 0.01) is True
    assert blobs.exists(clip.files["mp3"]), "the MP3 is stored although the stems failed"
    # an edit of the (young) clip goes on from the mix at once instead of waiting for the stems
    monkeypatch.setattr(produce, "_STEM_WAIT_S", 60.0)
    row = _Row({"wav": clip.files["wav"], "stem:vocals": clip.files["stem:vocals"]}, created_ago_s=0.1)
    started = time.monotonic()
    assert produce.load_parent(_services(blobs, tmp_path), row).stems == {}
    assert time.monotonic() - started < 30


class _Row:
    """The fields of a Clip row that load_parent reads."""

    def __init__(self, files: dict[str, str], created_ago_s: float) -> None:
        self.id, self.files = "c-3", files
        self.created_at = utcnow() - timedelta(seconds=created_ago_s)
        self.meta = {"bpm": 120, "key": "C major", "duration": 1.0, "has_vocals": True}
        self.engine, self.sound, self.lyrics, self.seed = "composer", "", "", 1


def _services(blobs: LocalBlobStore, tmp_path: Path) -> Services:
    return Services(Settings(data_dir=tmp_path), None, blobs, lambda _t, _q: None)  # type: ignore[arg-type]


def test_an_old_clips_missing_stem_is_left_out_and_a_young_ones_is_waited_for(tmp_path, monkeypatch):
    blobs = LocalBlobStore(tmp_path / "media")
    wav = encode.write_wav(tmp_path / "mix.wav", _tone(1.0, 220.0), SR)
    blobs.put_file("clips/c-3/mix.wav", wav, "audio/wav")
    files = {"wav": "clips/c-3/mix.wav", "stem:vocals": "clips/c-3/stems/vocals.flac"}
    services = _services(blobs, tmp_path)

    parent = produce.load_parent(services, _Row(files, created_ago_s=3600))  # its process stopped long ago
    assert parent.stems == {}

    monkeypatch.setattr(produce, "_STEM_WAIT_S", 5.0)
    flac = encode.write_flac(tmp_path / "vocals.flac", _tone(1.0, 440.0), SR)
    later = threading.Timer(0.3, lambda: blobs.put_file(files["stem:vocals"], flac, "audio/flac"))
    later.start()  # another worker stores it a moment after its task answered
    started = time.monotonic()
    parent = produce.load_parent(services, _Row(files, created_ago_s=0.1))
    assert time.monotonic() - started >= 0.25
    assert set(parent.stems) == {"vocals"} and len(parent.stems["vocals"]) == SR


def test_the_stems_encode_at_a_lower_priority_than_the_task(tmp_path, monkeypatch):
    """The stems are stored after SUCCESS: their encoder threads are niced as the MP3's ffmpeg is, so a
    two-clip task's second clip (and the next render) is not slowed by the first clip's stems."""
    import os

    seen: list[int] = []
    real = encode.write_flac

    def watched(path, audio, sr):  # type: ignore[no-untyped-def]
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return real(path, audio, sr)

    monkeypatch.setattr(encode, "write_flac", watched)
    store_clip(LocalBlobStore(tmp_path / "media"), _draft("c-4"))
    wait_for_pending(10)
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert len(seen) == 2 and all(nice >= min(19, own + 1) for nice in seen), (seen, own)
    assert own == os.getpriority(os.PRIO_PROCESS, 0), "the calling thread keeps its priority"
