"""Where each clip's files live in blob storage, and which of them the media route serves."""

from __future__ import annotations

__all__ = ["MEDIA_FILES", "blob_key"]

# Public file name in a media URL -> role in Clip.files.
MEDIA_FILES = {"audio.mp3": "mp3", "audio.wav": "wav", "cover.png": "image", "video.mp4": "video",
               "song.mid": "midi"}


def blob_key(clip_id: str, name: str) -> str:
    return f"clips/{clip_id}/{name}"
