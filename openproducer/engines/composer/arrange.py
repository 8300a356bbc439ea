"""Accompaniment: drums, bass, comping, pads, a colour line and a counter-melody, bar by bar.

Every part reads the energy of its bar, so verses are thinner and choruses
fuller, and the section before a chorus builds into it (rising velocities and a
snare roll). Drum fills close the other sections, crashes open them, and the
final bar strikes the tonic chord and holds it so the song ends by decaying.
The counter-melody answers the lead: it moves in the gaps, during the lead's held
phrase endings and breaths, with a short figure of chord tones below it, and
plays a slow stepwise line in loud instrumental sections. How full each section
is depends on the genre family and the section kind, and parts in the voice's
range step aside while it sings (``density.py``, "full" profile only).
"""

from __future__ import annotations

import numpy as np

from . import drums
from .density import FULL, MEDIUM, SPARSE, section_density, step_aside
from .harmony import chord_pcs, voice_chord
from .mixing import Mix, send_scale
from .parts import bass_bar, bass_root, comp_bar, extra_bar
from .prompt import Style

PROFILE_ROLES = {
    "full": ("drums", "bass", "comp", "pad", "extra", "counter"),
    "standard": ("drums", "bass", "comp", "pad"),
    "simple": ("drums", "bass", "comp"),
    "basic": ("drums", "bass", "comp"),
}
CHANNELS = {"lead": 0, "bass": 1, "comp": 2, "pad": 3, "extra": 4, "counter": 5, "harmony": 6, "drums": 9}
MIX = {  # role -> (volume CC7, pan CC10, reverb send CC91 at the default room)
    "drums": (110, 64, 30), "bass": (105, 64, 10), "comp": (92, 50, 45), "pad": (74, 80, 70),
    "extra": (72, 84, 60), "lead": (112, 64, 55), "counter": (80, 36, 50), "harmony": (86, 88, 60),
}
_ALWAYS_PAD = ("ambient", "orchestral", "ballad")


def bar_energy(sec: dict, bar: int, next_kind: str | None) -> float:
    """The section's energy, rising through the section that leads into a chorus."""
    e = float(sec["energy"])
    if next_kind == "chorus" and sec["kind"] != "chorus":
        bars = max(1, sec["end_bar"] - sec["start_bar"])
        e += 0.18 * (bar - sec["start_bar"] + 1) / bars
    return min(1.0, e)


def _chord_tones(chord: dict, lo: int, hi: int) -> list[int]:
    pcs = chord_pcs(chord)
    return [p for p in range(lo, hi + 1) if p % 12 in pcs]


def counter_line(notes: list[list], phrases: list[dict], sections: list[dict], chords: list[dict], bpb: int,
                 center: int, rng: np.random.Generator, weirdness: float) -> list[list]:
    """The counter-melody track's notes."""
    out: list[list] = []
    lo, hi = center - 7, center + 7
    last_by_phrase: dict[int, list] = {}
    for n in notes:
        if n[6] not in last_by_phrase or n[0] > last_by_phrase[n[6]][0]:
            last_by_phrase[n[6]] = n
    for i, p in enumerate(phrases):
        last = last_by_phrase.get(i)
        if last is None:
            continue
        sec = next((s for s in sections if s["start_bar"] * bpb <= p["start_beat"] < s["end_bar"] * bpb), None)
        if sec is None or sec["energy"] < 0.5:
            continue
        start = float(np.ceil((last[0] + 0.5) * 2) / 2)
        end = p["start_beat"] + p["beats"] - 0.25
        if end - start < 1.0:
            continue
        chord = chords[min(len(chords) - 1, int(start // bpb))]
        tones = _chord_tones(chord, lo, hi)
        if not tones:
            continue
        k = int(rng.integers(len(tones)))
        step = 0.5 if rng.random() > 0.3 * weirdness else 0.25
        t, direction = start, -1 if rng.random() < 0.6 else 1
        vel = int(52 + 40 * sec["energy"])
        while t < end - 1e-6 and len(out) < 100000:
            dur = step if t + step < end - 1e-6 else max(0.25, end - t)
            out.append([t, dur * 0.95, tones[k], vel])
            k = int(np.clip(k + direction, 0, len(tones) - 1))
            if k in (0, len(tones) - 1):
                direction = -direction
            t += step
    for sec in sections:
        if sec["kind"] != "instrumental" or sec["energy"] < 0.6 or sec.get("lines"):
            continue
        pitch = center
        for bar in range(sec["start_bar"], sec["end_bar"]):
            for half in range(0, bpb, 2):
                beat = bar * bpb + half
                tones = _chord_tones(chords[min(bar, len(chords) - 1)], lo, hi)
                if tones:
                    pitch = min(tones, key=lambda q: (abs(q - pitch) == 0, abs(q - pitch)))
                out.append([float(beat), min(2.0, bpb - half) * 0.95, pitch, int(48 + 36 * sec["energy"])])
    return sorted(out, key=lambda n: (n[0], n[2]))


def drum_section(style: Style, sec: dict, profile: str, rng: np.random.Generator, first: bool, last: bool,
                 next_kind: str | None, weirdness: float, density: int = FULL) -> list[list]:
    """The drums of one section; none when it is sparse, softer and thinner when medium."""
    notes: list[list] = []
    if density == SPARSE:
        return notes
    basic = profile in ("basic", "simple")
    bb = style.beats_per_bar
    steps = 4 * bb
    bars = sec["end_bar"] - sec["start_bar"]
    for bar in range(sec["start_bar"], sec["end_bar"]):
        b0 = float(bar * bb)
        e = bar_energy(sec, bar, next_kind) - (0.15 if density == MEDIUM else 0.0)
        if sec["kind"] == "intro" and bar - sec["start_bar"] < bars // 2:
            pat = {k: v for k, v in drums.pattern_for(style.groove, 0.3, True, steps).items()
                   if k in (drums.HAT, drums.RIDE, drums.TAMB, drums.KICK, drums.SHAKER)}
        else:
            pat = drums.pattern_for(style.groove, e, basic, steps)
            if not basic:
                pat = drums.widen(pat, weirdness, rng)
        hits = drums.bar_hits(pat, b0, e, style.swing, rng, 0.5 if basic else 1.0)
        if bar == sec["end_bar"] - 1 and not last and bars >= 2:
            if next_kind == "chorus" and not basic and sec["kind"] != "chorus":
                hits = [h for h in hits if h[2] not in (drums.SNARE, drums.CLAP, drums.RIM)]
                hits += drums.build(b0, bb, e)
            else:
                hits = [h for h in hits if h[0] < b0 + bb - drums.fill_beats(bb)]
                hits += drums.fill(b0, bb, e, rng, 0 if basic else None)
        if bar == sec["start_bar"] and not first:
            hits += drums.crash(b0, e)
        notes += hits
    if density == MEDIUM:
        notes = [[n[0], n[1], n[2], max(20, int(n[3] * 0.85))] for n in notes]
    return notes


def _track(role: str, program: int, notes: list[list], mix: Mix) -> dict:
    vol, pan, rev = MIX[role]
    return {"name": role, "role": role, "program": int(program), "bank": 128 if role == "drums" else 0,
            "channel": CHANNELS[role], "stem": "instrumental", "volume": vol, "pan": pan,
            "reverb": int(np.clip(rev * send_scale(mix), 0, 127)),
            "notes": sorted(notes, key=lambda n: (n[0], n[2]))}


def arrange(style: Style, sections: list[dict], chords: list[dict], profile: str, rng: np.random.Generator,
            hold_beats: float, comp_center: int | None = None, melody: dict | None = None,
            weirdness: float = 0.5) -> list[dict]:
    """All accompaniment tracks; the last bar of the last section is the final held chord."""
    mix = Mix.from_dict(style.mix)
    roles = list(PROFILE_ROLES.get(profile, PROFILE_ROLES["full"]))
    if mix.density <= -0.5:
        roles = [r for r in roles if r not in ("extra", "counter")]
    if style.groove == "none" and "drums" in roles:
        roles.remove("drums")
    center = style.comp_center if comp_center is None else comp_center
    bb = style.beats_per_bar
    n_bars = len(chords)
    parts: dict[str, list[list]] = {r: [] for r in roles}
    comp_style = "block" if profile == "basic" else style.comp_style
    bass_style = "root4" if profile == "basic" else style.bass_style
    always_pad = style.family in _ALWAYS_PAD or style.genre in _ALWAYS_PAD or mix.density >= 0.5
    prev_comp: list[int] | None = None
    prev_pad: list[int] | None = None
    sparse: list[tuple[float, float]] = []  # beats of the sparse sections
    for si, sec in enumerate(sections):
        nxt_kind = sections[si + 1]["kind"] if si + 1 < len(sections) else None
        density = section_density(style.family, sec["kind"], profile)
        if density == SPARSE:
            sparse.append((float(sec["start_bar"] * bb), float(sec["end_bar"] * bb)))
        if "drums" in parts:
            parts["drums"] += drum_section(style, sec, profile, rng, si == 0, si == len(sections) - 1, nxt_kind,
                                           weirdness, density)
        for bar in range(sec["start_bar"], sec["end_bar"]):
            if bar == n_bars - 1:
                continue
            e = bar_energy(sec, bar, nxt_kind)
            soft = 0.12 if density == SPARSE else 0.0  # a sparse section's comping and bass play softer
            b0 = float(bar * bb)
            chord, nxt = chords[bar], chords[min(bar + 1, n_bars - 1)]
            prev_comp = voice_chord(chord_pcs(chord), center, prev_comp)
            parts["bass"] += bass_bar("root4" if density == SPARSE and bass_style != "pedal" else bass_style, b0,
                                      bb, chord, nxt, e - soft, style.swing, rng, style.bass_octave)
            parts["comp"] += comp_bar(comp_style, b0, bb, prev_comp, e - soft, style.swing, rng, weirdness)
            pad_here = density > SPARSE or style.family == "ambient"
            if "pad" in parts and pad_here and (e >= 0.6 - 0.2 * mix.density or always_pad) and mix.density > -0.9:
                prev_pad = voice_chord(chord_pcs(chord), style.pad_center, prev_pad)
                parts["pad"] += [[b0, float(bb), p, int(40 + 35 * e)] for p in prev_pad]
            if "extra" in parts and density == FULL:
                parts["extra"] += extra_bar(b0, bb, prev_comp, e, rng, 0.75 - 0.2 * mix.density)
    if "counter" in parts and melody and melody.get("notes"):
        parts["counter"] = [n for n in counter_line(melody["notes"], melody.get("phrases", []), sections, chords,
                                                    bb, center - 3, rng, weirdness)
                            if not any(a <= n[0] < b for a, b in sparse)]
    if profile == "full":
        step_aside(parts, melody)
    final = chords[-1]
    fb = float((n_bars - 1) * bb)
    parts["bass"].append([fb, hold_beats, bass_root(final["root"], style.bass_octave), 96])
    final_voicing = voice_chord(chord_pcs(final), center, prev_comp)
    parts["comp"] += [[fb, hold_beats, p, 88] for p in [final_voicing[0] - 12] + final_voicing]
    if "pad" in parts:
        parts["pad"] += [[fb, hold_beats, p, 70] for p in voice_chord(chord_pcs(final), style.pad_center, prev_pad)]
    if "drums" in parts:
        parts["drums"] += drums.crash(fb, 0.8)
    return [_track(role, 0 if role == "drums" else int(style.instruments.get(role, style.instruments["comp"])),
                   parts[role], mix) for role in roles if role != "counter" or parts[role]]
