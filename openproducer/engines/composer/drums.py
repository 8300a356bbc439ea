"""Drum grooves (16 steps per 4/4 bar, GM kit on channel 10), fills and crashes."""

from __future__ import annotations

import numpy as np

KICK, RIM, SNARE, CLAP, HAT, PEDAL_HAT, OPEN_HAT, CRASH, RIDE, TAMB = 36, 37, 38, 39, 42, 44, 46, 49, 51, 54
TOMS = (50, 48, 47, 45, 43, 41)

# groove -> drum note -> 16-step pattern ("x" hit, "o" soft hit, "." rest)
GROOVES: dict[str, dict[int, str]] = {
    "backbeat": {KICK: "x.......x.x.....", SNARE: "....x.......x...", HAT: "x.x.x.x.x.x.x.x."},
    "rock": {KICK: "x.....x.x.x.....", SNARE: "....x.......x...", HAT: "x.x.x.x.x.x.x.x."},
    "four_on_floor": {KICK: "x...x...x...x...", CLAP: "....x.......x...", OPEN_HAT: "..x...x...x...x.",
                      HAT: "o.o.o.o.o.o.o.o."},
    "boombap": {KICK: "x......x..x.....", SNARE: "....x.......x...", HAT: "x.x.x.x.x.x.x.xo"},
    "swing": {RIDE: "x...x.x.x...x.x.", PEDAL_HAT: "....x.......x...", KICK: "o.......o......."},
    "ballad": {KICK: "x.......x.......", RIM: "....x.......x...", HAT: "x...x...x...x..."},
    "orchestral": {TOMS[5]: "x.....x...x.....", TOMS[3]: "........x.....x.", CRASH: "................"},
    "folk": {KICK: "x.......x.......", SNARE: "....x.......x...", TAMB: "..x...x...x...x."},
    "one_drop": {KICK: "........x.......", RIM: "........x.......", HAT: "x.x.x.x.x.x.x.x."},
    "bossa": {KICK: "x..x x..x".replace(" ", "") * 2, RIM: "x..x..x...x..x..", HAT: "x.x.x.x.x.x.x.x."},
    "metal": {KICK: "x.x.x.x.x.x.x.x.", SNARE: "....x.......x...", CRASH: "x...x...x...x..."},
    "none": {},
}
_SIMPLER = {"four_on_floor": "four_on_floor", "metal": "rock", "bossa": "backbeat", "swing": "swing"}


def pattern_for(groove: str, energy: float, basic: bool) -> dict[int, str]:
    """The groove adapted to a section's energy: thinner when quiet, busier when loud."""
    pat = dict(GROOVES.get(_SIMPLER.get(groove, groove) if basic else groove, GROOVES["backbeat"]))
    if energy < 0.5:
        for note in (HAT, OPEN_HAT, TAMB):
            if note in pat:
                pat[note] = "".join(c if i % 4 == 0 else "." for i, c in enumerate(pat[note]))
        if KICK in pat and groove not in ("four_on_floor", "one_drop"):
            pat[KICK] = "x.......x......."
    elif energy >= 0.85 and not basic:
        if HAT in pat and groove in ("backbeat", "boombap", "one_drop"):
            pat[HAT] = "xoxoxoxoxoxoxoxo"
        if groove == "rock":
            pat.pop(HAT, None)
            pat[RIDE] = "x.x.x.x.x.x.x.x."
        if groove == "metal":
            pat[KICK] = "x" * 16
    return pat


def bar_hits(pattern: dict[int, str], bar_beat: float, energy: float, swing: float,
             rng: np.random.Generator, humanise: float = 1.0) -> list[list]:
    notes = []
    base = 62 + 50 * energy
    for drum, steps in pattern.items():
        for i, c in enumerate(steps):
            if c == ".":
                continue
            vel = base * (0.6 if c == "o" else 1.0) * (1.05 if i % 4 == 0 else 0.92)
            vel += rng.integers(-6, 7) * humanise
            beat = bar_beat + i * 0.25 + (swing * 0.5 if i % 4 == 2 else 0.0)
            notes.append([beat, 0.25, drum, int(np.clip(vel, 20, 127))])
    return notes


def fill(bar_beat: float, energy: float, rng: np.random.Generator, style: int | None = None) -> list[list]:
    """A fill over beats 3-4 of the bar (replaces the groove there)."""
    kind = int(rng.integers(3)) if style is None else style
    notes = []
    start = bar_beat + 2.0
    steps = 8 if kind != 2 else 4
    step = 2.0 / steps
    for i in range(steps):
        if kind == 0:
            drum = SNARE
        elif kind == 1:
            drum = TOMS[min(5, i * 6 // steps)]
        else:
            drum = TOMS[i % 3 * 2] if i % 2 else SNARE
        vel = int(np.clip(60 + 40 * energy + i * 5 + rng.integers(-5, 6), 30, 127))
        notes.append([start + i * step, step, drum, vel])
    notes.append([start + 1.5 + 0.25, 0.25, KICK, int(60 + 40 * energy)])
    return notes


def crash(beat: float, energy: float) -> list[list]:
    return [[beat, 2.0, CRASH, int(np.clip(70 + 50 * energy, 40, 127))], [beat, 0.5, KICK, 100]]
