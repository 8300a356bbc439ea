"""Accompaniment: drums, bass, comping, pads and an extra colour line, bar by bar.

Every part reads the section's energy, so verses are thinner and choruses
fuller; drum fills close sections and the final bar strikes the tonic chord and
holds it so the song ends by decaying, not by being cut.
"""

from __future__ import annotations

import numpy as np

from . import drums
from .harmony import chord_pcs, voice_chord
from .prompt import Style

PROFILE_ROLES = {
    "full": ("drums", "bass", "comp", "pad", "extra"),
    "standard": ("drums", "bass", "comp", "pad"),
    "simple": ("drums", "bass", "comp"),
    "basic": ("drums", "bass", "comp"),
}
CHANNELS = {"lead": 0, "bass": 1, "comp": 2, "pad": 3, "extra": 4, "drums": 9}
MIX = {  # role -> (volume CC7, pan CC10, reverb send CC91)
    "drums": (110, 64, 30), "bass": (105, 64, 10), "comp": (92, 50, 45), "pad": (74, 80, 70),
    "extra": (72, 84, 60), "lead": (112, 64, 55),
}


def bass_root(pc: int) -> int:
    p = 36 + pc
    return p - 12 if p > 43 else p


def swung(beat: float, swing: float) -> float:
    frac = beat % 1.0
    return beat + swing * 0.5 if abs(frac - 0.5) < 1e-6 else beat


def bass_bar(style: str, b0: float, chord: dict, nxt: dict, energy: float, swing: float,
             rng: np.random.Generator) -> list[list]:
    root = bass_root(chord["root"])
    pcs = chord_pcs(chord)
    fifth = root + 7
    vel = int(np.clip(78 + 35 * energy, 40, 125))
    target = bass_root(nxt["root"])
    if style == "pedal":
        return [[b0, 4.0, root, vel - 10]]
    if style == "root4" or energy < 0.5:
        return [[b0, 1.9, root, vel], [b0 + 2, 1.4, fifth if rng.random() < 0.5 else root, vel - 8],
                [b0 + 3.5, 0.5, target + (2 if target < root else -2), vel - 15]]
    if style == "walking":
        tones = [root, root + ((pcs[1] - pcs[0]) % 12), fifth, target + (1 if rng.random() < 0.5 else -1)]
        return [[swung(b0 + i, 0), 0.95, p, vel - (0 if i == 0 else 10)] for i, p in enumerate(tones)]
    if style == "octave":
        return [[b0 + i * 0.5, 0.45, root + (12 if i % 2 else 0), vel - (12 if i % 2 == 0 else 0)]
                for i in range(8)]
    if style == "sub":
        return [[b0, 1.5, root, vel], [b0 + 1.75, 0.75, root, vel - 10], [b0 + 2.5, 1.4, root, vel - 5]]
    notes = [[swung(b0 + i * 0.5, swing), 0.45, root, vel - (0 if i % 2 == 0 else 14)] for i in range(7)]
    notes.append([swung(b0 + 3.5, swing), 0.45, fifth if rng.random() < 0.6 else target, vel - 10])
    return notes


def comp_bar(style: str, b0: float, voicing: list[int], energy: float, swing: float,
             rng: np.random.Generator) -> list[list]:
    vel = int(np.clip(58 + 40 * energy, 30, 118))
    out: list[list] = []
    if style == "sustain" or energy < 0.45:
        return [[b0, 3.9, p, vel - 8] for p in voicing]
    if style == "arp":
        seq = voicing + voicing[1:-1][::-1]
        for i in range(8):
            out.append([swung(b0 + i * 0.5, swing), 0.9, seq[i % len(seq)], vel - (0 if i % 4 == 0 else 10)])
        return out
    if style == "stab":
        for k in (0.5, 1.5, 2.5, 3.5):
            out += [[swung(b0 + k, swing), 0.3, p, vel] for p in voicing]
        return out
    if style == "strum":
        low = [voicing[0] - 12] + voicing
        for i, k in enumerate((0, 1, 1.5, 2.5, 3, 3.5) if energy >= 0.7 else (0, 1.5, 2, 3)):
            down = i % 2 == 0
            order = low if down else low[::-1]
            for j, p in enumerate(order):
                out.append([swung(b0 + k, swing) + j * 0.02, 0.45 if k % 1 else 0.9, p, vel - (0 if down else 12)])
        return out
    rhythm = (0, 1.5, 2.5, 3) if energy >= 0.75 and rng.random() < 0.5 else (0, 1, 2, 3)
    for k in rhythm:
        out += [[swung(b0 + k, swing), 0.9, p, vel - (0 if k in (0, 2) else 10)] for p in voicing]
    return out


def extra_bar(b0: float, voicing: list[int], energy: float, rng: np.random.Generator) -> list[list]:
    """A high arpeggio colour line, only where the song is loud."""
    if energy < 0.75:
        return []
    seq = [p + 12 for p in voicing]
    seq = seq + [seq[0] + 12]
    step = 0.5 if energy < 0.9 else 0.25
    n = int(4 / step)
    start = int(rng.integers(len(seq)))
    vel = int(50 + 30 * energy)
    return [[b0 + i * step, step * 0.9, seq[(start + i) % len(seq)], vel - (0 if i % 4 == 0 else 8)]
            for i in range(n)]


def drum_section(style: Style, sec: dict, profile: str, rng: np.random.Generator, first: bool,
                 last: bool) -> list[list]:
    notes: list[list] = []
    basic = profile in ("basic", "simple")
    energy = sec["energy"]
    for bar in range(sec["start_bar"], sec["end_bar"]):
        b0 = bar * 4.0
        is_last_bar = bar == sec["end_bar"] - 1
        if sec["kind"] == "intro" and bar - sec["start_bar"] < (sec["end_bar"] - sec["start_bar"]) // 2:
            pat = {k: v for k, v in drums.pattern_for(style.groove, 0.3, True).items()
                   if k in (drums.HAT, drums.RIDE, drums.TAMB, drums.KICK)}
        else:
            pat = drums.pattern_for(style.groove, energy, basic)
        hits = drums.bar_hits(pat, b0, energy, style.swing, rng, 0.5 if basic else 1.0)
        if is_last_bar and not last and sec["end_bar"] - sec["start_bar"] >= 2 and style.groove != "none":
            hits = [h for h in hits if h[0] < b0 + 2.0]
            hits += drums.fill(b0, energy, rng, 0 if basic else None)
        if bar == sec["start_bar"] and not first and style.groove != "none":
            hits += drums.crash(b0, energy)
        notes += hits
    return notes


def arrange(style: Style, sections: list[dict], chords: list[dict], profile: str,
            rng: np.random.Generator, hold_beats: float, comp_center: int = 62) -> list[dict]:
    """All accompaniment tracks; the last bar of the last section is the final held chord."""
    roles = PROFILE_ROLES.get(profile, PROFILE_ROLES["full"])
    n_bars = len(chords)
    parts: dict[str, list[list]] = {r: [] for r in roles}
    comp_style = "block" if profile == "basic" else style.comp_style
    bass_style = "root4" if profile == "basic" else style.bass_style
    prev_comp: list[int] | None = None
    prev_pad: list[int] | None = None
    for si, sec in enumerate(sections):
        e = sec["energy"]
        if "drums" in parts and style.groove != "none":
            parts["drums"] += drum_section(style, sec, profile, rng, si == 0, si == len(sections) - 1)
        for bar in range(sec["start_bar"], sec["end_bar"]):
            if bar == n_bars - 1:
                continue
            b0 = bar * 4.0
            chord, nxt = chords[bar], chords[min(bar + 1, n_bars - 1)]
            prev_comp = voice_chord(chord_pcs(chord), comp_center, prev_comp)
            parts["bass"] += bass_bar(bass_style, b0, chord, nxt, e, style.swing, rng)
            parts["comp"] += comp_bar(comp_style, b0, prev_comp, e, style.swing, rng)
            if "pad" in parts and (e >= 0.6 or style.genre in ("ambient", "orchestral", "ballad")):
                prev_pad = voice_chord(chord_pcs(chord), 67, prev_pad)
                parts["pad"] += [[b0, 4.0, p, int(40 + 35 * e)] for p in prev_pad]
            if "extra" in parts:
                parts["extra"] += extra_bar(b0, prev_comp, e, rng)
    final = chords[-1]
    fb = (n_bars - 1) * 4.0
    parts["bass"].append([fb, hold_beats, bass_root(final["root"]), 96])
    final_voicing = voice_chord(chord_pcs(final), comp_center, prev_comp)
    parts["comp"] += [[fb, hold_beats, p, 88] for p in [final_voicing[0] - 12] + final_voicing]
    if "pad" in parts:
        parts["pad"] += [[fb, hold_beats, p, 70] for p in voice_chord(chord_pcs(final), 67, prev_pad)]
    if "drums" in parts and style.groove != "none":
        parts["drums"] += drums.crash(fb, 0.8)
    tracks = []
    for role in roles:
        program = 0 if role == "drums" else int(style.instruments.get(role, 0))
        vol, pan, rev = MIX[role]
        tracks.append({
            "name": role, "role": role, "program": program, "bank": 128 if role == "drums" else 0,
            "channel": CHANNELS[role], "stem": "instrumental", "volume": vol, "pan": pan, "reverb": rev,
            "notes": sorted(parts[role], key=lambda n: (n[0], n[2])),
        })
    return tracks
