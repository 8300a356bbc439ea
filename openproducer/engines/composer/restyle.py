"""cover, variation and the two swaps: same song skeleton, new surface."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from openproducer.engines.base import EngineRequest

from .arrange import arrange
from .compose import MOTIF_ALIAS, add_harmony, write_melody
from .drums import NEIGHBOURS
from .harmony import SCALES, chord_from_token, chord_pcs
from .melody import MelodyWriter, refit_syllables
from .parents import lyric_lines, parent_style, renumber_phrases, restyle
from .prompt import Style, read_gender, tokens
from .singer import MALE_REGISTER, Voice, choose_voice, register_for
from .words import INSTRUMENTS, TIMBRE

LEAD_PROGRAMS = (85, 53, 54, 65, 73, 81, 80, 40, 22, 56, 71, 68)
_COMP_STYLES = ("block", "arp", "strum", "stab", "sustain", "pulse", "skank", "funk16")


def _bpb(score: dict[str, Any]) -> int:
    return int(score.get("beats_per_bar", 4))


def reharmonise(chords: list[dict], melody: list[list], tonic: int, mode: str, amount: float,
                rng: np.random.Generator, bpb: int = 4) -> list[dict]:
    """Swap bars' chords for diatonic ones that still hold the melody's strong notes."""
    out = [dict(c) for c in chords]
    diatonic = [chord_from_token(str(d), tonic, mode) for d in range(1, 8)]
    diatonic = [c for c in diatonic if c["quality"] != "dim"]
    for bar in range(len(chords) - 2):
        if rng.random() >= amount:
            continue
        strong = {int(n[2]) % 12 for n in melody if bar * bpb <= n[0] < (bar + 1) * bpb and n[0] % 2 < 1e-6}
        cands = [c for c in diatonic if strong <= set(chord_pcs(c)) and c["root"] != chords[bar]["root"]]
        if cands:
            out[bar] = dict(cands[int(rng.integers(len(cands)))])
    return out


def cover(parent: dict[str, Any], request: EngineRequest, rng: np.random.Generator) -> dict[str, Any]:
    """Same melody, lyrics, form, tempo and key; ``cover_strength`` sets how far the style moves."""
    strength = float(np.clip(request.cover_strength, 0.2, 1.0))
    base = parent_style(parent)
    new = restyle(base, request.sound, request.sound_strength, rng)
    out = copy.deepcopy(parent)
    if strength < 0.5:
        style = Style.from_dict(base.to_dict())
        style.comp_style = str(rng.choice([c for c in _COMP_STYLES if c != base.comp_style]))
        center = 62 + int(rng.choice([-5, -3, 4, 6]))
        chords = out["chords"]
    else:
        style = new
        center = 62 + int(rng.integers(-3, 4))
        mel_notes = (parent.get("melody") or {}).get("notes", [])
        chords = reharmonise(out["chords"], mel_notes, base.tonic, base.mode, (strength - 0.5) * 1.4, rng,
                             _bpb(parent))
        if out.get("melody") and strength >= 0.7:
            out["melody"]["program"] = new.lead
            if out["melody"].get("voice"):  # a sung lead: another singer of the same gender (same register)
                old = Voice.from_dict(out["melody"].get("singer"), out["melody"]["voice"])
                voice = choose_voice(old.gender, new.timbre, rng, avoid=old.espeak)
                out["melody"]["voice"], out["melody"]["singer"] = voice.espeak, voice.to_dict()
    if out.get("melody") and request.lyrics.strip():
        refit_lyrics(out["melody"], lyric_lines(request.lyrics))
    if out.get("melody") and out["melody"].get("voice"):
        add_harmony(out["melody"], chords, style)
    out["tracks"] = arrange(style, out["sections"], chords, parent.get("profile", request.profile), rng,
                            out["hold_beats"], comp_center=center, melody=out.get("melody"),
                            weirdness=request.weirdness)
    out["chords"] = chords
    out["style"] = style.to_dict()
    out["seed"] = request.seed
    return out


def _perturb_melody(mel: dict[str, Any], tonic: int, mode: str, w: float, rng: np.random.Generator) -> None:
    scale = [(tonic + i) % 12 for i in SCALES[mode]]
    last_in_phrase = {n[6]: i for i, n in enumerate(mel["notes"])}
    ends = set(last_in_phrase.values())
    out = []
    for i, n in enumerate(mel["notes"]):
        n = list(n)
        if i not in ends and rng.random() < 0.45 * w:
            step = int(rng.choice([-1, 1]))
            k = min(range(7), key=lambda j: min((n[2] - scale[j]) % 12, (scale[j] - n[2]) % 12))
            target = scale[(k + step) % 7]
            n[2] = n[2] + ((target - n[2] % 12 + 6) % 12 - 6)
        if n[1] >= 1.0 and rng.random() < 0.35 * w:
            half = n[1] / 2
            grace = [n[0] + half, half, n[2] + int(rng.choice([-2, -1, 2])), max(30, n[3] - 10), "", n[5], n[6]]
            n[1] = half
            out += [n, grace]
            continue
        out.append(n)
    mel["notes"] = out


def variation(parent: dict[str, Any], request: EngineRequest, rng: np.random.Generator) -> dict[str, Any]:
    """Same form, tempo and key; ``weirdness`` sets how many bars and notes change."""
    w = float(np.clip(request.weirdness, 0.0, 1.0))
    base = parent_style(parent)
    alt_style = Style.from_dict(base.to_dict())
    if rng.random() < 0.3 + 0.7 * w:
        alt_style.comp_style = str(rng.choice([c for c in _COMP_STYLES if c != base.comp_style]))
    if rng.random() < w:
        alt_style.groove = str(rng.choice(NEIGHBOURS.get(base.groove, ("backbeat",))))
    out = copy.deepcopy(parent)
    bpb = _bpb(parent)
    alt = arrange(alt_style, out["sections"], out["chords"], parent.get("profile", request.profile), rng,
                  out["hold_beats"], comp_center=base.comp_center + int(rng.integers(-4, 5)),
                  melody=out.get("melody"), weirdness=w)
    alt_by_name = {t["name"]: t for t in alt}
    p = 0.12 + 0.8 * w
    for t in out["tracks"]:
        other = alt_by_name.get(t["name"])
        if other is None:
            continue
        swap = {bar for bar in range(out["bars"] - 1) if rng.random() < p}
        keep = [n for n in t["notes"] if int(n[0] // bpb) not in swap]
        new = [n for n in other["notes"] if int(n[0] // bpb) in swap]
        t["notes"] = sorted(keep + new, key=lambda n: (n[0], n[2]))
    if out.get("melody"):
        _perturb_melody(out["melody"], base.tonic, base.mode, w, rng)
        if out["melody"].get("voice"):
            add_harmony(out["melody"], out["chords"], base)
    out["seed"] = request.seed
    return out


def refit_lyrics(mel: dict[str, Any], lines: list[list[str]]) -> list[str]:
    """Put new lyric lines on the existing phrases (one line per phrase, sung phrases first)."""
    phrases = sorted({n[6] for n in mel["notes"]})
    sung = [p for p in phrases if any(n[5] >= 0 for n in mel["notes"] if n[6] == p)] or phrases
    if len(lines) > len(sung) and sung:
        lines = lines[:len(sung) - 1] + [[w for line in lines[len(sung) - 1:] for w in line]]
    words: list[str] = []
    notes: list[list] = []
    for p in phrases:
        ph = [list(n) for n in mel["notes"] if n[6] == p]
        k = sung.index(p) if p in sung else -1
        if 0 <= k < len(lines):
            ph = refit_syllables(ph, lines[k], len(words))
            words += lines[k]
        else:
            for n in ph:
                n[4], n[5] = "", -1
        notes += ph
    mel["notes"], mel["words"] = notes, words
    return words


def new_lead_program(current: int | None, sound: str, rng: np.random.Generator) -> int:
    named = [INSTRUMENTS[w][1] for w in tokens(sound) if w in INSTRUMENTS and INSTRUMENTS[w][0] == "lead"]
    if named:
        return named[0]
    choices = [p for p in LEAD_PROGRAMS if p != current]
    return int(choices[int(rng.integers(len(choices)))])


def _sung_bars(parent: dict[str, Any], request: EngineRequest) -> tuple[int, int]:
    """The whole bars inside [starts_at, ends_at) where new words may be sung (the whole song when
    the request names no window: an add-vocals request with an overpainting window names one)."""
    if request.starts_at is None and request.ends_at is None:
        return 0, int(parent["bars"])
    bs = float(parent["beats_per_bar"]) * 60.0 / float(parent["bpm"])
    lo = math.ceil((request.starts_at or 0.0) / bs - 1e-6)
    hi = math.floor((parent["duration"] if request.ends_at is None else request.ends_at) / bs + 1e-6)
    return lo, min(int(parent["bars"]), hi)


def swap_vocals(parent: dict[str, Any], request: EngineRequest, rng: np.random.Generator) -> dict[str, Any]:
    """A new lead (timbre, or lyrics fitted to the same melody) over the same song."""
    out = copy.deepcopy(parent)
    style = parent_style(parent)
    lines = lyric_lines(request.lyrics)
    mel = out.get("melody")
    bpb = _bpb(parent)
    if not mel or not mel["notes"]:
        writer = MelodyWriter(style.tonic, style.mode, rng, request.weirdness, bpb=bpb,
                              lyrics_strength=request.lyrics_strength)
        sections = out["sections"]
        if lines:
            lo_bar, hi_bar = _sung_bars(parent, request)
            inside = [s for s in sections if min(s["end_bar"], hi_bar) - max(s["start_bar"], lo_bar) >= 2]
            body = [s for s in inside if s["kind"] not in ("intro", "outro")] or inside
            queue = list(lines)
            for s in body:
                start, end = max(s["start_bar"], lo_bar), min(s["end_bar"], hi_bar)
                s2 = dict(s, start_bar=start, end_bar=end, lines=[], line_bars=[])
                for _bar in range(start, end - 1, 2):
                    if queue:
                        s2["lines"].append(queue.pop(0))
                        s2["line_bars"].append(2)
                write_melody(writer, [s2], out["chords"], True)
        else:
            write_melody(writer, [dict(s, kind=MOTIF_ALIAS.get(s["kind"], s["kind"])) if s["kind"] in (
                "chorus", "verse") else s for s in sections], out["chords"], False)
        mel = {"name": "lead", "role": "lead", "program": style.lead, "bank": 0, "channel": 0, "volume": 112,
               "pan": 64, "reverb": 55, "notes": writer.notes, "words": writer.words,
               "phrases": writer.phrases, "motifs": writer.export_motifs(), "register": 0, "harmony": []}
        out["melody"] = mel
    elif lines:
        refit_lyrics(mel, lines)
    mel["stem"] = "vocals"
    mel["program"] = new_lead_program(mel.get("program"), request.sound, rng)
    words = tokens(request.sound)
    if any(w in INSTRUMENTS and INSTRUMENTS[w][0] == "lead" for w in words):
        mel["voice"], mel["singer"] = None, None  # the request asked for an instrument to carry the melody
    elif any(n[4] for n in mel["notes"]):
        _resing(mel, out["chords"], style, words, rng)
    renumber_phrases(mel)
    out["seed"] = request.seed
    return out


def _resing(mel: dict[str, Any], chords: list[dict], style: Style, words: list[str],
            rng: np.random.Generator) -> None:
    """A new singer: the named gender (else the other one) and timbre; the melody moves to its register."""
    old = mel.get("voice")
    old_gender = Voice.from_dict(mel.get("singer"), old).gender if old else "male"
    gender = read_gender(words) or ("male" if old_gender == "female" else "female")
    timbre: dict[str, float] = {}
    for w in words:
        for k, v in TIMBRE.get(w, {}).items():
            timbre[k] = timbre.get(k, 0.0) + v
    voice = choose_voice(gender, timbre, rng, avoid=old)
    shift = register_for(voice) - int(mel.get("register", 0))
    if shift and abs(shift) == abs(MALE_REGISTER):
        for key in ("notes", "harmony"):
            for n in mel.get(key, []):
                n[2] += shift
    mel["register"] = register_for(voice)
    mel["voice"], mel["singer"] = voice.espeak, voice.to_dict()
    add_harmony(mel, chords, style)


def swap_sound(parent: dict[str, Any], request: EngineRequest, rng: np.random.Generator) -> dict[str, Any]:
    """New accompaniment in the style of ``sound`` under the same form, chords and tempo."""
    out = copy.deepcopy(parent)
    base = parent_style(parent)
    style = restyle(base, request.sound, max(0.6, request.sound_strength), rng)
    if style.to_dict() == base.to_dict():
        style.comp_style = str(rng.choice([c for c in _COMP_STYLES if c != base.comp_style]))
        style.groove = str(rng.choice(NEIGHBOURS.get(base.groove, ("backbeat",))))
    out["tracks"] = arrange(style, out["sections"], out["chords"], parent.get("profile", request.profile), rng,
                            out["hold_beats"], melody=out.get("melody"), weirdness=request.weirdness)
    if out.get("melody") and out["melody"]["stem"] == "instrumental":
        out["melody"]["program"] = style.lead
    out["style"] = style.to_dict()
    out["seed"] = request.seed
    return out
