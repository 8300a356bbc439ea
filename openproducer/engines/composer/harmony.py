"""Keys, scales, chord symbols and progressions per genre and section.

Progressions are written as scale-degree tokens: "1".."7" take their diatonic
quality from the mode; a suffix "M" or "m" forces major or minor, "7" adds a
seventh, "M7" a major seventh, "s4" a suspended fourth; a "b" prefix flattens.
"""

from __future__ import annotations

import re

import numpy as np

from .lexicon import NOTE_NAMES

SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}
QUALITIES = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "dim": (0, 3, 6), "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11),
    "min7": (0, 3, 7, 10), "sus4": (0, 5, 7), "sus2": (0, 2, 7),
}
_SUFFIX = {"maj": "", "min": "m", "dim": "dim", "7": "7", "maj7": "maj7", "min7": "m7", "sus4": "sus4", "sus2": "sus2"}

# family -> mode -> section kind -> candidate progressions
_POP = {
    "major": {"verse": [["1", "5", "6", "4"], ["1", "6", "4", "5"], ["6", "4", "1", "5"]],
              "chorus": [["4", "1", "5", "6"], ["1", "5", "6", "4"], ["4", "5", "1", "1"]],
              "bridge": [["6", "4", "1", "5"], ["2", "4", "6", "5"]], "pre-chorus": [["4", "5", "6", "5"]]},
    "minor": {"verse": [["1", "6", "3", "7"], ["1", "4", "6", "5M"], ["1", "7", "6", "7"]],
              "chorus": [["6", "7", "1", "1"], ["1", "6", "3", "7"], ["6", "3", "7", "1"]],
              "bridge": [["4", "6", "7", "5M"], ["6", "7", "3", "5M"]], "pre-chorus": [["4", "6", "7", "5M"]]},
}
PROGRESSIONS: dict[str, dict[str, dict[str, list[list[str]]]]] = {
    "pop": _POP,
    "rock": {"major": {"verse": [["1", "b7", "4", "1"], ["1", "4", "5", "4"]],
                       "chorus": [["1", "5", "6", "4"], ["4", "1", "5", "5"]], "bridge": [["6", "4", "5", "5"]]},
             "minor": {"verse": [["1", "7", "6", "7"], ["1", "1", "6", "7"]],
                       "chorus": [["6", "7", "1", "1"], ["1", "3", "7", "6"]], "bridge": [["4", "6", "5M", "5M"]]}},
    "edm": {"major": {"verse": [["6", "4", "1", "5"]], "chorus": [["4", "5", "6", "1"], ["1", "5", "6", "4"]]},
            "minor": {"verse": [["1", "6", "3", "7"]], "chorus": [["6", "7", "1", "1"], ["1", "6", "7", "5"]]}},
    "hiphop": {"major": {"verse": [["1M7", "6m7", "2m7", "5"]], "chorus": [["4M7", "3m7", "6m7", "1M7"]]},
               "minor": {"verse": [["1m7", "1m7", "6M7", "5m7"], ["1m7", "4m7", "1m7", "6M7"]],
                         "chorus": [["6M7", "7", "1m7", "1m7"]]}},
    "jazz": {"major": {"verse": [["2m7", "5_7", "1M7", "6m7"], ["1M7", "6m7", "2m7", "5_7"]],
                       "chorus": [["4M7", "3m7", "2m7", "5_7"], ["1M7", "4M7", "3m7", "6_7"]]},
             "minor": {"verse": [["1m7", "4m7", "2dim", "5_7"]], "chorus": [["6M7", "2dim", "5_7", "1m7"]]}},
    "ballad": {"major": {"verse": [["1", "5", "6", "3"], ["1", "4", "1", "5"]],
                         "chorus": [["4", "5", "3", "6"], ["4", "1", "5", "6"]], "bridge": [["2", "5", "1", "6"]]},
               "minor": _POP["minor"]},
    "ambient": {"major": {"verse": [["1M7", "4M7"], ["1", "6"]], "chorus": [["4M7", "1M7", "6m7", "5s4"]]},
                "minor": {"verse": [["1m7", "6M7"]], "chorus": [["6M7", "4m7", "1m7", "7"]]}},
    "epic": {"major": {"verse": [["1", "6", "4", "5"]], "chorus": [["6", "4", "1", "5"]]},
             "minor": {"verse": [["1", "6", "7", "1"], ["1", "4", "6", "5M"]], "chorus": [["6", "3", "7", "1"]]}},
    "folk": {"major": {"verse": [["1", "4", "1", "5"], ["1", "5", "4", "1"]], "chorus": [["4", "1", "5", "1"]]},
             "minor": {"verse": [["1", "7", "6", "7"]], "chorus": [["3", "7", "1", "1"]]}},
    "reggae": {"major": {"verse": [["1", "4", "1", "5"]], "chorus": [["4", "5", "1", "6"]]},
               "minor": {"verse": [["1", "4", "1", "4"]], "chorus": [["6", "7", "1", "1"]]}},
    "latin": {"major": {"verse": [["1M7", "2m7", "5_7", "1M7"]], "chorus": [["4M7", "5_7", "3m7", "6m7"]]},
              "minor": {"verse": [["1m7", "4m7", "5_7", "1m7"]], "chorus": [["6M7", "2dim", "5_7", "1m7"]]}},
    "metal": {"major": {"verse": [["1", "b7", "b6", "b7"]], "chorus": [["1", "b6", "b7", "1"]]},
              "minor": {"verse": [["1", "1", "6", "7"], ["1", "2M", "1", "7"]], "chorus": [["6", "7", "1", "1"]]}},
}
_KIND_FALLBACK = {"pre-chorus": "bridge", "bridge": "verse", "instrumental": "chorus", "intro": "verse",
                  "outro": "chorus", "theme": "chorus", "development": "verse"}
_TOKEN = re.compile(r"^(b?)([1-7])(M7|m7|_7|7|M|m|dim|s4)?$")


def scale_pcs(tonic: int, mode: str) -> list[int]:
    return [(tonic + i) % 12 for i in SCALES[mode]]


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
    quality = {"M": "maj", "m": "min", "dim": "dim", "s4": "sus4", "M7": "maj7", "m7": "min7",
               "_7": "7"}.get(suffix, quality)
    if suffix == "7":
        quality = "min7" if quality == "min" else "7"
    return {"root": root, "quality": quality, "symbol": NOTE_NAMES[root] + _SUFFIX[quality]}


def chord_pcs(chord: dict) -> list[int]:
    return [(chord["root"] + i) % 12 for i in QUALITIES[chord["quality"]]]


def progression_for(family: str, mode: str, kind: str, rng: np.random.Generator) -> list[str]:
    table = PROGRESSIONS.get(family, _POP).get(mode) or _POP[mode]
    while kind not in table and kind in _KIND_FALLBACK:
        kind = _KIND_FALLBACK[kind]
    options = table.get(kind) or table["verse"]
    return list(options[int(rng.integers(len(options)))])


def section_chords(
    kind: str, bars: int, family: str, tonic: int, mode: str, rng: np.random.Generator,
    weirdness: float = 0.5, next_kind: str | None = None, bars_per_chord: int = 1,
) -> list[dict]:
    """One chord per bar for a section; borrowed chords appear more with weirdness."""
    prog = progression_for(family, mode, kind, rng)
    chords = []
    for bar in range(bars):
        token = prog[(bar // bars_per_chord) % len(prog)]
        if rng.random() < 0.12 * weirdness and bar % 2 == 1:
            token = str(rng.choice(["b6", "b7", "4m", "2m", "6m"] if mode == "major" else ["4M", "b2", "5M"]))
        chords.append(chord_from_token(token, tonic, mode))
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
