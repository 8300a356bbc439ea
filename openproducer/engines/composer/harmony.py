"""Keys, scales, chord symbols, chords per section and voicings.

Progressions come from the genre's vocabulary (``progressions.py``). ``weirdness``
widens the harmony: with probability growing with it, a bar's chord is replaced by
a borrowed chord, a secondary dominant of the next chord, a tritone substitute, a
chromatic mediant or a coloured (sus, add9, seventh) version of itself.
"""

from __future__ import annotations

import re

import numpy as np

from .lexicon import NOTE_NAMES
from .progressions import PROGRESSIONS

SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}
QUALITIES = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "dim": (0, 3, 6), "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11),
    "min7": (0, 3, 7, 10), "sus4": (0, 5, 7), "sus2": (0, 2, 7), "pow": (0, 7), "add9": (0, 4, 7, 2),
}
_SUFFIX = {"maj": "", "min": "m", "dim": "dim", "7": "7", "maj7": "maj7", "min7": "m7", "sus4": "sus4",
           "sus2": "sus2", "pow": "5", "add9": "add9"}
_FORCED = {"M": "maj", "m": "min", "dim": "dim", "s4": "sus4", "s2": "sus2", "M7": "maj7", "m7": "min7",
           "_7": "7", "p": "pow", "a9": "add9"}
_KIND_FALLBACK = {"pre-chorus": "bridge", "bridge": "verse", "instrumental": "chorus", "intro": "verse",
                  "outro": "chorus", "theme": "chorus", "development": "verse"}
_TOKEN = re.compile(r"^(b?)([1-7])(M7|m7|_7|7|M|m|dim|s4|s2|p|a9)?$")
_BORROWED = {"major": ("b6", "b7", "4m", "b3", "2m7", "6m7"), "minor": ("4M", "b2", "5_7", "2m7", "6M7")}


def scale_pcs(tonic: int, mode: str) -> list[int]:
    return [(tonic + i) % 12 for i in SCALES[mode]]


def make_chord(root: int, quality: str) -> dict:
    return {"root": root % 12, "quality": quality, "symbol": NOTE_NAMES[root % 12] + _SUFFIX[quality]}


def chord_from_token(token: str, tonic: int, mode: str) -> dict:
    """Resolve a degree token to {"root": pc, "quality": q, "symbol": "Am7"}."""
    m = _TOKEN.match(token)
    if m is None:
        raise ValueError(f"bad chord token {token!r}")
    flat, deg, suffix = m.group(1), int(m.group(2)) - 1, m.group(3) or ""
    scale = SCALES[mode]
    root = (tonic + scale[deg] - (1 if flat else 0)) % 12
    third = (scale[(deg + 2) % 7] - scale[deg]) % 12
    fifth = (scale[(deg + 4) % 7] - scale[deg]) % 12
    quality = "min" if third == 3 else "maj"
    if fifth == 6:
        quality = "dim"
    if flat:
        quality = "maj"
    if suffix == "7":
        quality = "min7" if quality == "min" else "7"
    else:
        quality = _FORCED.get(suffix, quality)
    return make_chord(root, quality)


def chord_pcs(chord: dict) -> list[int]:
    return [(chord["root"] + i) % 12 for i in QUALITIES[chord["quality"]]]


def progression_for(vocab: str, mode: str, kind: str, rng: np.random.Generator) -> list[str]:
    table = PROGRESSIONS.get(vocab, PROGRESSIONS["pop"]).get(mode) or PROGRESSIONS["pop"][mode]
    while kind not in table and kind in _KIND_FALLBACK:
        kind = _KIND_FALLBACK[kind]
    options = table.get(kind) or table["verse"]
    return list(options[int(rng.integers(len(options)))])


def colour(chord: dict, nxt: dict, tonic: int, mode: str, rng: np.random.Generator) -> dict:
    """A stranger chord for this bar: borrowed, secondary dominant, tritone sub, mediant or coloured."""
    pick = int(rng.integers(5))
    if pick == 0:
        return chord_from_token(str(rng.choice(_BORROWED[mode])), tonic, mode)
    if pick == 1:  # V7 of the next chord
        return make_chord(nxt["root"] + 7, "7")
    if pick == 2:  # tritone substitute of that dominant
        return make_chord(nxt["root"] + 1, "7")
    if pick == 3:  # chromatic mediant
        return make_chord(chord["root"] + int(rng.choice([3, 4, 8, 9])), str(rng.choice(["maj", "min"])))
    if chord["quality"] in ("maj", "min"):
        return make_chord(chord["root"], str(rng.choice(["sus2", "sus4", "add9", "maj7" if chord["quality"]
                                                         == "maj" else "min7"])))
    return make_chord(chord["root"], "sus4")


def section_chords(
    kind: str, bars: int, vocab: str, tonic: int, mode: str, rng: np.random.Generator,
    weirdness: float = 0.5, next_kind: str | None = None, bars_per_chord: int = 1,
) -> list[dict]:
    """One chord per bar for a section; weirdness raises the share of unusual chords."""
    prog = progression_for(vocab, mode, kind, rng)
    w = float(np.clip(weirdness, 0.0, 1.0))
    if len(prog) >= 8:
        bars_per_chord = 1
    chords = [chord_from_token(prog[(bar // bars_per_chord) % len(prog)], tonic, mode) for bar in range(bars)]
    p = 0.55 * w ** 1.5
    for bar in range(bars):
        if rng.random() < p and (bar % 2 == 1 or w > 0.6):
            chords[bar] = colour(chords[bar], chords[(bar + 1) % bars], tonic, mode, rng)
    if next_kind == "chorus" and bars >= 2 and kind != "chorus":
        chords[-1] = chord_from_token("5M" if mode == "minor" else "5", tonic, mode)
    return chords


def voice_chord(pcs: list[int], center: int, prev: list[int] | None = None) -> list[int]:
    """Close voicing of ``pcs`` near ``center``; picks the inversion closest to ``prev``."""
    best: list[int] = []
    best_cost = 1e9
    for inv in range(len(pcs)):
        order = pcs[inv:] + pcs[:inv]
        base = center - 6 + ((order[0] - (center - 6)) % 12)
        notes = [base]
        for pc in order[1:]:
            notes.append(notes[-1] + ((pc - notes[-1]) % 12 or 12))
        mid = (notes[0] + notes[-1]) / 2
        cost = abs(mid - center) * 0.5
        if prev:
            cost += sum(min(abs(n - p) for p in prev) for n in notes) / len(notes)
        if cost < best_cost:
            best, best_cost = notes, cost
    return best
