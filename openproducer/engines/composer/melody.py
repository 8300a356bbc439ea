"""The lead melody: motifs built from rhythm templates and scale-degree contours.

Lines of a section follow an A B A C motif plan; a section kind (chorus, verse)
remembers its motifs, so every chorus returns with the same tune. Sung lines
get one note per syllable. A melody note is
``[start_beat, dur_beats, pitch, velocity, syllable, word_index, phrase_index]``
(``word_index`` is -1 and ``syllable`` "" for instrumental leads).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .harmony import SCALES, chord_pcs
from .lyrics import syllables

_STEPS = np.array([-4, -3, -2, -1, 0, 1, 2, 3, 4])
_STEP_P = np.array([0.02, 0.05, 0.14, 0.26, 0.12, 0.24, 0.11, 0.04, 0.02])
_MOTIF_PLAN = (0, 1, 0, 2)
_KIND_LIFT = {"chorus": 2, "theme": 2, "pre-chorus": 1, "bridge": 3, "instrumental": 2}


@dataclass
class Motif:
    contour: list[int]  # scale degrees relative to the phrase's first note
    rhythms: dict[int, list[tuple[float, float]]] = field(default_factory=dict)  # notes -> (onset, dur)


def tonic_midi(tonic: int) -> int:
    return 60 + tonic if tonic <= 6 else 48 + tonic


def degree_to_midi(degree: int, tonic: int, mode: str) -> int:
    scale = SCALES[mode]
    return tonic_midi(tonic) + 12 * (degree // 7) + scale[degree % 7]


def make_rhythm(
    n: int, beats: float, rng: np.random.Generator, word_ends: list[bool] | None = None, sync: float = 0.3
) -> list[tuple[float, float]]:
    """``n`` (onset, duration) pairs inside a phrase of ``beats``, ending in a long note and a breath."""
    rest = 1.5 if beats <= 8 else 2.5
    grid = 0.5 if n <= (beats - rest) / 0.5 else 0.25
    slots = int((beats - rest) / grid)
    if n > slots:
        step = (beats - 0.5) / n
        return [(i * step, step * 0.95) for i in range(n)]
    start = 1 if (slots - n >= 2 and rng.random() < sync) else 0
    lengths = np.ones(n, dtype=int)
    spare = slots - n - start
    weights = np.ones(n)
    if word_ends:
        weights += 1.5 * np.array(word_ends, dtype=float)
    weights[-1] += 4.0
    while spare > 0:
        i = int(rng.choice(n, p=weights / weights.sum()))
        lengths[i] += 1
        spare -= 1
    onsets = start + np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return [(float(o * grid), float(ln * grid)) for o, ln in zip(onsets, lengths, strict=True)]


def make_contour(n: int, rng: np.random.Generator, weirdness: float) -> list[int]:
    p = _STEP_P.copy()
    p[[0, 1, 7, 8]] *= 1.0 + 2.0 * weirdness
    p /= p.sum()
    degs, d = [0], 0
    for _ in range(n - 1):
        d += int(rng.choice(_STEPS, p=p))
        if abs(d) > 5:
            d -= int(np.sign(d)) * 2
        degs.append(d)
    return degs


def resample_contour(contour: list[int], n: int) -> list[int]:
    if len(contour) == n:
        return list(contour)
    idx = np.linspace(0, len(contour) - 1, n)
    return [contour[int(round(i))] for i in idx]


def snap_to_chord(pitch: int, chord: dict, lo: int, hi: int) -> int:
    pcs = chord_pcs(chord)
    for delta in (0, -1, 1, -2, 2, -3, 3):
        p = pitch + delta
        if lo <= p <= hi and p % 12 in pcs:
            return p
    return pitch


def realise_phrase(
    rhythm: list[tuple[float, float]], contour: list[int], start_beat: float, base_degree: int,
    chords: list[dict], tonic: int, mode: str, energy: float,
) -> list[list]:
    """Rhythm + contour -> notes; strong beats and the last note land on chord tones."""
    lo = tonic_midi(tonic) - 5
    hi = tonic_midi(tonic) + 16
    notes: list[list] = []
    for i, ((onset, dur), deg) in enumerate(zip(rhythm, contour, strict=True)):
        beat = start_beat + onset
        pitch = degree_to_midi(base_degree + deg, tonic, mode)
        while pitch > hi:
            pitch -= 12
        while pitch < lo:
            pitch += 12
        chord = chords[min(len(chords) - 1, int(beat // 4))]
        strong = abs(beat % 2) < 1e-6 or i == len(rhythm) - 1
        if strong:
            pitch = snap_to_chord(pitch, chord, lo, hi)
        accent = 8 if abs(beat % 4) < 1e-6 else (3 if abs(beat % 1) < 1e-6 else 0)
        vel = int(np.clip(70 + 30 * energy + accent, 40, 124))  # no jitter: repeated phrases stay identical
        notes.append([beat, dur, pitch, vel, "", -1, 0])
    return notes


def syllable_plan(words: list[str], first_word: int) -> tuple[list[str], list[int], list[bool]]:
    syls, owners, ends = [], [], []
    for k, word in enumerate(words):
        parts = syllables(word)
        for j, part in enumerate(parts):
            syls.append(part)
            owners.append(first_word + k)
            ends.append(j == len(parts) - 1)
    return syls, owners, ends


class MelodyWriter:
    """Writes phrases section by section, remembering motifs per section kind."""

    def __init__(self, tonic: int, mode: str, rng: np.random.Generator, weirdness: float) -> None:
        self.tonic, self.mode, self.rng, self.weirdness = tonic, mode, rng, weirdness
        self.motifs: dict[tuple[str, int], Motif] = {}
        self.notes: list[list] = []
        self.words: list[str] = []
        self.phrases: list[dict] = []

    def export_motifs(self) -> dict[str, dict]:
        return {f"{k}|{slot}": {"contour": m.contour,
                                "rhythms": {str(n): [list(x) for x in r] for n, r in m.rhythms.items()}}
                for (k, slot), m in self.motifs.items()}

    def load_motifs(self, data: dict[str, dict], alias: dict[str, str] | None = None) -> None:
        """Reuse a parent's motifs (``alias`` maps parent kinds to new kinds, e.g. chorus -> theme)."""
        for key, m in data.items():
            kind, slot = key.rsplit("|", 1)
            motif = Motif(list(m["contour"]), {int(n): [tuple(x) for x in r] for n, r in m["rhythms"].items()})
            for k in {kind, (alias or {}).get(kind, kind)}:
                self.motifs.setdefault((k, int(slot)), motif)

    def motif(self, kind: str, slot: int, n: int) -> Motif:
        key = (kind, slot)
        if key not in self.motifs:
            self.motifs[key] = Motif(make_contour(max(n, 12), self.rng, self.weirdness))
        return self.motifs[key]

    def phrase(
        self, kind: str, line_no: int, start_beat: float, beats: float, chords: list[dict],
        energy: float, words: list[str] | None, section: str,
    ) -> None:
        """One phrase: sung when ``words`` is given, else an instrumental line."""
        slot = _MOTIF_PLAN[line_no % len(_MOTIF_PLAN)]
        if words:
            syls, owners, ends = syllable_plan(words, len(self.words))
            self.words.extend(words)
        else:
            n = int(self.rng.integers(5, 9)) if beats <= 8 else int(self.rng.integers(9, 15))
            syls, owners, ends = [""] * n, [-1] * n, [False] * n
        n = len(syls)
        motif = self.motif(kind, slot, n)
        if n not in motif.rhythms:
            motif.rhythms[n] = make_rhythm(n, beats, self.rng, ends, sync=0.2 + 0.4 * self.weirdness)
        contour = resample_contour(motif.contour, n)
        base = _KIND_LIFT.get(kind, 0) + (1 if slot == 2 else 0)
        bar0 = int(start_beat // 4)
        local = chords[bar0: bar0 + int(np.ceil(beats / 4))] or chords[-1:]
        notes = realise_phrase(motif.rhythms[n], contour, start_beat - bar0 * 4, base, local,
                               self.tonic, self.mode, energy)
        index = len(self.phrases)
        for note, syl, owner in zip(notes, syls, owners, strict=True):
            note[0] += bar0 * 4
            note[4], note[5], note[6] = syl, owner, index
        self.notes.extend(notes)
        self.phrases.append({"start_beat": start_beat, "beats": beats, "section": section, "sung": bool(words)})


def refit_syllables(notes: list[list], words: list[str], first_word: int) -> list[list]:
    """Fit new words to a phrase's notes: split the longest notes or merge the shortest as needed."""
    syls, owners, _ = syllable_plan(words, first_word)
    out = [list(n) for n in notes]
    while len(out) < len(syls):
        i = max(range(len(out)), key=lambda k: out[k][1])
        a = list(out[i])
        half = a[1] / 2
        a[1] = half
        b = list(a)
        b[0] = a[0] + half
        out[i:i + 1] = [a, b]
    while len(out) > len(syls) and len(out) > 1:
        i = min(range(len(out) - 1), key=lambda k: out[k][1] + out[k + 1][1])
        out[i][1] = out[i + 1][0] + out[i + 1][1] - out[i][0]
        del out[i + 1]
    for note, syl, owner in zip(out, syls, owners, strict=True):
        note[4], note[5] = syl, owner
    return out
