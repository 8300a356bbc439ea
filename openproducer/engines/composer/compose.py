"""Prompt + lyrics -> a complete score (the ``create`` path, reused by the edits)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .arrange import CHANNELS, MIX, arrange
from .form import TAIL_SECONDS, SectionPlan, plan_form
from .harmony import chord_from_token, section_chords
from .lyrics import LyricSection
from .melody import MelodyWriter, harmony_line
from .prompt import Style
from .score import make_score

RELEASE_SECONDS = 1.2  # the final chord is released this long before the end and decays
MOTIF_ALIAS = {"chorus": "theme", "theme": "chorus", "verse": "development", "development": "verse"}


def lay_out(plan: list[SectionPlan], song_energy: float = 0.6) -> list[dict[str, Any]]:
    """Sections in bars; each section's energy is its kind's, moved by the song's (genre and moods)."""
    sections, bar = [], 0
    shift = 0.5 * (song_energy - 0.6)
    for s in plan:
        sections.append({"name": s.name, "kind": s.kind, "start_bar": bar, "end_bar": bar + s.bars,
                         "energy": round(float(np.clip(s.energy + shift, 0.1, 1.0)), 3), "lines": s.lines,
                         "line_bars": s.line_bars})
        bar += s.bars
    chorus_idx = [i for i, s in enumerate(sections) if s["kind"] in ("chorus", "theme")]
    if chorus_idx:
        sections[chorus_idx[-1]]["energy"] = min(1.0, sections[chorus_idx[-1]]["energy"] + 0.08)
    return sections


def write_chords(sections: list[dict], style: Style, rng: np.random.Generator, weirdness: float) -> list[dict]:
    chords: list[dict] = []
    per_kind: dict[str, list[dict]] = {}
    per_chord = 2 if style.family == "ambient" else 1
    for i, s in enumerate(sections):
        bars = s["end_bar"] - s["start_bar"]
        nxt = sections[i + 1]["kind"] if i + 1 < len(sections) else None
        if s["kind"] in per_kind and len(per_kind[s["kind"]]) >= bars:
            chords += [dict(c) for c in per_kind[s["kind"]][:bars]]  # repeated sections keep their chords
            continue
        new = section_chords(s["kind"], bars, style.progressions, style.tonic, style.mode, rng,
                             weirdness, nxt, per_chord)
        per_kind.setdefault(s["kind"], new)
        chords += new
    tonic = chord_from_token("1", style.tonic, style.mode)
    chords[-1] = tonic
    if len(chords) >= 3:
        chords[-2] = chord_from_token("5M" if style.mode == "minor" else "5", style.tonic, style.mode)
    return chords


def write_melody(writer: MelodyWriter, sections: list[dict], chords: list[dict], lyric: bool) -> None:
    bb = writer.bpb
    for s in sections:
        if lyric and s["lines"]:
            beat = float(s["start_bar"] * bb)
            for li, (words, bars) in enumerate(zip(s["lines"], s["line_bars"], strict=True)):
                writer.phrase(s["kind"], li, beat, float(bars * bb), chords, s["energy"], words, s["name"])
                beat += bars * bb
        elif not lyric and s["kind"] in ("theme", "development"):
            for li, bar in enumerate(range(s["start_bar"], s["end_bar"] - 1, 2)):
                writer.phrase(s["kind"], li, float(bar * bb), 2.0 * bb, chords, s["energy"], None, s["name"])


def melody_track(writer: MelodyWriter, program: int, stem: str) -> dict[str, Any]:
    vol, pan, rev = MIX["lead"]
    return {"name": "lead", "role": "lead", "program": int(program), "bank": 0, "channel": CHANNELS["lead"],
            "stem": stem, "volume": vol, "pan": pan, "reverb": rev, "notes": writer.notes,
            "words": writer.words, "phrases": writer.phrases, "motifs": writer.export_motifs(),
            "register": writer.register, "lyrics_strength": writer.lyrics_strength, "harmony": []}


def add_harmony(melody: dict[str, Any], chords: list[dict], style: Style) -> None:
    """The second voice on chorus lines (sung lead only)."""
    if melody.get("stem") == "vocals":
        melody["harmony"] = harmony_line(melody["notes"], melody["phrases"], chords, style.tonic, style.mode,
                                         style.beats_per_bar)


def hold_beats_for(duration: float, bars: int, bpm: float, bpb: int = 4) -> float:
    final_bar_start = (bars - 1) * bpb * 60.0 / bpm
    return max(2.0, (duration - RELEASE_SECONDS - final_bar_start) * bpm / 60.0)


def compose(
    style: Style, plan: list[SectionPlan], duration: float, *, profile: str, rng: np.random.Generator,
    weirdness: float, lead_stem: str | None, seed: int, lyric: bool, motifs: dict | None = None,
    register: int = 0, lyrics_strength: float = 0.5,
) -> dict[str, Any]:
    """A whole song from a form. ``lead_stem`` is "vocals", "instrumental" or None (no lead line)."""
    bb = style.beats_per_bar
    sections = lay_out(plan, style.energy)
    chords = write_chords(sections, style, rng, weirdness)
    writer = MelodyWriter(style.tonic, style.mode, rng, weirdness, bpb=bb, register=register,
                          lyrics_strength=lyrics_strength)
    if motifs:
        writer.load_motifs(motifs, MOTIF_ALIAS)
    write_melody(writer, sections, chords, lyric)
    bars = len(chords)
    duration = max(duration, bars * bb * 60.0 / style.bpm + TAIL_SECONDS * 0.5)
    hold = hold_beats_for(duration, bars, style.bpm, bb)
    melody = melody_track(writer, style.lead, lead_stem) if lead_stem else None
    if melody is not None and lyric:
        add_harmony(melody, chords, style)
    tracks = arrange(style, sections, chords, profile, rng, hold, melody=melody, weirdness=weirdness)
    return make_score(bpm=style.bpm, tonic=style.tonic, mode=style.mode, sections=sections, chords=chords,
                      tracks=tracks, melody=melody, duration=duration, seed=seed, style=style.to_dict(),
                      profile=profile, hold_beats=hold, meter=style.meter, beats_per_bar=bb)


def create_score(
    style: Style, lyric_sections: list[LyricSection] | None, length: float | None, *, profile: str,
    rng: np.random.Generator, weirdness: float, lead_stem: str | None, seed: int, register: int = 0,
    lyrics_strength: float = 0.5,
) -> dict[str, Any]:
    plan, duration = plan_form(lyric_sections, style.bpm, length, style.beats_per_bar)
    return compose(style, plan, duration, profile=profile, rng=rng, weirdness=weirdness, lead_stem=lead_stem,
                   seed=seed, lyric=bool(lyric_sections), register=register, lyrics_strength=lyrics_strength)
