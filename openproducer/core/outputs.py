"""Finishing a render into a stored clip: files encoded, written to blob storage, a Clip row built."""

from __future__ import annotations

import json
import logging
import secrets
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from openproducer.audio import encode
from openproducer.audio import mp3 as mp3_encoder
from openproducer.core.clips import blob_key
from openproducer.core.services import Services
from openproducer.media.base import BlobStore
from openproducer.store.clock import utcnow
from openproducer.store.tables import Clip

__all__ = ["ClipDraft", "ensure_video", "load_audio", "store_clip"]

log = logging.getLogger(__name__)

_CONTENT_TYPES = {
    "mix.mp3": "audio/mpeg",
    "mix.wav": "audio/wav",
    "cover.png": "image/png",
    "video.mp4": "video/mp4",
}
_ROLES = {"mix.mp3": "mp3", "mix.wav": "wav", "cover.png": "image", "video.mp4": "video"}


@dataclass
class ClipDraft:
    """Everything a clip is made of before it is stored."""

    clip_id: str
    api_key_id: int
    task_id: str
    source: str  # generated | upload
    engine: str
    sample_rate: int
    mix: np.ndarray
    stems: dict[str, np.ndarray]
    score: dict[str, Any] | None
    meta: dict[str, Any]
    cover_png: bytes
    title: str = ""
    sound: str = ""
    lyrics: str = ""
    mv: str = ""
    seed: int = 0
    parent_clip_id: str | None = None
    extra_files: dict[str, str] = field(default_factory=dict)


def store_clip(blobs: BlobStore, draft: ClipDraft, media_token: str | None = None) -> Clip:
    """Encode and upload every file of ``draft`` a finished task needs; return the Clip row to commit.

    The MP3 encodes in an ffmpeg started ahead (its own core) while this thread writes and
    uploads the WAV, the cover, the stems and the score. The MP4 is not made here: its key is
    recorded and :func:`ensure_video` makes it on its first request. Keys derive from the clip
    id fixed at submit, so a rerun overwrites its own files.
    """
    files: dict[str, str] = dict(draft.extra_files)
    with tempfile.TemporaryDirectory(prefix="op-clip-") as tmp:
        out = Path(tmp)
        pcm = encode.pcm16(draft.mix)
        mp3 = mp3_encoder.spare.take(pcm, draft.sample_rate)
        try:
            _put(blobs, files, draft.clip_id, encode.write_pcm_wav(out / "mix.wav", pcm, draft.sample_rate))
            del pcm
            blobs.put_bytes(blob_key(draft.clip_id, "cover.png"), draft.cover_png, _CONTENT_TYPES["cover.png"])
            files["image"] = blob_key(draft.clip_id, "cover.png")
            for stem, audio in draft.stems.items():
                path = encode.write_flac(out / f"stem-{stem}.flac", audio, draft.sample_rate)
                key = blob_key(draft.clip_id, f"stems/{stem}.flac")
                blobs.put_file(key, path, "audio/flac")
                files[f"stem:{stem}"] = key
            if draft.score is not None:
                key = blob_key(draft.clip_id, "score.json")
                blobs.put_bytes(key, json.dumps(draft.score).encode(), "application/json")
                files["score"] = key
            _put(blobs, files, draft.clip_id, mp3.wait())
        finally:
            mp3.close()
    mp3_encoder.spare.prepare(draft.sample_rate)  # the next task's encoder starts while this one commits
    files["video"] = blob_key(draft.clip_id, "video.mp4")  # made on first request: ensure_video
    return Clip(
        id=draft.clip_id, api_key_id=draft.api_key_id, task_id=draft.task_id,
        parent_clip_id=draft.parent_clip_id, source=draft.source, engine=draft.engine,
        media_token=media_token or secrets.token_urlsafe(24), title=draft.title, sound=draft.sound,
        lyrics=draft.lyrics, mv=draft.mv, seed=draft.seed, duration=len(draft.mix) / draft.sample_rate,
        sample_rate=draft.sample_rate, meta=draft.meta, files=files, created_at=utcnow(),
    )


def _put(blobs: BlobStore, files: dict[str, str], clip_id: str, path: Path) -> None:
    key = blob_key(clip_id, path.name)
    blobs.put_file(key, path, _CONTENT_TYPES[path.name])
    files[_ROLES[path.name]] = key


_video_locks: dict[str, threading.Lock] = {}
_video_locks_guard = threading.Lock()


def ensure_video(services: Services, media_token: str) -> None:
    """Make a clip's MP4 (its cover over its audio) if it is not stored yet, and store it.

    Few clients fetch ``video_url``, so the video is made on its first request rather than
    before the task answers SUCCESS; later requests find it stored. Concurrent first requests
    in one process make it once. Unknown tokens and clips without a video do nothing here
    (the media route answers those 404).
    """
    with services.db.session(write=False) as session:
        row = session.execute(
            select(Clip.files, Clip.duration).where(Clip.media_token == media_token)
        ).first()
    if row is None or "video" not in (row.files or {}) or "wav" not in row.files or "image" not in row.files:
        return
    blobs, key = services.blobs, row.files["video"]
    if blobs.exists(key):
        return
    with _video_locks_guard:
        lock = _video_locks.setdefault(key, threading.Lock())
    try:
        with lock:
            if blobs.exists(key):
                return
            with tempfile.TemporaryDirectory(prefix="op-video-") as tmp:
                out = Path(tmp)
                cover = _local_copy(blobs, row.files["image"], out / "cover.png")
                audio = _local_copy(blobs, row.files["wav"], out / "mix.wav")
                video = encode.make_video(cover, audio, out / "video.mp4", duration=row.duration)
                blobs.put_file(key, video, _CONTENT_TYPES["video.mp4"])
            log.info("video made for clip %s (%.1f s of audio)", key.split("/")[1], row.duration)
    finally:
        with _video_locks_guard:
            if not lock.locked():
                _video_locks.pop(key, None)


def _local_copy(blobs: BlobStore, key: str, fallback: Path) -> Path:
    """The blob as a file ffmpeg can read: the store's own file when local, else a download."""
    local = blobs.local_path(key)
    if local is not None:
        return local
    fallback.write_bytes(blobs.get_bytes(key))
    return fallback


def load_audio(blobs: BlobStore, key: str) -> tuple[np.ndarray, int]:
    """Read a stored WAV/FLAC back as float32 (samples, 2)."""
    local = blobs.local_path(key)
    if local is not None:
        return encode.read_audio(local)
    suffix = Path(key).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        tmp.write(blobs.get_bytes(key))
        tmp.flush()
        return encode.read_audio(Path(tmp.name))
