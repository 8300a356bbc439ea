"""Standard MIDI Files (pretty_midi): from a composer score (exact), or from transcribed notes.

A score's tracks keep their General MIDI programs, drums go on the drum channel, the sung melody
becomes a "Lead Vocals" track (program 54, Synth Voice) with its syllables as lyric events, the
second voice a "Backing Vocals" track. Times are seconds from the start of the clip's own part.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from openproducer.audio.transcribe import Note

__all__ = ["MidiPart", "instruments_json", "parts_from_score", "write_midi"]

VOICE_PROGRAM = 54  # GM "Synth Voice" (0-based), as the vendor names its vocal track


@dataclass
class MidiPart:
    name: str
    program: int
    is_drum: bool
    notes: list[Note]
    lyrics: list[tuple[float, str]] | None = None  # (time, syllable)


def _track_name(track: dict[str, Any]) -> str:
    return str(track.get("name") or track.get("role") or "track").replace("_", " ").title()


def parts_from_score(score: dict[str, Any], offset: float = 0.0, end: float | None = None) -> list[MidiPart]:
    """Every part of a composer score, in seconds from ``offset`` (notes before it are left out)."""
    from openproducer.engines.composer.score import harmony_track, seconds_per_beat

    spb = seconds_per_beat(score)
    stop = float("inf") if end is None else end

    def notes_of(raw: list[list]) -> list[Note]:
        out = []
        for n in raw:
            start, finish = n[0] * spb, (n[0] + max(n[1], 0.02)) * spb
            if start >= offset - 1e-6 and start < stop:
                out.append(Note(round(start - offset, 4), round(min(finish, stop) - offset, 4), int(n[2]),
                                int(max(1, min(127, n[3])))))
        return out

    parts = []
    for track in score.get("tracks", []):
        if not track.get("notes"):
            continue
        drum = track.get("bank") == 128 or track.get("channel") == 9
        parts.append(MidiPart(_track_name(track), 0 if drum else int(track["program"]), drum,
                              notes_of(track["notes"])))
    mel = score.get("melody") or {}
    if mel.get("notes"):
        sung = mel.get("stem") == "vocals" and bool(mel.get("voice"))
        lyrics = [(round(n[0] * spb - offset, 4), str(n[4])) for n in mel["notes"]
                  if len(n) > 4 and n[4] and offset - 1e-6 <= n[0] * spb < stop] if sung else None
        parts.append(MidiPart("Lead Vocals" if sung else "Lead", VOICE_PROGRAM if sung else int(mel["program"]),
                              False, notes_of(mel["notes"]), lyrics))
        if mel.get("harmony"):
            harmony = harmony_track(mel)
            parts.append(MidiPart("Backing Vocals" if sung else "Harmony",
                                  VOICE_PROGRAM if sung else int(harmony["program"]), False,
                                  notes_of(harmony["notes"])))
    return [p for p in parts if p.notes]


def write_midi(parts: list[MidiPart], bpm: float) -> bytes:
    """A Standard MIDI File (type 1) of ``parts`` at ``bpm``."""
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(initial_tempo=float(bpm) if bpm and bpm > 0 else 120.0)
    for part in parts:
        inst = pretty_midi.Instrument(program=int(part.program), is_drum=part.is_drum, name=part.name)
        inst.notes = [pretty_midi.Note(velocity=n.velocity, pitch=n.pitch, start=max(0.0, n.start),
                                       end=max(n.end, n.start + 0.01)) for n in part.notes]
        pm.instruments.append(inst)
        for time, text in part.lyrics or []:
            pm.lyrics.append(pretty_midi.Lyric(text, max(0.0, time)))
    out = io.BytesIO()
    pm.write(out)
    return out.getvalue()


def instruments_json(parts: list[MidiPart]) -> list[dict[str, Any]]:
    """The answer's ``instruments``: name, program, drum flag and notes (start, end, pitch, velocity)."""
    return [{"name": p.name, "program": p.program, "is_drum": p.is_drum,
             "notes": [{"start": round(n.start, 3), "end": round(n.end, 3), "pitch": n.pitch, "velocity": n.velocity}
                       for n in p.notes]} for p in parts]
