"""What an edit starts from: the parent's score (or a skeleton for uploads) and its style."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from openproducer.engines.base import EngineRequest, ParentClip

from .compose import create_score
from .lyrics import line_words, parse_lyrics
from .prompt import Style, parse_key, read_prompt


def parent_style(score: dict[str, Any]) -> Style:
    return Style.from_dict(score["style"])


def restyle(base: Style, sound: str, sound_strength: float, rng: np.random.Generator) -> Style:
    """A style from a new prompt that keeps the base's tempo, key and meter."""
    if not sound.strip():
        return Style.from_dict(base.to_dict())
    new = read_prompt(sound, sound_strength=sound_strength, bpm=base.bpm, rng=rng, fallback_genre=base.genre)
    new.tonic, new.mode, new.meter, new.beats_per_bar = base.tonic, base.mode, base.meter, base.beats_per_bar
    return new


def skeleton_score(parent: ParentClip, request: EngineRequest, rng: np.random.Generator) -> dict[str, Any]:
    """For uploads (no score): an accompaniment plan at the upload's tempo, key and length.

    The upload's real chords and downbeat are unknown; bar 1 is assumed to start at 0 s.
    """
    meta = parent.meta
    bpm = float(meta.bpm) if meta.bpm and meta.bpm > 0 else 120.0
    style = read_prompt(parent.sound or request.sound, bpm=bpm, rng=rng)
    key = parse_key(meta.key or "")
    if key is not None:
        style.tonic = key[0]
        style.mode = key[1] or style.mode
    score = create_score(style, None, float(meta.duration), profile=request.profile, rng=rng,
                         weirdness=0.3, lead_stem=None, seed=parent.seed)
    score["skeleton"] = True
    return score


def parent_score(request: EngineRequest, rng: np.random.Generator) -> dict[str, Any]:
    parent = request.parent
    if parent is None:
        raise ValueError("this operation needs a parent clip")
    if parent.score is not None and parent.score.get("engine") == "composer":
        return copy.deepcopy(parent.score)
    return skeleton_score(parent, request, rng)


def lyric_lines(text: str) -> list[list[str]]:
    """All sung lines of a lyrics text, in order, markers dropped."""
    if not text.strip():
        return []
    return [line for sec in parse_lyrics(text) for line in sec.lines if line] or [
        w for w in (line_words(x) for x in text.splitlines()) if w
    ]


def renumber_phrases(melody: dict[str, Any]) -> None:
    """Rebuild phrase indices after notes were spliced: phrases sorted by start."""
    phrases = sorted(melody.get("phrases", []), key=lambda p: p["start_beat"])
    unique: list[dict] = []
    for p in phrases:
        if not unique or abs(unique[-1]["start_beat"] - p["start_beat"]) > 1e-6:
            unique.append(p)
    starts = np.array([p["start_beat"] for p in unique]) if unique else np.zeros(0)
    used: set[int] = set()
    for n in melody["notes"]:
        idx = int(np.searchsorted(starts, n[0] + 1e-6) - 1) if len(starts) else 0
        n[6] = max(0, idx)
        used.add(n[6])
    melody["phrases"] = unique


def used_channels(score: dict[str, Any]) -> set[int]:
    chans = {t["channel"] for t in score["tracks"]}
    if score.get("melody"):
        chans |= {score["melody"]["channel"], 6}  # 6: the melody's harmony
    return chans


def free_channel(used: set[int]) -> int:
    for ch in (5, 6, 7, 8, 10, 11, 12, 13, 14, 15):
        if ch not in used:
            return ch
    raise ValueError("no free MIDI channel")
