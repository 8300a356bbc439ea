"""Clips as clients see them, and where each clip's files live in blob storage."""

from __future__ import annotations

from typing import Any

from openproducer.core.config import Settings
from openproducer.store.clock import as_utc
from openproducer.store.tables import Clip

__all__ = ["MEDIA_FILES", "blob_key", "clip_public", "media_url"]

# Public file name in a media URL -> role in Clip.files.
MEDIA_FILES = {"audio.mp3": "mp3", "audio.wav": "wav", "cover.png": "image", "video.mp4": "video"}
_URL_FIELDS = {"audio_url": "audio.mp3", "wav_url": "audio.wav", "image_url": "cover.png", "video_url": "video.mp4"}


def blob_key(clip_id: str, name: str) -> str:
    return f"clips/{clip_id}/{name}"


def media_url(settings: Settings, clip: Clip, name: str) -> str:
    return settings.public_url(f"/media/{clip.media_token}/{name}")


def clip_public(clip: Clip, settings: Settings) -> dict[str, Any]:
    """The clip object of a poll's ``data`` list (every field the vendor's clients read)."""
    meta = clip.meta or {}
    markers = [
        {"word": w["word"], "start_s": round(w["start"], 3), "end_s": round(w["end"], 3)}
        for w in meta.get("lyrics_timing", [])
    ]
    body: dict[str, Any] = {
        "clip_id": clip.id,
        "title": clip.title,
        "sound": clip.sound,
        "lyrics": clip.lyrics,
        "lyrics_id": f"lyrics-{clip.id}" if clip.lyrics else None,
        "lyrics_timing_markers": markers or None,
        "created_at": as_utc(clip.created_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "mv": clip.mv,
        "seed": clip.seed,
        "duration": round(clip.duration, 3),
        "state": "succeeded",
    }
    for field, name in _URL_FIELDS.items():
        body[field] = media_url(settings, clip, name) if MEDIA_FILES[name] in clip.files else None
    body["metadata"] = {
        "bpm": meta.get("bpm"),
        "key": meta.get("key"),
        "time_signature": meta.get("time_signature"),
        "sections": meta.get("sections", []),
        "has_vocals": meta.get("has_vocals", False),
        "vocal_kind": meta.get("vocal_kind"),
        "notes": meta.get("notes", []),
        "parent_clip_id": clip.parent_clip_id,
        "source": clip.source,
    }
    return body
