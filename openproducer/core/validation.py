"""The rules a request must meet beyond its types: every failure names the field and the rule.

Types and ranges are checked when the body is parsed; here live the rules of the vendor's
page (no placeholder input), the task-type requirements and the parent-clip checks.
Everything returns normalised task parameters, so the worker never re-interprets input.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from openproducer.core.config import Settings
from openproducer.core.errors import InvalidParameter
from openproducer.store.tables import Clip

__all__ = [
    "EDIT_TASK_TYPES",
    "check_http_url",
    "lyric_words",
    "normalise_producer",
    "normalise_seed",
    "parent_required",
]

EDIT_TASK_TYPES = {
    "extend_music": "extend",
    "extend_upload_music": "extend",
    "cover_music": "cover",
    "replace_music": "replace",
    "replace_upload_music": "replace",
    "swap_music_vocals": "swap_vocals",
    "swap_music_sound": "swap_sound",
    "music_variation": "variation",
}

_PLACEHOLDER_WORDS = {
    "test", "tests", "testing", "music", "song", "songs", "sound", "lyrics", "lyric", "here", "sample",
    "example", "hello", "world", "foo", "bar", "baz", "asdf", "qwerty", "lorem", "ipsum", "abc", "xyz",
    "la", "na", "da", "aaa", "blah", "something", "anything", "random", "text", "placeholder", "todo",
}
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_MARKER = re.compile(r"^\s*\[[^\]]*\]\s*$|\[[^\]]*\]")
_MIN_SOUND_WORDS = 3
_MIN_LYRIC_WORDS = 20
_SOUND_ADVICE = (
    "describe the music in at least a few words: genre, mood, instruments, tempo "
    "(e.g. 'upbeat pop song with electronic synths and catchy melody')"
)
_LYRICS_ADVICE = (
    "write complete lyrics of at least 20 words, ideally with [Verse 1] and [Chorus] markers"
)


def lyric_words(lyrics: str) -> list[str]:
    """The sung words of a lyric sheet: section markers like [Chorus] are not words."""
    return _WORD.findall(_MARKER.sub(" ", lyrics))


def _is_placeholder(words: list[str]) -> bool:
    lowered = [w.lower() for w in words]
    if all(w in _PLACEHOLDER_WORDS or w.isdigit() or len(set(w)) == 1 for w in lowered):
        return True
    return len(lowered) >= 6 and len(set(lowered)) / len(lowered) < 0.2


def check_sound(sound: str) -> None:
    words = _WORD.findall(sound)
    if _is_placeholder(words):
        raise InvalidParameter("sound", f"looks like placeholder text; {_SOUND_ADVICE}")
    if len(words) < _MIN_SOUND_WORDS:
        raise InvalidParameter("sound", f"must have at least {_MIN_SOUND_WORDS} words; {_SOUND_ADVICE}")


def check_lyrics(lyrics: str) -> None:
    words = lyric_words(lyrics)
    if words and _is_placeholder(words):
        raise InvalidParameter("lyrics", f"looks like placeholder text; {_LYRICS_ADVICE}")
    if len(words) < _MIN_LYRIC_WORDS:
        raise InvalidParameter(
            "lyrics", f"must have at least {_MIN_LYRIC_WORDS} words (found {len(words)}); {_LYRICS_ADVICE}"
        )


def check_http_url(field: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidParameter(field, "must be an absolute http or https URL")


def normalise_seed(seed: int | str | None) -> int:
    """Seeds are 31-bit integers; a text seed is hashed, a missing one drawn at random."""
    if seed is None or (isinstance(seed, str) and not seed.strip()):
        return secrets.randbelow(2**31)
    if isinstance(seed, bool):
        raise InvalidParameter("seed", "must be an integer or a string")
    if isinstance(seed, int):
        if seed < 0:
            raise InvalidParameter("seed", "must not be negative")
        return seed % 2**31
    text = seed.strip()
    if text.isdigit():
        return int(text) % 2**31
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") % 2**31


def _normalise_bpm(bpm: int | float | str | None) -> float | None:
    if bpm is None or bpm == "":
        return None
    if isinstance(bpm, bool):
        raise InvalidParameter("bpm", "must be a number of beats per minute between 40 and 240")
    if isinstance(bpm, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:bpm)?\s*", bpm, re.IGNORECASE)
        if match is None:
            raise InvalidParameter("bpm", "must be a number of beats per minute between 40 and 240")
        bpm = float(match.group(1))
    if not 40 <= float(bpm) <= 240:
        raise InvalidParameter("bpm", "must be between 40 and 240")
    return float(bpm)


def parent_required(task_type: str) -> bool:
    return task_type in EDIT_TASK_TYPES


def normalise_producer(
    task_type: str, body: dict[str, Any], settings: Settings, parent: Clip | None
) -> dict[str, Any]:
    """Check a parsed /producer/create body and return the task's parameters."""
    sound = (body.get("sound") or "").strip()
    lyrics = (body.get("lyrics") or "").strip()
    instrumental = bool(body.get("make_instrumental"))
    mv = body.get("mv") or settings.default_mv
    if mv not in settings.models:
        raise InvalidParameter("mv", f"must be one of: {', '.join(settings.models)}")

    if task_type == "create_music" and not sound and not lyrics:
        raise InvalidParameter("sound", "sound or lyrics is required (sound is required when lyrics is empty)")
    if task_type == "create_music" and instrumental and not sound:
        raise InvalidParameter("sound", "is required for an instrumental (make_instrumental ignores lyrics)")
    if sound:
        check_sound(sound)
    if lyrics and not instrumental:
        check_lyrics(lyrics)
    if task_type in ("cover_music", "swap_music_sound") and not sound:
        raise InvalidParameter("sound", f"is required for {task_type}: it names the new style")
    if body.get("cover_url"):
        check_http_url("cover_url", body["cover_url"])
    if body.get("webhook_url"):
        check_http_url("webhook_url", body["webhook_url"])

    cover_strength = body.get("cover_strength")
    if cover_strength is None and body.get("strength") is not None:
        cover_strength = max(0.2, float(body["strength"]))

    params: dict[str, Any] = {
        "sound": sound,
        "lyrics": "" if instrumental else lyrics,
        "make_instrumental": instrumental,
        "mv": mv,
        "title": (body.get("title") or "").strip(),
        "cover_url": body.get("cover_url"),
        "seed": normalise_seed(body.get("seed")),
        "lyrics_strength": body["lyrics_strength"],
        "sound_strength": body["sound_strength"],
        "weirdness": body["weirdness"],
        "cover_strength": 0.5 if cover_strength is None else float(cover_strength),
        "bpm": _normalise_bpm(body.get("bpm")),
        "length": body.get("length"),
        "instruction": (body.get("instruction") or "").strip(),
        "operation": EDIT_TASK_TYPES.get(task_type, "create"),
        "clip_id": None,
        "starts_at": None,
        "ends_at": None,
    }
    if parent is not None:
        params.update(_window(task_type, body, parent))
        params["clip_id"] = parent.id
        params["title"] = params["title"] or parent.title
    return params


def _window(task_type: str, body: dict[str, Any], parent: Clip) -> dict[str, Any]:
    duration = float(parent.duration)
    starts_at, ends_at = body.get("starts_at"), body.get("ends_at")
    operation = EDIT_TASK_TYPES[task_type]
    if operation == "extend":
        start = min(30.0, duration) if starts_at is None else float(starts_at)
        if start > duration:
            raise InvalidParameter("starts_at", f"must be inside the parent clip (0 to {duration:.2f} s)")
        added = body.get("extend_s") or body.get("length") or 60.0
        return {"starts_at": start, "ends_at": None, "length": float(added)}
    if operation == "replace":
        start = 0.0 if starts_at is None else float(starts_at)
        end = duration if ends_at is None else float(ends_at)
        if start >= duration:
            raise InvalidParameter("starts_at", f"must be inside the parent clip (0 to {duration:.2f} s)")
        if end > duration + 1e-6:
            raise InvalidParameter("ends_at", f"must be inside the parent clip (at most {duration:.2f} s)")
        if end - start < 1.0:
            raise InvalidParameter("ends_at", "must be at least 1 second after starts_at")
        return {"starts_at": start, "ends_at": min(end, duration)}
    return {}
