"""Rules a request must meet beyond its types, shared by the families: each failure names the field
and the rule (InvalidParameter). Types and ranges are checked when a body is parsed; each family's
``plan`` applies these rules and returns normalised task parameters, so the worker never
re-interprets input.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from urllib.parse import urlsplit

from openproducer.core.errors import InvalidParameter

__all__ = [
    "check_http_url",
    "check_inside",
    "check_lyrics",
    "check_sound",
    "check_window",
    "is_placeholder",
    "lyric_words",
    "normalise_bpm",
    "normalise_seed",
]

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


def is_placeholder(words: list[str]) -> bool:
    """Filler (test, la la la, digits) rather than words that mean something."""
    lowered = [w.lower() for w in words]
    if all(w in _PLACEHOLDER_WORDS or w.isdigit() or len(set(w)) == 1 for w in lowered):
        return True
    return len(lowered) >= 6 and len(set(lowered)) / len(lowered) < 0.2


def check_sound(sound: str) -> None:
    words = _WORD.findall(sound)
    if is_placeholder(words):
        raise InvalidParameter("sound", f"looks like placeholder text; {_SOUND_ADVICE}")
    if len(words) < _MIN_SOUND_WORDS:
        raise InvalidParameter("sound", f"must have at least {_MIN_SOUND_WORDS} words; {_SOUND_ADVICE}")


def check_lyrics(lyrics: str, field: str = "lyrics") -> None:
    words = lyric_words(lyrics)
    if words and is_placeholder(words):
        raise InvalidParameter(field, f"looks like placeholder text; {_LYRICS_ADVICE}")
    if len(words) < _MIN_LYRIC_WORDS:
        raise InvalidParameter(
            field, f"must have at least {_MIN_LYRIC_WORDS} words (found {len(words)}); {_LYRICS_ADVICE}"
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


def normalise_bpm(bpm: int | float | str | None) -> float | None:
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


def check_inside(field: str, seconds: float, duration: float) -> None:
    if seconds > duration:
        raise InvalidParameter(field, f"must be inside the parent clip (0 to {duration:.2f} s)")


def check_window(start: float, end: float, duration: float, fields: tuple[str, str] = ("starts_at", "ends_at"),
                 min_s: float = 1.0) -> float:
    """A section ``[start, end)`` of a parent of ``duration`` seconds; returns ``end`` clamped to it."""
    if start >= duration:
        raise InvalidParameter(fields[0], f"must be inside the parent clip (0 to {duration:.2f} s)")
    if end > duration + 1e-6:
        raise InvalidParameter(fields[1], f"must be inside the parent clip (at most {duration:.2f} s)")
    if end - start < min_s:
        raise InvalidParameter(fields[1], f"must be at least {min_s:g} second after {fields[0]}")
    return min(end, duration)
