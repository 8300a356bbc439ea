"""What a request asks beyond its prompt: a singer (gender, range, timbre) and things to leave out.

``avoid`` holds lower-case words (Sonic's ``negative_tags``). Instrument words remove that
instrument's whole General MIDI group from the song (a named piano takes the electric pianos
with it; "drums" stops the kit); the comping and lead parts, which a song needs, change to an
instrument that is not avoided. Trait words push the other way: an avoided mood's mode is
replaced by the opposite one, "fast"/"slow" keep the tempo on the other side of the genre's
middle, and "reverb", "distortion" and "harmony" are turned off.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from openproducer.engines.base import EngineRequest

from .prompt import Style
from .singer import Voice
from .words import BIGRAMS, INSTRUMENTS, MOODS, TIMBRE

__all__ = ["avoided_programs", "drop_avoided", "fit_voice_range", "melody_register", "requested_singer", "shape_style"]

_DRUM_WORDS = {"drums", "drum", "percussion", "beat", "beats", "kick", "snare", "hi-hat", "hihat", "cymbals"}
# Words whose instrument group is wider than one block of eight programs.
_GROUPS = {
    "synth": set(range(80, 104)) | {38, 39}, "synths": set(range(80, 104)) | {38, 39},
    "synthesizer": set(range(80, 104)) | {38, 39}, "strings": set(range(40, 52)),
    "orchestra": set(range(40, 52)), "brass": set(range(56, 64)), "horns": set(range(56, 64)),
    "bass": set(range(32, 40)) | {58}, "guitar": set(range(24, 32)), "guitars": set(range(24, 32)),
    "choir": set(range(52, 56)), "piano": set(range(0, 8)), "keys": set(range(0, 8)) | {16, 17, 18},
}
_COMP_CHOICES = (0, 25, 4, 27, 16, 24, 81, 46)  # piano, acoustic/electric guitar, e-piano, organ, nylon, synth, harp
_LEAD_CHOICES = (73, 65, 56, 40, 81, 71, 11, 22)
_DISTORTED = {29: 27, 30: 27, 84: 81}  # overdriven/distorted -> clean


def _programs_of(word: str) -> set[int]:
    if word in _GROUPS:
        return set(_GROUPS[word])
    entry = INSTRUMENTS.get(word) or BIGRAMS.get(word)
    if entry is None:
        return set()
    block = entry[1] // 8 * 8
    return set(range(block, block + 8))


def avoided_programs(avoid: tuple[str, ...] | list[str]) -> set[int]:
    programs: set[int] = set()
    for word in avoid:
        programs |= _programs_of(word)
    return programs


def avoids_drums(avoid: tuple[str, ...] | list[str]) -> bool:
    return any(w in _DRUM_WORDS for w in avoid)


def shape_style(style: Style, request: EngineRequest) -> Style:
    """The style after the request's singer and its ``avoid`` words (changed in place, returned)."""
    voice = request.voice or {}
    if voice.get("gender") in ("female", "male"):
        style.voice = voice["gender"]
    for word, amount in (voice.get("timbre") or {}).items():
        for k, v in TIMBRE.get(word, {}).items():
            style.timbre[k] = style.timbre.get(k, 0.0) + v * float(amount)
    avoid = tuple(request.avoid)
    if not avoid:
        return style
    banned = avoided_programs(avoid)
    for role, program in list(style.instruments.items()):
        if program in banned:
            style.instruments[role] = _replacement(program, banned, _COMP_CHOICES)
    if style.lead in banned:
        style.lead = _replacement(style.lead, banned, _LEAD_CHOICES)
    if avoids_drums(avoid):
        style.groove = "none"
    for word in avoid:
        mood = MOODS.get(word)
        if mood and mood[2]:
            style.mode = "major" if mood[2] == "minor" else "minor"
    if "fast" in avoid or "upbeat" in avoid or "energetic" in avoid:
        style.bpm = min(style.bpm, 96.0)
        style.energy = min(style.energy, 0.55)
    if "slow" in avoid or "calm" in avoid:
        style.bpm = max(style.bpm, 110.0)
    if "reverb" in avoid:
        style.mix["reverb"] = 0.0
    if {"distortion", "distorted", "overdrive"} & set(avoid):
        style.mix["drive"] = 0.0
        style.instruments = {r: _DISTORTED.get(p, p) for r, p in style.instruments.items()}
    return style


def _replacement(program: int, banned: set[int], choices: tuple[int, ...]) -> int:
    for candidate in choices:
        if candidate not in banned and candidate != program:
            return candidate
    return program


def drop_avoided(score: dict[str, Any], request: EngineRequest) -> None:
    """Remove from the score every part the request avoids (after composing)."""
    avoid = tuple(request.avoid)
    if not avoid:
        return
    banned = avoided_programs(avoid)
    drums = avoids_drums(avoid)
    score["tracks"] = [
        t for t in score["tracks"]
        if not (t["program"] in banned and t["role"] != "drums") and not (drums and t["role"] == "drums")
    ]
    mel = score.get("melody")
    if mel and mel.get("program") in banned:
        mel["program"] = _replacement(mel["program"], banned, _LEAD_CHOICES)
    if mel and ("harmony" in avoid or "harmonies" in avoid or "backing" in avoid):
        mel["harmony"] = []


def melody_register(default: int, tonic: int, request: EngineRequest) -> int:
    """The melody's octave shift: the default for the voice, or the octave that puts the melody's
    middle nearest the middle of a requested range (a persona's measured range)."""
    voice = request.voice or {}
    low, high = voice.get("low"), voice.get("high")
    if low is None or high is None:
        return default
    from .melody import tonic_midi

    written_mid = tonic_midi(tonic) + 5.5  # the middle of the writer's range before any shift
    wanted_mid = (float(low) + float(high)) / 2.0
    return int(12 * np.round((wanted_mid - written_mid) / 12.0))


def fit_voice_range(score: dict[str, Any], request: EngineRequest, margin: float = 2.0) -> None:
    """Sung notes outside a requested range (a persona's measured range, widened by ``margin`` and
    to an octave at least, so every pitch class has a place) move by octaves into it: the octave
    shift of :func:`melody_register` centres the melody, this keeps its edges in the voice."""
    voice = request.voice or {}
    mel = score.get("melody") or {}
    if voice.get("low") is None or voice.get("high") is None or not mel.get("notes"):
        return
    lo, hi = float(voice["low"]) - margin, float(voice["high"]) + margin
    if hi - lo < 12.0:
        mid = (lo + hi) / 2.0
        lo, hi = mid - 6.0, mid + 6.0
    for key in ("notes", "harmony"):
        for n in mel.get(key) or []:
            while n[2] < lo:
                n[2] += 12
            while n[2] > hi:
                n[2] -= 12


def requested_singer(request: EngineRequest) -> Voice | None:
    """The exact singer a persona taken from a composer song carries, if any."""
    singer = (request.voice or {}).get("singer")
    return Voice.from_dict(singer) if singer else None
