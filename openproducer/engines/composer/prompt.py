"""Read a free-text ``sound`` prompt (and title) into a :class:`Style`.

Unknown words are ignored, never an error. ``sound_strength`` (0.2..1) weighs
the prompt's own words (tempo words, moods, named instruments) against the
defaults of the detected genre.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .lexicon import FLAT_NAMES, GENRES, INSTRUMENTS, MOODS, NOTE_NAMES

_BIGRAMS: dict[str, tuple[str, int]] = {
    "electric guitar": ("comp", 27), "acoustic guitar": ("comp", 25), "distorted guitar": ("comp", 30),
    "electric guitars": ("comp", 29), "synth bass": ("bass", 38), "electric piano": ("comp", 4),
    "upright bass": ("bass", 32), "string section": ("pad", 48), "synth lead": ("lead", 81),
    "lead synth": ("lead", 81), "steel drums": ("extra", 114), "music box": ("extra", 10),
    "grand piano": ("comp", 0), "soft piano": ("comp", 0), "french horn": ("extra", 60),
}
_VOICE_WORDS = {
    "female": "female", "woman": "female", "girl": "female", "soprano": "female", "alto": "female",
    "male": "male", "man": "male", "boy": "male", "baritone": "male", "tenor": "male", "deep": "male",
}
_MAJOR_KEYS = (0, 2, 4, 5, 7, 9, 10)
_MINOR_KEYS = (9, 4, 2, 11, 0, 7, 5)


@dataclass
class Style:
    genre: str
    bpm: float
    tonic: int  # pitch class 0..11
    mode: str  # "major" | "minor"
    energy: float  # 0..1
    groove: str
    progressions: str
    instruments: dict[str, int]
    lead: int
    comp_style: str
    bass_style: str
    swing: float
    voice: str = "neutral"
    words: list[str] = field(default_factory=list)  # the prompt words that were understood

    @property
    def key_name(self) -> str:
        return f"{NOTE_NAMES[self.tonic]} {self.mode}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Style:
        return cls(**{**data, "instruments": dict(data["instruments"]), "words": list(data["words"])})


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9#&'\-]+", text.lower())


def parse_key(text: str) -> tuple[int, str | None] | None:
    """Find "in D minor", "key of F#", "Bb major" in text; returns (pitch class, mode or None)."""
    pat = r"\b([a-g])\s*(#|b|\u266f|\u266d|-sharp| sharp|-flat| flat)?\s*(major|minor|maj|min)\b"
    m = re.search(pat, text, re.IGNORECASE)
    if m is None:
        m = re.search(r"\b(?:[Ii]n|[Kk]ey of)\s+([A-G])(#|b)?(?![\w#])", text)
        if m is None:
            return None
    letter = m.group(1).upper()
    acc = (m.group(2) or "").strip(" -").lower()
    pc = NOTE_NAMES.index(letter)
    if acc in ("#", "\u266f", "sharp"):
        pc = (pc + 1) % 12
    elif acc in ("b", "\u266d", "flat"):
        pc = FLAT_NAMES.get(letter + "B", (pc - 1) % 12)
    mode = None
    if m.lastindex and m.lastindex >= 3 and m.group(3):
        mode = "minor" if m.group(3).lower().startswith("min") else "major"
    return pc, mode


def detect_genre(words: list[str]) -> str | None:
    for w in words:
        if w in GENRES:
            return w
        for g in GENRES.values():
            if w in g.aliases:
                return g.name
    return None


def read_gender(words: list[str]) -> str | None:
    return next((_VOICE_WORDS[w] for w in words if w in _VOICE_WORDS), None)


def read_prompt(
    sound: str,
    title: str = "",
    *,
    sound_strength: float = 0.5,
    bpm: float | None = None,
    rng: np.random.Generator,
    fallback_genre: str = "pop",
) -> Style:
    """Turn the prompt into a Style; every random choice comes from ``rng``."""
    text = f"{sound} {title}".strip()
    words = tokens(text)
    strength = float(np.clip(sound_strength, 0.2, 1.0))
    genre = GENRES[detect_genre(tokens(sound)) or detect_genre(words) or fallback_genre]
    understood = [w for w in words if w in MOODS or w in INSTRUMENTS or w == genre.name or w in genre.aliases]

    energy_delta, tempo_factor, mode_votes = 0.0, 1.0, 0
    for w in words:
        if w in MOODS:
            de, tf, md = MOODS[w]
            energy_delta += de
            tempo_factor *= tf
            mode_votes += {"major": 1, "minor": -1}.get(md, 0)
    weight = 0.5 + strength  # 0.7 .. 1.5
    energy = float(np.clip(genre.energy + energy_delta * weight, 0.1, 1.0))

    instruments = dict(genre.instruments)
    lead = genre.lead
    named: list[tuple[str, int]] = []
    joined = " ".join(words)
    for phrase, entry in _BIGRAMS.items():
        if phrase in joined:
            named.append(entry)
            joined = joined.replace(phrase, " ")
    named += [INSTRUMENTS[w] for w in joined.split() if w in INSTRUMENTS]
    keep = max(1, int(round(len(named) * min(1.0, strength * 1.5)))) if named else 0
    for role, program in named[:keep]:
        if role == "lead":
            lead = program
        else:
            instruments.setdefault(role, program)
            instruments[role] = program

    prompt_bpm = re.search(r"\b(\d{2,3})\s*-?\s*bpm\b", text.lower())
    if bpm:
        tempo = float(bpm)
    elif prompt_bpm:
        tempo = float(prompt_bpm.group(1))
    else:
        lo, hi = genre.tempo
        base = lo + (hi - lo) * float(rng.uniform(0.3, 0.7))
        tempo = float(round(base * (1.0 + (tempo_factor - 1.0) * weight)))
    tempo = float(np.clip(tempo, 50.0, 200.0))

    key = parse_key(text)
    mode = genre.mode if mode_votes == 0 else ("major" if mode_votes > 0 else "minor")
    if key is not None and key[1] is not None:
        mode = key[1]
    if key is not None:
        tonic = key[0]
    else:
        choices = _MAJOR_KEYS if mode == "major" else _MINOR_KEYS
        tonic = int(choices[int(rng.integers(len(choices)))])

    voice = read_gender(words) or "neutral"
    return Style(
        genre=genre.name, bpm=tempo, tonic=tonic, mode=mode, energy=energy, groove=genre.groove,
        progressions=genre.progressions, instruments=instruments, lead=lead,
        comp_style=genre.comp_style, bass_style=genre.bass_style, swing=genre.swing,
        voice=voice, words=understood,
    )
