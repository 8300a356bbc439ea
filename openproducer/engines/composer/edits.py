"""extend and replace: new music spliced into the parent's score, time-aligned with it."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from openproducer.engines.base import EngineRequest

from .arrange import arrange
from .compose import add_harmony, compose
from .form import SectionPlan, bars_for_seconds, fit_length, instrumental_form, lyric_form_within
from .harmony import section_chords
from .lyrics import parse_lyrics
from .melody import MelodyWriter
from .parents import free_channel, lyric_lines, parent_style, renumber_phrases, restyle, used_channels
from .score import bar_seconds, clip_notes, seconds_per_beat, splice_scores
from .singer import Voice, choose_voice, register_for


def continuation_plan(total_bars: int, instruction: str) -> list[SectionPlan]:
    """Sections that continue a song (no intro); ``instruction`` can ask for a chorus, bridge or ending."""
    text = instruction.lower()
    if any(w in text for w in ("end", "outro", "finish", "fade")) and total_bars <= 8:
        return [SectionPlan("outro", "outro", max(2, total_bars))]
    plan = instrumental_form(total_bars)
    intro = plan.pop(0)
    plan[0].bars += intro.bars
    first = plan[0]
    if any(w in text for w in ("chorus", "drop", "hook")):
        first.name, first.kind = "chorus", "theme"
    elif any(w in text for w in ("bridge", "break")):
        first.name, first.kind = "bridge", "bridge"
    elif "solo" in text or "instrumental" in text:
        first.name, first.kind = "instrumental", "instrumental"
    return plan


def _shift(notes: list[list], beats: float) -> list[list]:
    return [[n[0] + beats, *n[1:]] for n in notes]


def extend(parent: dict[str, Any], request: EngineRequest, rng: np.random.Generator) -> dict[str, Any]:
    bs = bar_seconds(parent)
    starts_at = float(np.clip(30.0 if request.starts_at is None else request.starts_at, 0.0, parent["duration"]))
    add = float(request.length) if request.length else 60.0
    b0 = math.floor(starts_at / bs + 1e-6)
    start_beat = starts_at / seconds_per_beat(parent)
    style = restyle(parent_style(parent), request.sound, request.sound_strength, rng)
    bpb = style.beats_per_bar
    cont_seconds = starts_at + add - b0 * bs
    lines = parse_lyrics(request.lyrics) if request.lyrics.strip() and not request.make_instrumental else []
    if lines:
        target = bars_for_seconds(cont_seconds, style.bpm, bpb)
        plan = [s for s in lyric_form_within(lines, style.bpm, bpb, target) if s.lines or s.kind != "intro"]
        plan = fit_length(plan, target)
    else:
        plan = continuation_plan(bars_for_seconds(cont_seconds, style.bpm, bpb), request.instruction)
    mel = parent.get("melody")
    lead_stem = mel["stem"] if mel else ("vocals" if lines else None)
    voice = None
    if mel and mel.get("voice"):
        voice = Voice.from_dict(mel.get("singer"), mel["voice"])
    elif lines and lead_stem == "vocals":
        voice = choose_voice(style.voice, style.timbre, rng)
    register = int((mel or {}).get("register", register_for(voice)))
    cont = compose(style, plan, cont_seconds, profile=parent.get("profile", request.profile), rng=rng,
                   weirdness=request.weirdness, lead_stem=lead_stem, seed=request.seed, lyric=bool(lines),
                   motifs=(mel or {}).get("motifs"), register=register, lyrics_strength=request.lyrics_strength)
    shift = float(b0 * bpb)
    out = copy.deepcopy(parent)
    if request.sound.strip():
        out["style"] = style.to_dict()
    used = used_channels(out)
    by_name = {t["name"]: t for t in out["tracks"]}
    for t in out["tracks"]:
        t["notes"] = clip_notes(t["notes"], start_beat)
    for t in cont["tracks"]:
        new_notes = [n for n in _shift(t["notes"], shift) if n[0] >= start_beat - 1e-9]
        old = by_name.get(t["name"])
        if old is not None and old["program"] == t["program"]:
            old["notes"] += new_notes
        else:
            ch = 9 if t["role"] == "drums" and old is None else free_channel(used)
            used.add(ch)
            out["tracks"].append({**t, "name": t["name"] if old is None else t["name"] + "+", "channel": ch,
                                  "notes": new_notes})
    if cont.get("melody"):
        cm = cont["melody"]
        if out.get("melody") is None:
            out["melody"] = {**cm, "notes": [], "words": [], "phrases": []}
        om = out["melody"]
        om["notes"] = clip_notes(om["notes"], start_beat)
        base = len(om["words"])
        for key in ("notes", "harmony"):
            kept = clip_notes(om.get(key, []), start_beat)
            om[key] = kept + [[*n[:5], n[5] + base if n[5] >= 0 else -1, n[6]] for n in _shift(cm.get(key, []), shift)
                              if n[0] >= start_beat - 1e-9]
        om["words"] = om["words"] + cm["words"]
        if voice is not None and not om.get("voice"):
            om["voice"], om["singer"] = voice.espeak, voice.to_dict()
        moved = [{**p, "start_beat": p["start_beat"] + shift} for p in cm["phrases"]]
        om["phrases"] = [p for p in om["phrases"] if p["start_beat"] < start_beat] + [
            p for p in moved if p["start_beat"] >= start_beat]
        renumber_phrases(om)
    out["sections"] = [dict(s, end_bar=min(s["end_bar"], b0)) for s in out["sections"] if s["start_bar"] < b0]
    out["sections"] += [dict(s, start_bar=s["start_bar"] + b0, end_bar=s["end_bar"] + b0) for s in cont["sections"]]
    out["chords"] = out["chords"][:b0] + cont["chords"]
    out["bars"] = len(out["chords"])
    out["duration"] = b0 * bs + cont["duration"]
    out["hold_beats"] = cont["hold_beats"]
    out["seed"] = request.seed
    return out


def _window_bars(parent: dict[str, Any], request: EngineRequest) -> tuple[int, int]:
    """The bars that overlap [starts_at, ends_at): the edit joins the parent on bar lines."""
    bs = bar_seconds(parent)
    s = float(np.clip(request.starts_at or 0.0, 0.0, parent["duration"]))
    e = parent["duration"] if request.ends_at is None else float(np.clip(request.ends_at, s, parent["duration"]))
    b_start = min(parent["bars"] - 1, math.floor(s / bs + 1e-6))
    b_end = min(parent["bars"], max(b_start + 1, math.ceil(e / bs - 1e-6)))
    return b_start, b_end


def replace(parent: dict[str, Any], request: EngineRequest, rng: np.random.Generator) -> dict[str, Any]:
    """Recompose the bars overlapping [starts_at, ends_at); everything else stays as it was."""
    b_start, b_end = _window_bars(parent, request)
    style = restyle(parent_style(parent), request.sound, request.sound_strength, rng)
    bpb = style.beats_per_bar
    chords = copy.deepcopy(parent["chords"])
    for s in parent["sections"]:
        if s["end_bar"] <= b_start or s["start_bar"] >= b_end:
            continue
        new = section_chords(s["kind"], s["end_bar"] - s["start_bar"], style.progressions, style.tonic,
                             style.mode, rng, max(0.3, request.weirdness))
        for i, bar in enumerate(range(s["start_bar"], s["end_bar"])):
            if b_start <= bar < min(b_end, parent["bars"] - 2):
                chords[bar] = new[i]
    sections = [dict(s) for s in parent["sections"]]
    ws, we = float(b_start * bpb), float(b_end * bpb)
    melody = copy.deepcopy(parent.get("melody"))
    if melody:
        _rewrite_melody(melody, sections, chords, style, ws, we, request, rng)
        if melody.get("harmony") is not None and melody.get("voice"):
            add_harmony(melody, chords, style)
    tracks = arrange(style, sections, chords, parent.get("profile", request.profile), rng, parent["hold_beats"],
                     melody=melody, weirdness=request.weirdness)
    alt = {**parent, "tracks": tracks, "chords": chords, "melody": melody}
    out = splice_scores(parent, alt, ws, we)
    if melody:
        harmony = out["melody"].get("harmony", [])
        out["melody"] = melody
        out["melody"]["harmony"] = harmony
    return out


def _rewrite_melody(mel: dict[str, Any], sections: list[dict], chords: list[dict], style: Any, ws: float,
                    we: float, request: EngineRequest, rng: np.random.Generator) -> None:
    """New phrases for those that lie wholly inside [ws, we); words kept, or taken from ``request.lyrics``.

    A phrase that crosses the window's edge keeps all its notes, so the edit never
    reaches outside the window and no sung word is cut in two.
    """
    eps = 1e-6
    phrases = mel["phrases"]
    chosen = [i for i, p in enumerate(phrases) if p["start_beat"] >= ws - eps and p["start_beat"] + p["beats"]
              <= we + eps]
    new_lines = lyric_lines(request.lyrics)
    if not chosen and not new_lines:
        return
    bpb = style.beats_per_bar
    slots = [dict(phrases[i]) for i in chosen]
    if not slots:  # new words where nothing was sung: 2-bar phrases in the free bars of the window
        taken = [(p["start_beat"], p["start_beat"] + p["beats"]) for p in phrases]
        slots = [{"start_beat": float(b), "beats": min(2.0 * bpb, we - b), "section": "", "sung": False}
                 for b in np.arange(ws, we - bpb + eps, 2.0 * bpb)
                 if not any(a < b + 2.0 * bpb and b < z for a, z in taken)]
    index = set(chosen)
    old_in = [n for n in mel["notes"] if n[6] in index]
    word_ids = sorted({n[5] for n in old_in if n[5] >= 0})
    first = word_ids[0] if word_ids else len({n[5] for n in mel["notes"] if n[0] < ws and n[5] >= 0})
    last = word_ids[-1] if word_ids else first - 1
    writer = MelodyWriter(style.tonic, style.mode, rng, max(0.3, request.weirdness), bpb=bpb,
                          register=int(mel.get("register", 0)), lyrics_strength=request.lyrics_strength)
    kind_of = {s["name"]: s["kind"] for s in sections}
    for k, p in enumerate(slots):
        sec = next((s for s in sections if s["start_bar"] * bpb <= p["start_beat"] < s["end_bar"] * bpb),
                   sections[-1])
        if new_lines:
            words = new_lines[k] if k < len(new_lines) else None
            if k == len(slots) - 1 and len(new_lines) > len(slots):
                words = [w for line in new_lines[k:] for w in line]
        else:
            own = chosen[k] if k < len(chosen) else -1
            words = [mel["words"][w] for w in sorted({n[5] for n in old_in if n[6] == own and n[5] >= 0})]
        writer.phrase(p.get("kind") or kind_of.get(p["section"], sec["kind"]), k, p["start_beat"], p["beats"],
                      chords, sec["energy"], words or None, sec["name"])
    delta = len(writer.words) - (last + 1 - first)
    notes = [n for n in mel["notes"] if n[6] not in index]
    for n in notes:
        if n[5] > last:
            n[5] += delta
    notes += [[*n[:5], n[5] + first if n[5] >= 0 else -1, n[6]] for n in writer.notes if n[0] < we]
    mel["words"] = mel["words"][:first] + writer.words + mel["words"][last + 1:]
    mel["notes"] = sorted(notes, key=lambda n: n[0])
    mel["phrases"] = [p for i, p in enumerate(phrases) if i not in index] + writer.phrases
    renumber_phrases(mel)
