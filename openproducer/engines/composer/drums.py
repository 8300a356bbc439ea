"""Drum kit patterns per groove (General MIDI kit, channel 10) and drum bars made from them.

A pattern is a string of sixteenth-note steps per bar (16 in 4/4, 12 in 3/4 and
6/8): "x" hit, "o" soft (ghost) hit, "r" a 32nd-note roll of two, "t" a triplet
roll of three, "." rest. A bar is shaped by the section's energy and the song's
weirdness; sections end in fills, build into choruses with a snare roll and
open with a crash.
"""

from __future__ import annotations

import numpy as np

KICK, RIM, SNARE, CLAP, HAT, PEDAL_HAT, OPEN_HAT, CRASH, RIDE, TAMB = 36, 37, 38, 39, 42, 44, 46, 49, 51, 54
COWBELL, BONGO, CONGA_HI, CONGA_LO, TIMBALE, MARACAS, GUIRO, CLAVES, SHAKER = 56, 60, 62, 64, 65, 70, 73, 75, 82
RIDE_BELL, LOW_TOM, HIGH_TOM = 53, 45, 50
TOMS = (50, 48, 47, 45, 43, 41)

GROOVES: dict[str, dict[int, str]] = {
    "backbeat": {KICK: "x.......x.x.....", SNARE: "....x.......x...", HAT: "x.x.x.x.x.x.x.x."},
    "kpop": {KICK: "x..x..x.x...x...", CLAP: "....x.......x...", SNARE: "....x.......x..o",
             HAT: "xoxoxoxoxoxoxoxo"},
    "synthpop": {KICK: "x.....x.x.......", SNARE: "....x.......x...", CLAP: "....x.......x...",
                 HAT: "x.x.x.x.x.x.x.x."},
    "synthwave": {KICK: "x.......x.......", SNARE: "....x.......x...", HAT: "x.x.x.x.x.x.x.x.",
                  TAMB: "....x.......x..."},
    "disco": {KICK: "x...x...x...x...", SNARE: "....x.......x...", OPEN_HAT: "..x...x...x...x.",
              HAT: "xo.oxo.oxo.oxo.o"},
    "house": {KICK: "x...x...x...x...", CLAP: "....x.......x...", OPEN_HAT: "..x...x...x...x.",
              SHAKER: "oxoooxoooxoooxoo"},
    "techno": {KICK: "x...x...x...x...", CLAP: "....o.......o...", HAT: "ooxoooxoooxoooxo",
               RIM: "...x..x....x..x.", RIDE: "..x...x...x...x."},
    "trance": {KICK: "x...x...x...x...", CLAP: "....x.......x...", OPEN_HAT: "..x...x...x...x.",
               HAT: "oooooooooooooooo"},
    "four_on_floor": {KICK: "x...x...x...x...", CLAP: "....x.......x...", OPEN_HAT: "..x...x...x...x.",
                      HAT: "o.o.o.o.o.o.o.o."},
    "halftime": {KICK: "x.........x.....", SNARE: "........x.......", HAT: "x.x.x.x.x.x.x.x."},
    "dnb": {KICK: "x.........x.....", SNARE: "....x.......x..o", HAT: "x.x.x.x.x.x.x.x.", RIDE: "..x...x...x...x."},
    "twostep": {KICK: "x......x..x.....", SNARE: "....x.......x...", HAT: "..x...x...x...x.",
                SHAKER: "oooooooooooooooo"},
    "boombap": {KICK: "x......x..x.....", SNARE: "....x.......x...", HAT: "x.x.x.x.x.x.x.xo"},
    "trap": {KICK: "x......x..x.....", SNARE: "........x.......", HAT: "x.x.x.xrx.x.x.tx",
             CLAP: "........x......."},
    "drill": {KICK: "x.....x...x.....", SNARE: "......x.......x.", HAT: "x..x..x.x..x..t."},
    "lofi": {KICK: "x.......x.x.....", SNARE: "....x.......x...", HAT: "x.x.x.x.x.x.x.x.", RIM: "..........o....."},
    "rnb": {KICK: "x.....x..x......", SNARE: "....x.......x...", HAT: "x.x.x.x.x.xrx.x.", CLAP: "....x.......x..."},
    "soul": {KICK: "x.......x.x.....", SNARE: "....x.......x...", HAT: "x.x.x.x.x.x.x.x.", TAMB: "....x.......x..."},
    "funk": {KICK: "x.x....x..x..x..", SNARE: "....x..o.o..x..o", HAT: "xoxoxoxoxoxoxoxo"},
    "gospel": {KICK: "x.....x.x.......", SNARE: "....x.......x...", HAT: "x.x.x.x.x.x.x.x.", TAMB: "x.x.x.x.x.x.x.x."},
    "shuffle": {KICK: "x.......x.......", SNARE: "....x.......x...", HAT: "x.x.x.x.x.x.x.x."},
    "swing": {RIDE: "x...x.x.x...x.x.", PEDAL_HAT: "....x.......x...", KICK: "o.......o......."},
    "ballad": {KICK: "x.......x.......", RIM: "....x.......x...", HAT: "x...x...x...x..."},
    "orchestral": {TOMS[5]: "x.....x...x.....", TOMS[3]: "........x.....x."},
    "folk": {KICK: "x.......x.......", SNARE: "....x.......x...", TAMB: "..x...x...x...x."},
    "train": {KICK: "x.......x.......", SNARE: "o.o.x.o.o.o.x.o.", HAT: "x.x.x.x.x.x.x.x."},
    "indie": {KICK: "x...x...x...x...", SNARE: "....x.......x...", HAT: "x.x.x.x.x.x.x.x.", TAMB: "..x...x...x...x."},
    "one_drop": {KICK: "........x.......", RIM: "........x.......", HAT: "x.x.x.x.x.x.x.x."},
    "ska": {KICK: "x.......x.......", SNARE: "....x.......x...", HAT: "x.x.x.x.x.x.x.x.", OPEN_HAT: "..x...x...x...x."},
    "dembow": {KICK: "x...x...x...x...", SNARE: "...x..x....x..x.", HAT: "x.x.x.x.x.x.x.x."},
    "bossa": {KICK: "x..xx..xx..xx..x", RIM: "x..x..x...x..x..", HAT: "x.x.x.x.x.x.x.x."},
    "samba": {KICK: "x......xx......x", SHAKER: "xoxoxoxoxoxoxoxo", RIM: "x.x..x.x.x.x..x.", TAMB: "..x...x...x...x."},
    "clave": {CLAVES: "x..x..x...x.x...", CONGA_HI: "..x.x...x.x.x.x.", CONGA_LO: "......x.......x.",
              COWBELL: "x.x.x.x.x.x.x.x.", KICK: "......x.......x."},
    "cumbia": {KICK: "x.......x.......", GUIRO: "x.xxx.xxx.xxx.xx", CONGA_HI: "..x...x...x...x.",
               SNARE: "....x.......x..."},
    "afrobeat": {KICK: "x.....x...x..x..", SNARE: "....x.......x.o.", HAT: "xoxoxoxoxoxoxoxo",
                 COWBELL: "x.x.xx.x.x.xx.x.", SHAKER: "oooooooooooooooo"},
    "afroswing": {KICK: "x..x..x...x..x..", RIM: "...x..x....x..x.", SHAKER: "xoxoxoxoxoxoxoxo",
                  CONGA_HI: "......x.......x."},
    "rock": {KICK: "x.....x.x.x.....", SNARE: "....x.......x...", HAT: "x.x.x.x.x.x.x.x."},
    "punk": {KICK: "x.x...x.x.x...x.", SNARE: "....x.......x...", OPEN_HAT: "x.x.x.x.x.x.x.x."},
    "grunge": {KICK: "x.....xxx.......", SNARE: "....x.......x...", OPEN_HAT: "x.x.x.x.x.x.x.x."},
    "metal": {KICK: "x.x.x.x.x.x.x.x.", SNARE: "....x.......x...", CRASH: "x...x...x...x..."},
    "doom": {KICK: "x.......x..x....", SNARE: "........x.......", RIDE: "x...x...x...x..."},
    "downtempo": {KICK: "x.......x..x....", SNARE: "....x.......x...", HAT: "x.x.x.x.x.x.x.x.",
                  SHAKER: "oooooooooooooooo"},
    "chiptune": {KICK: "x...x...x...x...", SNARE: "....x.......x...", HAT: "x.x.x.x.x.x.x.x."},
    "waltz": {KICK: "x...........", RIM: "....x...x...", HAT: "x...x...x..."},
    "jig": {LOW_TOM: "x.....x.....", HIGH_TOM: "..o.o...o.o.", SHAKER: "x.x.x.x.x.x."},
    "none": {},
}

# simpler grooves for the older ("simple", "basic") arrangement profiles
SIMPLER = {"metal": "rock", "bossa": "backbeat", "funk": "backbeat", "trap": "boombap", "drill": "boombap",
           "afrobeat": "backbeat", "clave": "backbeat", "samba": "backbeat", "kpop": "backbeat",
           "techno": "four_on_floor", "house": "four_on_floor", "disco": "four_on_floor", "dnb": "backbeat",
           "twostep": "backbeat", "grunge": "rock", "punk": "rock", "afroswing": "dembow"}
NEIGHBOURS = {  # related grooves a variation may borrow
    "backbeat": ("rock", "boombap", "folk", "indie"), "rock": ("backbeat", "grunge", "punk"),
    "four_on_floor": ("house", "disco", "trance"), "house": ("disco", "techno"), "techno": ("house", "trance"),
    "trance": ("four_on_floor", "techno"), "disco": ("house", "funk"), "boombap": ("lofi", "rnb"),
    "lofi": ("boombap", "downtempo"), "trap": ("drill", "halftime"), "drill": ("trap",), "swing": ("shuffle",),
    "shuffle": ("swing", "soul"), "funk": ("disco", "soul"), "soul": ("gospel", "funk"), "one_drop": ("ska",),
    "ska": ("one_drop", "punk"), "bossa": ("samba", "clave"), "samba": ("bossa",), "clave": ("bossa", "cumbia"),
    "waltz": ("jig",), "jig": ("waltz",), "none": ("ballad",), "ballad": ("backbeat", "folk"),
}

_QUIET = (HAT, OPEN_HAT, TAMB, SHAKER)


def fit_steps(pattern: str, steps: int) -> str:
    """A pattern resized to ``steps`` sixteenths (cut, or repeated from its start)."""
    return (pattern * (steps // max(1, len(pattern)) + 1))[:steps]


def pattern_for(groove: str, energy: float, basic: bool, steps: int = 16) -> dict[int, str]:
    """The groove adapted to a section's energy: thinner when quiet, busier when loud."""
    name = SIMPLER.get(groove, groove) if basic else groove
    pat = {k: fit_steps(v, steps) for k, v in GROOVES.get(name, GROOVES["backbeat"]).items()}
    if energy < 0.5:
        for note in _QUIET:
            if note in pat:
                pat[note] = "".join(c if i % 4 == 0 else "." for i, c in enumerate(pat[note]))
        if KICK in pat and name not in ("four_on_floor", "house", "techno", "trance", "disco", "one_drop"):
            pat[KICK] = fit_steps("x.......", steps)
    elif energy >= 0.85 and not basic:
        if HAT in pat and name in ("backbeat", "boombap", "one_drop", "soul", "synthpop", "indie"):
            pat[HAT] = fit_steps("xo", steps)
        if name == "rock":
            pat.pop(HAT, None)
            pat[RIDE] = fit_steps("x.", steps)
        if name == "metal":
            pat[KICK] = "x" * steps
    return pat


def widen(pattern: dict[int, str], weirdness: float, rng: np.random.Generator) -> dict[int, str]:
    """Weirdness adds syncopated kicks and ghost snares on off-sixteenths."""
    if weirdness < 0.05:
        return pattern
    out = dict(pattern)
    for drum, ghost in ((KICK, "x"), (SNARE, "o")):
        if drum not in out:
            continue
        steps = list(out[drum])
        for i, c in enumerate(steps):
            if c == "." and i % 2 == 1 and rng.random() < 0.22 * weirdness:
                steps[i] = ghost
        out[drum] = "".join(steps)
    return out


def bar_hits(pattern: dict[int, str], bar_beat: float, energy: float, swing: float,
             rng: np.random.Generator, humanise: float = 1.0) -> list[list]:
    notes = []
    base = 62 + 50 * energy
    for drum, steps in pattern.items():
        for i, c in enumerate(steps):
            if c == ".":
                continue
            vel = base * (0.55 if c == "o" else 1.0) * (1.05 if i % 4 == 0 else 0.92)
            vel += rng.integers(-6, 7) * humanise
            beat = bar_beat + i * 0.25 + (swing * 0.5 if i % 4 == 2 else 0.0)
            hits = {"r": 2, "t": 3}.get(c, 1)
            for k in range(hits):
                notes.append([beat + k * 0.25 / hits, 0.25 / hits, drum, int(np.clip(vel - 8 * k, 20, 127))])
    return notes


def fill_beats(bar_beats: float) -> float:
    return 2.0 if bar_beats >= 4 else 1.5


def fill(bar_beat: float, bar_beats: float, energy: float, rng: np.random.Generator,
         style: int | None = None) -> list[list]:
    """A fill over the last two beats of the bar (1.5 in 3/4); it replaces the groove there."""
    kind = int(rng.integers(4)) if style is None else style
    notes = []
    beats = fill_beats(bar_beats)
    end = bar_beat + bar_beats
    start = end - beats
    steps = int(beats * 4) if kind != 2 else int(beats * 2)
    step = beats / steps
    for i in range(steps):
        if kind == 0:
            drum = SNARE
        elif kind == 1:
            drum = TOMS[min(5, i * 6 // steps)]
        elif kind == 2:
            drum = TOMS[i % 3 * 2] if i % 2 else SNARE
        else:
            drum = SNARE if i % 3 == 0 else TOMS[min(5, 2 + i * 4 // steps)]
        vel = int(np.clip(60 + 40 * energy + i * 4 + rng.integers(-5, 6), 30, 127))
        notes.append([start + i * step, step, drum, vel])
    notes.append([end - 0.25, 0.25, KICK, int(60 + 40 * energy)])
    return notes


def build(bar_beat: float, bar_beats: float, energy: float) -> list[list]:
    """A rising snare roll over a bar that leads into a chorus (eighths, then sixteenths)."""
    notes = []
    b = 0.0
    while b < bar_beats - 1e-6:
        step = 0.5 if b < bar_beats / 2 else 0.25
        vel = int(np.clip(45 + 55 * (b / bar_beats) + 20 * energy, 30, 122))
        notes.append([bar_beat + b, step, SNARE, vel])
        b += step
    return notes + [[bar_beat + bar_beats - 0.5, 0.5, CLAP, 100]]


def crash(beat: float, energy: float) -> list[list]:
    return [[beat, 2.0, CRASH, int(np.clip(70 + 50 * energy, 40, 127))], [beat, 0.5, KICK, 100]]
