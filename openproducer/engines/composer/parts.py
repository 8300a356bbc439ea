"""One bar of each accompaniment part: bass, comping and the high colour line.

Every function takes the bar's first beat ``b0`` and its length ``bb`` in beats
(4 in 4/4, 3 in 3/4 and 6/8) and returns notes ``[beat, dur, pitch, velocity]``.
"""

from __future__ import annotations

import numpy as np

from .harmony import chord_pcs

_FUNK_BASS = ((0.0, 0, 0.4), (0.75, 12, 0.2), (1.5, 0, 0.3), (2.25, 10, 0.2), (2.5, 7, 0.4), (3.25, 12, 0.2),
              (3.5, 0, 0.3))
_BOOGIE = (0, 4, 7, 9, 10, 9, 7, 4)
_FUNK_CHANKS = ("x.ox.xo.x.ox.xo.", ".xx.x.x..xx.x.x.", "x..xx.x.x..xx.x.")


def bass_root(pc: int, octave: int = 0) -> int:
    p = 36 + pc
    return (p - 12 if p > 43 else p) + 12 * octave


def swung(beat: float, swing: float) -> float:
    frac = beat % 1.0
    return beat + swing * 0.5 if abs(frac - 0.5) < 1e-6 else beat


def bass_bar(style: str, b0: float, bb: int, chord: dict, nxt: dict, energy: float, swing: float,
             rng: np.random.Generator, octave: int = 0) -> list[list]:
    root = bass_root(chord["root"], octave)
    pcs = chord_pcs(chord)
    third = root + ((pcs[1] - pcs[0]) % 12 if len(pcs) > 2 else 4)
    fifth = root + 7
    vel = int(np.clip(78 + 35 * energy, 40, 125))
    target = bass_root(nxt["root"], octave)
    approach = target + (2 if target < root else -2)
    if style == "pedal":
        return [[b0, float(bb), root, vel - 10]]
    if bb == 3 or style == "waltz":
        if style == "walking" and bb == 3:
            return [[b0, 0.95, root, vel], [b0 + 1, 0.95, fifth, vel - 10], [b0 + 2, 0.95, approach, vel - 12]]
        return [[b0, 0.95, root, vel], [b0 + bb - 1, 0.5, fifth if rng.random() < 0.3 else root, vel - 25]]
    if style == "root4" or energy < 0.5:
        return [[b0, 1.9, root, vel], [b0 + 2, 1.4, fifth if rng.random() < 0.5 else root, vel - 8],
                [b0 + 3.5, 0.5, approach, vel - 15]]
    if style == "walking":
        tones = [root, third, fifth, target + (1 if rng.random() < 0.5 else -1)]
        return [[b0 + i, 0.95, p, vel - (0 if i == 0 else 10)] for i, p in enumerate(tones)]
    if style == "octave":
        return [[b0 + i * 0.5, 0.45, root + (12 if i % 2 else 0), vel - (12 if i % 2 == 0 else 0)]
                for i in range(8)]
    if style == "offbeat":
        return [[b0 + i + 0.5, 0.4, root, vel - 5] for i in range(4)]
    if style in ("sub", "808"):
        up = 12 if style == "808" and rng.random() < 0.35 else 0
        return [[b0, 1.5, root, vel], [b0 + 1.75, 0.75, root + up, vel - 10], [b0 + 2.5, 1.4, root, vel - 5]]
    if style == "funk":
        return [[b0 + t, d, root + iv, vel - (0 if t == 0 else 12)] for t, iv, d in _FUNK_BASS]
    if style == "boogie":
        return [[swung(b0 + i * 0.5, swing), 0.45, root + iv, vel - (0 if i % 2 == 0 else 10)]
                for i, iv in enumerate(_BOOGIE)]
    if style == "twostep":
        alt = fifth - 12 if rng.random() < 0.5 else fifth
        return [[b0, 0.9, root, vel], [b0 + 2, 0.9, alt, vel - 8]]
    if style == "reggae":
        return [[b0, 0.9, root, vel], [b0 + 1.5, 0.4, root, vel - 15], [b0 + 2, 0.9, fifth, vel - 5],
                [b0 + 3, 0.5, third, vel - 12]]
    if style == "tumbao":
        return [[b0 + 1.5, 1.4, fifth, vel - 5], [b0 + 3, 1.0, target, vel]]
    if style == "drive":
        return [[b0 + i * 0.5, 0.42, root, vel - (0 if i % 2 == 0 else 6)] for i in range(8)]
    notes = [[swung(b0 + i * 0.5, swing), 0.45, root, vel - (0 if i % 2 == 0 else 14)] for i in range(7)]
    notes.append([swung(b0 + 3.5, swing), 0.45, fifth if rng.random() < 0.6 else target, vel - 10])
    return notes


def _hits(times: tuple[float, ...] | list[float], bb: int) -> list[float]:
    return [t for t in times if t < bb - 1e-6]


def comp_bar(style: str, b0: float, bb: int, voicing: list[int], energy: float, swing: float,
             rng: np.random.Generator, weirdness: float = 0.0) -> list[list]:
    vel = int(np.clip(58 + 40 * energy, 30, 118))
    out: list[list] = []
    if style == "sustain" or energy < 0.45:
        return [[b0, bb - 0.1, p, vel - 8] for p in voicing]
    if style == "arp":
        seq = voicing + voicing[1:-1][::-1]
        for i in range(2 * bb):
            out.append([swung(b0 + i * 0.5, swing), 0.9, seq[i % len(seq)], vel - (0 if i % 4 == 0 else 10)])
        return out
    if style == "waltz":
        for k in _hits((1, 2) if bb == 3 else (1, 2, 3), bb):
            out += [[b0 + k, 0.7, p, vel - 6] for p in voicing]
        return out
    if style == "power":
        root = voicing[0] - 12 * (voicing[0] >= 52)
        chord = [root, root + 7, root + 12]
        for i in range(2 * bb):
            accent = i % 4 == 0
            out += [[b0 + i * 0.5, 0.4 if not accent else 0.48, p, vel - (0 if accent else 14)] for p in chord]
        return out
    if style == "pulse":
        for i in range(2 * bb):
            out += [[b0 + i * 0.5, 0.38, p, vel - (0 if i % 2 == 0 else 16)] for p in voicing]
        return out
    if style in ("skank", "chop"):
        dur = 0.3 if style == "skank" else 0.15
        times = _hits((1, 3) if style == "chop" or energy < 0.8 else (0.5, 1.5, 2.5, 3.5), bb)
        for k in times:
            out += [[swung(b0 + k, swing), dur, p + 12 * (style == "skank"), vel] for p in voicing]
        return out
    if style == "funk16":
        pattern = _FUNK_CHANKS[int(rng.integers(len(_FUNK_CHANKS)))]
        for i, c in enumerate(pattern[: 4 * bb]):
            if c != ".":
                out += [[b0 + i * 0.25, 0.14, p, vel - (0 if c == "x" else 20)] for p in voicing[-3:]]
        return out
    if style == "montuno":
        top = voicing + [voicing[0] + 12]
        for j, k in enumerate(_hits((0, 1, 1.5, 2.5, 3, 3.5), bb)):
            p = top[(j * 2) % len(top)]
            out += [[b0 + k, 0.45, p, vel], [b0 + k, 0.45, p - 12, vel - 10]]
        return out
    if style == "stab":
        for k in _hits((0.5, 1.5, 2.5, 3.5), bb):
            out += [[swung(b0 + k, swing), 0.3, p, vel] for p in voicing]
        return out
    if style == "strum":
        low = [voicing[0] - 12] + voicing
        for i, k in enumerate(_hits((0, 1, 1.5, 2.5, 3, 3.5) if energy >= 0.7 else (0, 1.5, 2, 3), bb)):
            down = i % 2 == 0
            order = low if down else low[::-1]
            for j, p in enumerate(order):
                out.append([swung(b0 + k, swing) + j * 0.02, 0.45 if k % 1 else 0.9, p, vel - (0 if down else 12)])
        return out
    rhythm = (0, 1.5, 2.5, 3) if (energy >= 0.75 and rng.random() < 0.5) or rng.random() < weirdness * 0.5 \
        else (0, 1, 2, 3)
    for k in _hits(rhythm, bb):
        shift = -0.25 if k > 0 and rng.random() < 0.3 * weirdness else 0.0
        out += [[swung(b0 + k, swing) + shift, 0.9, p, vel - (0 if k in (0, 2) else 10)] for p in voicing]
    return out


def extra_bar(b0: float, bb: int, voicing: list[int], energy: float, rng: np.random.Generator,
              threshold: float = 0.75) -> list[list]:
    """A high arpeggio colour line, only where the song is loud."""
    if energy < threshold:
        return []
    seq = [p + 12 for p in voicing]
    seq = seq + [seq[0] + 12]
    step = 0.5 if energy < 0.9 else 0.25
    n = int(bb / step)
    start = int(rng.integers(len(seq)))
    vel = int(50 + 30 * energy)
    return [[b0 + i * step, step * 0.9, seq[(start + i) % len(seq)], vel - (0 if i % 4 == 0 else 8)]
            for i in range(n)]
