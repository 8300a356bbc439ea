"""Finishing a render into a stored clip: files encoded, written to blob storage, a Clip row built."""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
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

__all__ = ["ClipDraft", "ensure_media", "load_audio", "store_clip", "wait_for_pending", "wait_until_stored"]

log = logging.getLogger(__name__)

_CONTENT_TYPES = {
    "mix.mp3": "audio/mpeg",
    "mix.wav": "audio/wav",
    "cover.png": "image/png",
    "video.mp4": "video/mp4",
}
_ROLES = {"mix.mp3": "mp3", "mix.wav": "wav", "cover.png": "image", "video.mp4": "video"}


def _in_background() -> None:
    """A stem encoder thread runs niced, as the MP3's ffmpeg does: the files a task answers SUCCESS
    with (and the next song's render) come first, the stems take the cores' slack."""
    mp3_encoder.lower_priority(threading.get_native_id())


_ENCODERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="stem-flac", initializer=_in_background)


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
    """Encode and upload the files of ``draft`` a finished task answers with; return the Clip row
    to commit. The rest is stored just after the task answers SUCCESS, by :func:`_finish_later`.

    Stored here: the WAV, the cover and the score. The MP3 encodes in an ffmpeg started ahead (a
    niced process) and the stems' FLAC on two niced threads while this thread writes the WAV; both are stored
    after SUCCESS (a request or an edit that needs one sooner waits for it: :func:`ensure_media`,
    :func:`load_audio`). The MP4 is not made here: its key is recorded and :func:`ensure_media`
    makes it on its first request. Keys derive from the clip id fixed at submit, so a rerun
    overwrites its own files.
    """
    files: dict[str, str] = dict(draft.extra_files)
    pcm = encode.pcm16(draft.mix)
    mp3 = mp3_encoder.spare.take(pcm, draft.sample_rate)
    later = Path(tempfile.mkdtemp(prefix="op-stems-"))  # the stems' FLAC until stored; removed when done
    # libsndfile releases the GIL: the stems encode on their own threads while the mix is stored
    flacs = {
        blob_key(draft.clip_id, f"stems/{stem}.flac"):
            _ENCODERS.submit(encode.write_flac, later / f"stem-{stem}.flac", audio, draft.sample_rate)
        for stem, audio in draft.stems.items()
    }
    try:
        with tempfile.TemporaryDirectory(prefix="op-clip-") as tmp:
            _put(blobs, files, draft.clip_id, encode.write_pcm_wav(Path(tmp) / "mix.wav", pcm, draft.sample_rate))
        del pcm
        blobs.put_bytes(blob_key(draft.clip_id, "cover.png"), draft.cover_png, _CONTENT_TYPES["cover.png"])
        files["image"] = blob_key(draft.clip_id, "cover.png")
        if draft.score is not None:
            key = blob_key(draft.clip_id, "score.json")
            blobs.put_bytes(key, json.dumps(draft.score).encode(), "application/json")
            files["score"] = key
    except BaseException:
        mp3.close()
        for encoding in flacs.values():  # none may still be writing into the folder being removed
            if not encoding.cancel():
                encoding.exception()
        shutil.rmtree(later, ignore_errors=True)
        raise
    for stem in draft.stems:
        files[f"stem:{stem}"] = blob_key(draft.clip_id, f"stems/{stem}.flac")
    files["mp3"] = blob_key(draft.clip_id, "mix.mp3")
    _finish_later(blobs, flacs, files["mp3"], mp3, later)
    mp3_encoder.spare.prepare(draft.sample_rate)  # the next task's encoder starts while this one commits
    files["video"] = blob_key(draft.clip_id, "video.mp4")  # made on first request: ensure_media
    return Clip(
        id=draft.clip_id, api_key_id=draft.api_key_id, task_id=draft.task_id,
        parent_clip_id=draft.parent_clip_id, source=draft.source, engine=draft.engine,
        media_token=media_token or secrets.token_urlsafe(24), title=draft.title, sound=draft.sound,
        lyrics=draft.lyrics, mv=draft.mv, seed=draft.seed, duration=len(draft.mix) / draft.sample_rate,
        sample_rate=draft.sample_rate, meta=draft.meta, files=files, created_at=utcnow(),
    )


class _Pending:
    """Blobs this process is still storing after their task answered SUCCESS: key -> an event set
    once the blob is stored or its storing failed; the last failures are remembered."""

    _FAILURES_KEPT = 1000

    def __init__(self) -> None:
        self._events: dict[str, threading.Event] = {}
        self._failed: OrderedDict[str, None] = OrderedDict()
        self._guard = threading.Lock()

    def add(self, keys: list[str]) -> None:
        with self._guard:
            for key in keys:
                self._events[key] = threading.Event()
                self._failed.pop(key, None)

    def done(self, key: str, stored: bool = True) -> None:
        with self._guard:
            event = self._events.pop(key, None)
            if event is not None and not stored:
                self._failed[key] = None
                if len(self._failed) > self._FAILURES_KEPT:
                    self._failed.popitem(last=False)
        if event is not None:
            event.set()

    def wait(self, key: str, timeout_s: float | None = None) -> bool:
        """False when this process failed to store ``key`` (else True: stored, or not ours)."""
        with self._guard:
            event = self._events.get(key)
        if event is not None:
            event.wait(timeout_s)
        with self._guard:
            return key not in self._failed

    def wait_all(self, timeout_s: float) -> None:
        with self._guard:
            events = list(self._events.values())
        deadline = time.monotonic() + timeout_s
        for event in events:
            event.wait(max(0.0, deadline - time.monotonic()))


_pending = _Pending()


def _finish_later(
    blobs: BlobStore, flacs: dict[str, Future[Path]], mp3_key: str, mp3: mp3_encoder.Mp3Encoding, folder: Path
) -> None:
    """Store the stems, then the MP3, once their encodes end: after the task answers SUCCESS.

    A stem whose storing fails stays missing (an edit of the clip then splits the mix instead,
    ``ParentClip.vocal_parts``); an MP3 that fails is made from the WAV on its first request. If the
    process stops first, the same holds for both."""
    _pending.add([*flacs, mp3_key])

    def finish() -> None:
        try:
            for key, encoding in flacs.items():
                try:
                    blobs.put_file(key, encoding.result(), "audio/flac")
                    _pending.done(key)
                except Exception:
                    log.warning("stem %s was not stored", key, exc_info=True)
                    _pending.done(key, stored=False)
            try:
                blobs.put_file(mp3_key, mp3.wait(), _CONTENT_TYPES["mix.mp3"])
                _pending.done(mp3_key)
            except Exception:  # the media route makes it from the WAV on its first request
                log.warning("mp3 %s was not stored; it will be made on request", mp3_key, exc_info=True)
                _pending.done(mp3_key, stored=False)
        finally:
            mp3.close()
            shutil.rmtree(folder, ignore_errors=True)
            for key in [*flacs, mp3_key]:  # (none left unless something above raised)
                _pending.done(key, stored=False)

    threading.Thread(target=finish, name="clip-finish", daemon=True).start()


def wait_until_stored(key: str, timeout_s: float | None = None) -> bool:
    """Wait until this process has stored ``key``, if it is still storing it; False when this
    process failed to store it."""
    return _pending.wait(key, timeout_s)


def wait_for_pending(timeout_s: float = 60.0) -> None:
    """Wait for every stem and MP3 still being stored (a worker that stops, tests)."""
    _pending.wait_all(timeout_s)


def _put(blobs: BlobStore, files: dict[str, str], clip_id: str, path: Path) -> None:
    key = blob_key(clip_id, path.name)
    blobs.put_file(key, path, _CONTENT_TYPES[path.name])
    files[_ROLES[path.name]] = key


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()
_MADE_ON_REQUEST = {"audio.mp3": "mp3", "video.mp4": "video"}


def ensure_media(services: Services, media_token: str, name: str) -> None:
    """Make sure a clip's MP3 or MP4 is stored before it is served.

    The MP4 (its cover over its audio) is made on its first request: few clients fetch it. The
    MP3 is encoded beside the task and stored just after it answers SUCCESS; a request that comes
    sooner waits for that encode, and one for an MP3 whose encode was lost (the process stopped)
    makes it from the WAV. Concurrent first requests in one process make a file once. Unknown
    tokens and clips without the file do nothing here (the media route answers those 404).
    """
    role = _MADE_ON_REQUEST.get(name)
    if role is None or len(media_token) > 64:
        return
    with services.db.session(write=False) as session:
        row = session.execute(
            select(Clip.files, Clip.duration).where(Clip.media_token == media_token)
        ).first()
    if row is None or role not in (row.files or {}) or "wav" not in row.files:
        return
    blobs, key = services.blobs, row.files[role]
    _pending.wait(key)
    if blobs.exists(key):
        return
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    try:
        with lock:
            if blobs.exists(key):
                return
            with tempfile.TemporaryDirectory(prefix="op-media-") as tmp:
                out = Path(tmp)
                audio = _local_copy(blobs, row.files["wav"], out / "mix.wav")
                if role == "video":
                    if "image" not in row.files:
                        return
                    cover = _local_copy(blobs, row.files["image"], out / "cover.png")
                    made = encode.make_video(cover, audio, out / "video.mp4", duration=row.duration)
                else:
                    made = encode.encode_mp3(audio, out / "mix.mp3")
                blobs.put_file(key, made, _CONTENT_TYPES[made.name])
            log.info("%s made on request for clip %s (%.1f s of audio)", name, key.split("/")[1], row.duration)
    finally:
        with _locks_guard:
            if not lock.locked():
                _locks.pop(key, None)


def _local_copy(blobs: BlobStore, key: str, fallback: Path) -> Path:
    """The blob as a file ffmpeg can read: the store's own file when local, else a download."""
    local = blobs.local_path(key)
    if local is not None:
        return local
    fallback.write_bytes(blobs.get_bytes(key))
    return fallback


def load_audio(blobs: BlobStore, key: str) -> tuple[np.ndarray, int]:
    """Read a stored WAV/FLAC back as float32 (samples, 2), once this process has stored it."""
    _pending.wait(key)
    local = blobs.local_path(key)
    if local is not None:
        return encode.read_audio(local)
    suffix = Path(key).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        tmp.write(blobs.get_bytes(key))
        tmp.flush()
        return encode.read_audio(Path(tmp.name))
