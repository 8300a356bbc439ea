"""The lead melody: motifs built from rhythms and scale-degree contours.

Lines of a section follow an A B A C motif plan; a section kind (chorus, verse)
remembers its motifs, so every chorus returns with the same tune. Sung lines get
one note per syllable; stressed syllables go to beats and to chord tones. A
melody note is ``[start_beat, dur_beats, pitch, velocity, syllable, word_index,
phrase_index]`` (``word_index`` is -1 and ``syllable`` "" for instrumental leads).

The harmony line sings every note of a chorus phrase a third (or, where the chord
wants it, a sixth) above the lead, on the same syllables: a second voice in the
vocals stem.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .form import line_bar_count
from .harmony import SCALES, chord_pcs
from .lyrics import Rhythm, phrase_rhythm, stresses, syllables

_STEPS = np.array([-4, -3, -2, -1, 0, 1, 2, 3, 4])
_STEP_P = np.array([0.02, 0.05, 0.14, 0.26, 0.12, 0.24, 0.11, 0.04, 0.02])
_MOTIF_PLAN = (0, 1, 0, 2)
_KIND_LIFT = {"chorus": 2, "theme": 2, "pre-chorus": 1, "bridge": 3, "instrumental": 2}
# the highest sung note in the unshifted (female) register, A4: sung words are understood less the
# higher they go (the voice's harmonics thin out its formants; C5 here gave the bench's female songs
# 0.02-0.08 less mix recall). Male voices (an octave down) keep their range: a C4 ceiling there cost
# words (bench/intelligibility.py)
SUNG_CEILING = 69


@dataclass
class Motif:
    contour: list[int]  # scale degrees relative to the phrase's first note
    rhythms: dict[str, Rhythm] = field(default_factory=dict)  # "n" or "n:stresses" -> (onset, dur)


def tonic_midi(tonic: int) -> int:
    return 60 + tonic if tonic <= 6 else 48 + tonic


def degree_to_midi(degree: int, tonic: int, mode: str) -> int:
    scale = SCALES[mode]
    return tonic_midi(tonic) + 12 * (degree // 7) + scale[degree % 7]


def make_contour(n: int, rng: np.random.Generator, weirdness: float) -> list[int]:
    p = _STEP_P.copy()
    p[[0, 1, 7, 8]] *= 1.0 + 3.0 * weirdness
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
    rhythm: Rhythm, contour: list[int], start_beat: float, base_degree: int, chords: list[dict], tonic: int,
    mode: str, energy: float, bpb: int = 4, register: int = 0, stress: list[int] | None = None,
) -> list[list]:
    """Rhythm + contour -> notes; strong beats, stresses and the last note land on chord tones.

    The range is the octave and a half above the tonic's fifth below, moved by ``register``
    and never below G3 (G2 for the male register) so that every note is singable. Sung
    phrases (``stress`` given) in a register not shifted down stay at or under ``SUNG_CEILING``
    (moved by ``register``), in an octave at least.
    """
    lo = max(tonic_midi(tonic) - 5, 55) + register
    hi = tonic_midi(tonic) + 16 + register
    if stress is not None and register >= 0:
        hi = min(hi, SUNG_CEILING + register)
        lo = min(lo, hi - 12)
    notes: list[list] = []
    for i, ((onset, dur), deg) in enumerate(zip(rhythm, contour, strict=True)):
        beat = start_beat + onset
        pitch = degree_to_midi(base_degree + deg, tonic, mode) + register
        while pitch > hi:
            pitch -= 12
        while pitch < lo:
            pitch += 12
        chord = chords[min(len(chords) - 1, int(beat // bpb))]
        on_beat = abs(beat - round(beat)) < 0.13
        strong = (abs(beat % bpb) < 1e-6 or (bpb == 4 and abs(beat % 2) < 1e-6) or i == len(rhythm) - 1
                  or (stress is not None and stress[i] and on_beat))
        if strong:
            pitch = snap_to_chord(pitch, chord, lo, hi)
        accent = 8 if abs(beat % bpb) < 1e-6 else (3 if abs(beat % 1) < 1e-6 else 0)
        accent += 4 if stress is not None and stress[i] else 0
        vel = int(np.clip(70 + 30 * energy + accent, 40, 124))  # no jitter: repeated phrases stay identical
        notes.append([beat, dur, pitch, vel, "", -1, 0])
    return notes


def syllable_plan(words: list[str], first_word: int) -> tuple[list[str], list[int], list[bool], list[int]]:
    syls, owners, ends, stress = [], [], [], []
    for k, word in enumerate(words):
        parts = syllables(word)
        marks = stresses(word)
        for j, part in enumerate(parts):
            syls.append(part)
            owners.append(first_word + k)
            ends.append(j == len(parts) - 1)
            stress.append(marks[j] if j < len(marks) else 0)
    return syls, owners, ends, stress


class MelodyWriter:
    """Writes phrases section by section, remembering motifs per section kind."""

    def __init__(self, tonic: int, mode: str, rng: np.random.Generator, weirdness: float, *, bpb: int = 4,
                 register: int = 0, lyrics_strength: float = 0.5) -> None:
        self.tonic, self.mode, self.rng, self.weirdness = tonic, mode, rng, float(weirdness)
        self.bpb, self.register, self.lyrics_strength = int(bpb), int(register), float(lyrics_strength)
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
            motif = Motif(list(m["contour"]), {str(n): [tuple(x) for x in r] for n, r in m["rhythms"].items()})
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
            syls, owners, ends, stress = syllable_plan(words, len(self.words))
            self.words.extend(words)
        else:
            n = int(self.rng.integers(5, 9)) if beats <= 8 else int(self.rng.integers(9, 15))
            syls, owners, ends, stress = [""] * n, [-1] * n, [False] * n, [0] * n
        n = len(syls)
        motif = self.motif(kind, slot, n)
        # a line given twice the bars it needs (``form.vocal_pace``: a fast song) is sung in half time
        half = bool(words) and beats >= 2 * line_bar_count(words, self.bpb) * self.bpb
        rkey = f"{n}:{''.join(map(str, stress))}{'/2' if half else ''}" if words else str(n)
        if rkey not in motif.rhythms:
            scale = 2.0 if half else 1.0
            rhythm = phrase_rhythm(n, beats / scale, self.rng, stress, ends, self.weirdness,
                                   self.lyrics_strength, bool(words))
            motif.rhythms[rkey] = [(onset * scale, dur * scale) for onset, dur in rhythm]
        contour = resample_contour(motif.contour, n)
        base = _KIND_LIFT.get(kind, 0) + (1 if slot == 2 else 0)
        bar0 = int(start_beat // self.bpb)
        local = chords[bar0: bar0 + int(np.ceil(beats / self.bpb))] or chords[-1:]
        notes = realise_phrase(motif.rhythms[rkey], contour, start_beat - bar0 * self.bpb, base, local,
                               self.tonic, self.mode, energy, self.bpb, self.register,
                               stress if words else None)
        index = len(self.phrases)
        for note, syl, owner in zip(notes, syls, owners, strict=True):
            note[0] += bar0 * self.bpb
            note[4], note[5], note[6] = syl, owner, index
        self.notes.extend(notes)
        self.phrases.append({"start_beat": start_beat, "beats": beats, "section": section, "sung": bool(words),
                             "kind": kind})


_PREFERRED = (3, 4, 8, 9, 5)  # intervals above the lead, best first: thirds, sixths, a fourth


def harmony_pitch(lead: int, chord: dict, scale: list[int]) -> int:
    pcs = chord_pcs(chord)
    for iv in _PREFERRED:
        if (lead + iv) % 12 in pcs and (lead + iv) % 12 in scale:
            return lead + iv
    for iv in (3, 4):  # a diatonic third, even if it is not a chord tone
        if (lead + iv) % 12 in scale:
            return lead + iv
    return lead + 12


def harmony_line(notes: list[list], phrases: list[dict], chords: list[dict], tonic: int, mode: str,
                 bpb: int) -> list[list]:
    """Harmony notes for the sung chorus phrases (same timing and syllables as the lead)."""
    chorus = {i for i, p in enumerate(phrases) if p.get("kind") == "chorus" and p.get("sung")}
    scale = [(tonic + s) % 12 for s in SCALES[mode]]
    out = []
    for n in notes:
        if n[6] in chorus and n[5] >= 0:
            chord = chords[min(len(chords) - 1, int(n[0] // bpb))]
            out.append([n[0], n[1], harmony_pitch(int(n[2]), chord, scale), max(30, int(n[3]) - 14), *n[4:]])
    return out


def refit_syllables(notes: list[list], words: list[str], first_word: int) -> list[list]:
    """Fit new words to a phrase's notes: split the longest notes or merge the shortest as needed."""
    syls, owners, _, _ = syllable_plan(words, first_word)
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
