"""The JSON-serialisable score and helpers to read, slice and splice it.

Times inside a score are in beats (quarter notes) from the song's start; notes
are ``[start_beat, dur_beats, pitch, velocity]`` (melody notes carry syllable,
word index and phrase index as well, see melody.py).
"""

from __future__ import annotations

import copy
from typing import Any

from openproducer.engines.base import Section, WordTiming

from .arrange import CHANNELS, MIX
from .lexicon import NOTE_NAMES

SCORE_VERSION = 2


def seconds_per_beat(score: dict[str, Any]) -> float:
    return 60.0 / float(score["bpm"])


def bar_seconds(score: dict[str, Any]) -> float:
    return score["beats_per_bar"] * seconds_per_beat(score)


def key_name(score: dict[str, Any]) -> str:
    return f"{NOTE_NAMES[score['tonic']]} {score['mode']}"


def harmony_track(mel: dict[str, Any]) -> dict[str, Any]:
    """The sung harmony as an instrument track (used when the lead is played, not sung)."""
    vol, pan, rev = MIX["harmony"]
    return {"name": "harmony", "role": "harmony", "program": mel["program"], "bank": 0,
            "channel": CHANNELS["harmony"], "stem": mel["stem"], "volume": vol, "pan": pan, "reverb": rev,
            "notes": [n[:4] for n in mel.get("harmony", [])]}


def all_tracks(score: dict[str, Any]) -> list[dict[str, Any]]:
    """Accompaniment tracks plus the melody track and its harmony (when they have notes)."""
    tracks = list(score["tracks"])
    mel = score.get("melody")
    if mel and mel["notes"]:
        tracks.append(mel)
        if mel.get("harmony"):
            tracks.append(harmony_track(mel))
    return tracks


def stem_tracks(score: dict[str, Any], stem: str) -> list[dict[str, Any]]:
    return [t for t in all_tracks(score) if t["stem"] == stem]


def meta_sections(score: dict[str, Any]) -> list[Section]:
    bs = bar_seconds(score)
    out = []
    for i, s in enumerate(score["sections"]):
        end = score["duration"] if i == len(score["sections"]) - 1 else s["end_bar"] * bs
        out.append(Section(s["name"], round(s["start_bar"] * bs, 3), round(end, 3)))
    return out


def lyrics_timing(score: dict[str, Any]) -> list[WordTiming]:
    """Each sung word with the start of its first syllable and the end of its last."""
    mel = score.get("melody") or {}
    words: list[str] = mel.get("words", [])
    spans: dict[int, list[float]] = {}
    for n in mel.get("notes", []):
        if n[5] >= 0:
            span = spans.setdefault(n[5], [n[0], n[0] + n[1]])
            span[0] = min(span[0], n[0])
            span[1] = max(span[1], n[0] + n[1])
    spb = seconds_per_beat(score)
    return [WordTiming(words[i], round(spans[i][0] * spb, 3), round(spans[i][1] * spb, 3))
            for i in sorted(spans) if i < len(words)]


def clip_notes(notes: list[list], end_beat: float) -> list[list]:
    """Notes that start before ``end_beat``, shortened so none sounds past it."""
    out = []
    for n in notes:
        if n[0] < end_beat - 1e-9:
            m = list(n)
            m[1] = min(m[1], end_beat - m[0])
            out.append(m)
    return out


def window_notes(notes: list[list], start_beat: float, end_beat: float) -> list[list]:
    return [list(n) for n in notes if start_beat - 1e-9 <= n[0] < end_beat - 1e-9]


def splice_notes(old: list[list], new: list[list], start_beat: float, end_beat: float) -> list[list]:
    """Old notes outside [start, end) plus new notes starting inside it."""
    keep = [list(n) for n in old if n[0] < start_beat - 1e-9 or n[0] >= end_beat - 1e-9]
    return sorted(keep + window_notes(new, start_beat, end_beat), key=lambda n: (n[0], n[2]))


def splice_scores(old: dict[str, Any], new: dict[str, Any], start_beat: float, end_beat: float) -> dict[str, Any]:
    """``old`` with every track's notes in [start, end) taken from ``new`` (tracks matched by name)."""
    out = copy.deepcopy(old)
    new_tracks = {t["name"]: t for t in new["tracks"]}
    for t in out["tracks"]:
        if t["name"] in new_tracks:
            t["notes"] = splice_notes(t["notes"], new_tracks[t["name"]]["notes"], start_beat, end_beat)
    if out.get("melody") and new.get("melody"):
        for key in ("notes", "harmony"):
            out["melody"][key] = splice_notes(out["melody"].get(key, []), new["melody"].get(key, []), start_beat,
                                              end_beat)
    bpb = old["beats_per_bar"]
    b0, b1 = int(start_beat // bpb), int(-(-end_beat // bpb))
    out["chords"][b0:b1] = copy.deepcopy(new["chords"][b0:b1])
    return out


def make_score(
    *, bpm: float, tonic: int, mode: str, sections: list[dict], chords: list[dict], tracks: list[dict],
    melody: dict | None, duration: float, seed: int, style: dict, profile: str, hold_beats: float,
    meter: str = "4/4", beats_per_bar: int = 4,
) -> dict[str, Any]:
    return {
        "version": SCORE_VERSION, "engine": "composer", "bpm": float(bpm), "tonic": int(tonic), "mode": mode,
        "key": f"{NOTE_NAMES[tonic]} {mode}", "time_signature": meter, "beats_per_bar": int(beats_per_bar),
        "bars": len(chords), "duration": float(duration), "hold_beats": float(hold_beats),
        "sections": sections, "chords": chords, "tracks": tracks, "melody": melody, "seed": int(seed),
        "style": style, "profile": profile,
    }
