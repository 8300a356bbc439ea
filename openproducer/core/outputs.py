"""Finishing a render into a stored clip: files encoded, written to blob storage, a Clip row built."""

from __future__ import annotations

import json
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from openproducer.audio import encode
from openproducer.core.clips import blob_key
from openproducer.media.base import BlobStore
from openproducer.store.clock import utcnow
from openproducer.store.tables import Clip

__all__ = ["ClipDraft", "load_audio", "store_clip"]

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
    """Encode and upload every file of ``draft``; return the Clip row to commit.

    Keys derive from the clip id fixed at submit, so a rerun overwrites its own files.
    """
    files: dict[str, str] = dict(draft.extra_files)
    with tempfile.TemporaryDirectory(prefix="op-clip-") as tmp:
        out = Path(tmp)
        finished = encode.finish_files(draft.mix, draft.sample_rate, draft.cover_png, out)
        for path in finished.values():
            name = path.name
            key = blob_key(draft.clip_id, name)
            blobs.put_file(key, path, _CONTENT_TYPES.get(name, "application/octet-stream"))
            files[_ROLES.get(name, name)] = key
        for stem, audio in draft.stems.items():
            path = out / f"stem-{stem}.flac"
            encode.write_flac(path, audio, draft.sample_rate)
            key = blob_key(draft.clip_id, f"stems/{stem}.flac")
            blobs.put_file(key, path, "audio/flac")
            files[f"stem:{stem}"] = key
    if draft.score is not None:
        key = blob_key(draft.clip_id, "score.json")
        blobs.put_bytes(key, json.dumps(draft.score).encode(), "application/json")
        files["score"] = key
    return Clip(
        id=draft.clip_id, api_key_id=draft.api_key_id, task_id=draft.task_id,
        parent_clip_id=draft.parent_clip_id, source=draft.source, engine=draft.engine,
        media_token=media_token or secrets.token_urlsafe(24), title=draft.title, sound=draft.sound,
        lyrics=draft.lyrics, mv=draft.mv, seed=draft.seed, duration=len(draft.mix) / draft.sample_rate,
        sample_rate=draft.sample_rate, meta=draft.meta, files=files, created_at=utcnow(),
    )


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
