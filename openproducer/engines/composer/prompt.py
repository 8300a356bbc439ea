"""Read a free-text ``sound`` prompt (and title) into a :class:`Style`.

Unknown words are ignored, never an error. Explicit numbers win over words: a
request ``bpm``, then "128 bpm" in the prompt, a named key ("in D minor") and a
time signature ("3/4"). ``sound_strength`` (0..1) sets how strongly the prompt's
own words (moods, named instruments, production and voice words) override the
defaults of the detected genre.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from .genres import GENRES, find_genre
from .lexicon import FLAT_NAMES, METERS, NOTE_NAMES
from .mixing import build_mix
from .words import BIGRAMS, GENDER_WORDS, INSTRUMENTS, MOODS, PRODUCTION, TIMBRE

_MAJOR_KEYS = (0, 2, 4, 5, 7, 9, 10)
_MINOR_KEYS = (9, 4, 2, 11, 0, 7, 5)
_METER_WORDS = {"waltz": "3/4", "triple": "3/4", "three-four": "3/4", "jig": "6/8", "compound": "6/8"}
# A second instrument named for a role plays in a free role rather than being dropped.
_SPARE_ROLES = {"comp": ("extra", "counter", "pad", "lead"), "lead": ("counter", "extra"), "pad": ("extra", "counter"),
                "extra": ("counter", "pad"), "counter": ("extra",)}
# Named drums give a genre without a kit (ambient, classical...) a soft one; "no drums" does not.
_KIT_WORDS = {"drums", "drum", "percussion"}


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
    voice: str = "neutral"  # singer gender: "female", "male" or "neutral"
    words: list[str] = field(default_factory=list)  # the prompt words that were understood
    family: str = ""
    meter: str = "4/4"
    beats_per_bar: int = 4
    comp_center: int = 62
    pad_center: int = 67
    bass_octave: int = 0
    mix: dict[str, float] = field(default_factory=dict)  # mixing.Mix as a dict
    timbre: dict[str, float] = field(default_factory=dict)  # voice word changes (voices.Voice fields)

    @property
    def key_name(self) -> str:
        return f"{NOTE_NAMES[self.tonic]} {self.mode}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Style:
        known = {f.name for f in fields(cls)}
        kept = {k: v for k, v in data.items() if k in known}
        kept["instruments"] = dict(data["instruments"])
        kept["words"] = list(data.get("words", []))
        kept["mix"] = dict(data.get("mix", {}))
        kept["timbre"] = dict(data.get("timbre", {}))
        return cls(**kept)


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


def parse_meter(text: str, words: list[str]) -> str | None:
    """"3/4", "6/8", "4/4" or a meter word; 12/8 and 2/4 fold onto 4/4, other meters are not supported."""
    m = re.search(r"\b(\d{1,2})\s*/\s*(4|8)\b", text)
    if m:
        sig = f"{int(m.group(1))}/{m.group(2)}"
        return sig if sig in METERS else ("4/4" if sig in ("2/4", "12/8", "2/2") else None)
    return next((_METER_WORDS[w] for w in words if w in _METER_WORDS), None)


def read_gender(words: list[str]) -> str | None:
    return next((GENDER_WORDS[w] for w in words if w in GENDER_WORDS), None)


def named_instruments(words: list[str]) -> list[tuple[str, int]]:
    joined = " " + " ".join(words) + " "
    named: list[tuple[str, int]] = []
    for phrase, entry in BIGRAMS.items():
        if f" {phrase} " in joined:
            named.append(entry)
            joined = joined.replace(f" {phrase} ", " ")
    return named + [INSTRUMENTS[w] for w in joined.split() if w in INSTRUMENTS]


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
    strength = float(np.clip(sound_strength, 0.0, 1.0))
    genre = GENRES[find_genre(sound) or find_genre(text) or fallback_genre]
    weight = 0.4 + 1.2 * strength  # how much the prompt's own words count: 0.4 .. 1.6

    energy_delta, tempo_factor, mode_votes = 0.0, 1.0, 0
    for w in words:
        if w in MOODS:
            de, tf, md = MOODS[w]
            energy_delta += de
            tempo_factor *= tf
            mode_votes += {"major": 1, "minor": -1}.get(md, 0)
    energy = float(np.clip(genre.energy + energy_delta * weight, 0.1, 1.0))

    instruments = dict(genre.instruments)
    lead = genre.lead
    named = named_instruments(words)
    keep = max(1, int(round(len(named) * min(1.0, 0.25 + strength * 1.5)))) if named else 0
    taken: set[str] = set()
    for role, program in named[:keep]:  # the first instrument named for a role takes it
        if role in taken:
            role = next((spare for spare in _SPARE_ROLES.get(role, ()) if spare not in taken), "")
            if not role:
                continue
        taken.add(role)
        if role == "lead":
            lead = program
        else:
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
    tempo = float(np.clip(tempo, 40.0, 220.0))

    key = parse_key(text)
    mode = genre.mode if mode_votes == 0 else ("major" if mode_votes > 0 else "minor")
    if key is not None and key[1] is not None:
        mode = key[1]
    if key is not None:
        tonic = key[0]
    else:
        choices = _MAJOR_KEYS if mode == "major" else _MINOR_KEYS
        tonic = int(choices[int(rng.integers(len(choices)))])
    meter = parse_meter(text, words) or genre.meter

    timbre: dict[str, float] = {}
    for w in words:
        for k, v in TIMBRE.get(w, {}).items():
            timbre[k] = timbre.get(k, 0.0) + v * weight
    names = {genre.name, *genre.aliases}
    kit = [w for i, w in enumerate(words) if w in _KIT_WORDS and (i == 0 or words[i - 1] not in ("no", "without"))]
    groove = "ballad" if genre.groove == "none" and kit else genre.groove
    understood = [w for w in words if w in MOODS or w in INSTRUMENTS or w in PRODUCTION or w in TIMBRE
                  or w in GENDER_WORDS or w in names or w in _METER_WORDS or w in kit]
    return Style(
        genre=genre.name, family=genre.family, bpm=tempo, tonic=tonic, mode=mode, energy=energy,
        groove=groove, progressions=genre.progressions, instruments=instruments, lead=lead,
        comp_style=genre.comp_style, bass_style=genre.bass_style, swing=genre.swing,
        voice=read_gender(words) or "neutral", words=understood, meter=meter, beats_per_bar=METERS[meter],
        comp_center=genre.comp_center, pad_center=genre.pad_center, bass_octave=genre.bass_octave,
        mix=build_mix(genre.mix, words, weight).to_dict(), timbre=timbre,
    )
