"""Scores for mashups and samples: a melody carried into another arrangement, as composer scores.

The composer covers a parent by keeping its score's melody, words, form and chords and arranging
them anew (``restyle.cover``). A mashup and a sample are covers of a score made here:

* mashup: the first clip's score (melody, words, form, chords) moved into the second clip's key
  (the same key signature: a minor tune goes to the relative minor of a major key) and tempo,
  with the second clip's style (genre, instruments, groove, mix) — its arrangement;
* sample: a song form written for the request's style and lyrics, every phrase of its lead
  filled with the sample's melody (looped), in the sample's tempo and key, the chords chosen to
  hold the melody's strong notes.

A clip without a score (an upload, a neural song) gives its melody by transcription of its vocal
part (``audio/transcribe.py``); its tempo and key are the ones measured when it was stored.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from openproducer.engines.base import ClipMeta, EngineError, ParentClip

__all__ = ["Tune", "mashup_score", "sample_score", "synthetic_parent", "tune_of"]

_SUNG_CENTRE = {"female": 67, "male": 55}  # median pitch a sung tune is moved to (by octaves)
_PLAYED_CENTRE = 72


@dataclass
class Tune:
    notes: list[tuple[float, float, int, int]]  # (start s from the tune's start, duration s, pitch, velocity)
    bpm: float
    tonic: int
    mode: str
    source: str  # "score" | "transcription (basic-pitch)"


def _key_of(text: str) -> tuple[int, str]:
    from openproducer.engines.composer.prompt import parse_key

    found = parse_key(text or "")
    if found is None:
        return 0, "major"
    return found[0], found[1] or "major"


def _notes_key(notes: list[tuple[float, float, int, int]]) -> tuple[int, str]:
    """The key whose profile best fits the tune's pitch classes (weighted by duration)."""
    from openproducer.audio.analyse import estimate_key

    profile = np.zeros(12)
    for _s, d, p, _v in notes:
        profile[p % 12] += d
    name, _ = estimate_key(profile)
    return _key_of(name)


def tune_of(parent: ParentClip, start: float | None = None, end: float | None = None) -> Tune:
    """The lead melody of ``parent``'s own part (or its window [start, end), seconds of that part)."""
    lo = parent.offset + (start or 0.0)
    hi = parent.offset + end if end is not None else math.inf
    score = parent.score or {}
    mel = score.get("melody") or {}
    if score.get("engine") == "composer" and mel.get("notes"):
        spb = 60.0 / float(score["bpm"])
        notes = [(n[0] * spb - lo, n[1] * spb, int(n[2]), int(n[3])) for n in mel["notes"] if lo <= n[0] * spb < hi]
        if notes:
            return Tune(notes, float(score["bpm"]), int(score["tonic"]), str(score["mode"]), "score")
    from openproducer.audio.transcribe import melody_line, transcribe

    sr = parent.sample_rate
    a, b = int(round(lo * sr)), (len(parent.audio) if hi == math.inf else int(round(hi * sr)))
    sources = [parent.vocal_parts()["vocals"][a:b], parent.audio[a:b]]
    line = []
    for audio in sources:
        line = melody_line(transcribe(audio, sr, low_hz=65.0, high_hz=1400.0))
        if len(line) >= 3:
            break
    if len(line) < 3:
        raise EngineError("no melody could be heard in the clip (fewer than three notes)")
    notes = [(n.start, n.end - n.start, n.pitch, n.velocity) for n in line]
    tonic, mode = _notes_key(notes)
    bpm = float(parent.meta.bpm) if parent.meta.bpm and parent.meta.bpm > 0 else 120.0
    return Tune(notes, bpm, tonic, mode, "transcription (basic-pitch)")


def _style_of(parent: ParentClip, rng: np.random.Generator) -> Any:
    from openproducer.engines.composer.prompt import Style, read_prompt

    score = parent.score or {}
    if score.get("engine") == "composer" and score.get("style"):
        return Style.from_dict(score["style"])
    bpm = float(parent.meta.bpm) if parent.meta.bpm and parent.meta.bpm > 0 else 120.0
    style = read_prompt(parent.sound or "pop", bpm=bpm, rng=rng)
    style.tonic, style.mode = _key_of(parent.meta.key)
    return style


def _shift_to(tonic: int, mode: str, target_tonic: int, target_mode: str) -> int:
    """Semitones (-6..5) that move a tune in (tonic, mode) to the key signature of the target."""
    if mode != target_mode:
        target_tonic = (target_tonic + (3 if mode == "major" else 9)) % 12  # the relative key
    return (target_tonic - tonic + 6) % 12 - 6


def _transpose(score: dict[str, Any], shift: int) -> None:
    from openproducer.engines.composer.harmony import make_chord

    if not shift:
        return
    score["chords"] = [make_chord(c["root"] + shift, c["quality"]) for c in score["chords"]]
    for track in score["tracks"]:
        if track.get("bank") != 128 and track.get("channel") != 9:
            for n in track["notes"]:
                n[2] += shift
    mel = score.get("melody") or {}
    for key in ("notes", "harmony"):
        for n in mel.get(key, []) or []:
            n[2] += shift


def mashup_score(melody: ParentClip, arrangement: ParentClip, rng: np.random.Generator, *, profile: str,
                 seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(score, facts): ``melody``'s tune and words in ``arrangement``'s key, tempo and style."""
    from openproducer.engines.composer.lexicon import NOTE_NAMES

    target = _style_of(arrangement, rng)
    score = melody.score or {}
    if score.get("engine") == "composer" and (score.get("melody") or {}).get("notes"):
        out = copy.deepcopy(score)
        source = "score"
    else:
        tune = tune_of(melody)
        style = _style_of(melody, rng)
        style.tonic, style.mode, style.bpm = tune.tonic, tune.mode, tune.bpm
        out = _song_from_tune(tune, style, melody.lyrics, tune.notes[-1][0] + tune.notes[-1][1] + 4.0, rng,
                              profile=profile, seed=seed, loop=False, gender=None)
        source = tune.source
    shift = _shift_to(int(out["tonic"]), str(out["mode"]), int(target.tonic), str(target.mode))
    _transpose(out, shift)
    new = copy.deepcopy(target)
    new.tonic, new.mode = (int(out["tonic"]) + shift) % 12, str(out["mode"])
    new.meter, new.beats_per_bar = str(out.get("time_signature", new.meter)), int(out["beats_per_bar"])
    old_bpm = float(out["bpm"])
    out.update(bpm=float(target.bpm), tonic=new.tonic, mode=new.mode, key=f"{NOTE_NAMES[new.tonic]} {new.mode}",
               duration=float(out["duration"]) * old_bpm / float(target.bpm), style=new.to_dict())
    facts = {"melody_from": melody.clip_id, "arrangement_from": arrangement.clip_id, "melody_source": source,
             "transposed_semitones": shift, "bpm": float(target.bpm), "key": out["key"]}
    return out, facts


def _song_from_tune(tune: Tune, style: Any, lyrics: str, length: float | None, rng: np.random.Generator, *,
                    profile: str, seed: int, loop: bool, gender: str | None) -> dict[str, Any]:
    """A composer score whose lead is ``tune`` (looped through every phrase with ``loop``, else
    laid on the song's clock), sung on ``lyrics`` when there are any."""
    from openproducer.engines.composer.compose import add_harmony, create_score
    from openproducer.engines.composer.lyrics import parse_lyrics
    from openproducer.engines.composer.parents import lyric_lines, renumber_phrases
    from openproducer.engines.composer.restyle import refit_lyrics, reharmonise
    from openproducer.engines.composer.singer import choose_voice

    lines = lyric_lines(lyrics) if lyrics.strip() else []
    sections = [s for s in parse_lyrics(lyrics) if s.lines] if lines else None
    score = create_score(style, sections or None, length, profile=profile, rng=rng, weirdness=0.3,
                         lead_stem="vocals" if lines else "instrumental", seed=seed)
    mel = score.get("melody")
    if not mel:
        raise EngineError("the song has no lead part to carry the melody")
    spb = 60.0 / float(score["bpm"])
    motif = [[round(s / spb * 4) / 4, max(0.25, round(d / spb * 4) / 4), p, v] for s, d, p, v in tune.notes]
    bpb = int(score["beats_per_bar"])
    notes: list[list] = []
    if loop:
        first = min(n[0] for n in motif)
        motif = [[n[0] - first, *n[1:]] for n in motif]
        span = max(bpb, math.ceil(max(n[0] + n[1] for n in motif) / bpb) * bpb)
        for index, phrase in enumerate(mel.get("phrases") or []):
            start, stop = float(phrase["start_beat"]), float(phrase["start_beat"] + phrase["beats"])
            at = start
            while at < stop - 0.25:
                for n in motif:
                    if at + n[0] < stop - 1e-6:
                        notes.append([at + n[0], min(n[1], stop - at - n[0]), n[2], n[3], "", -1, index])
                at += span
    else:
        gaps = [0.0, *[b[0] - (a[0] + a[1]) for a, b in zip(motif, motif[1:], strict=False)]]
        index = -1
        phrases = []
        for n, gap in zip(motif, gaps, strict=True):
            if index < 0 or gap >= 1.0:
                index += 1
                phrases.append({"start_beat": n[0], "beats": n[1], "section": "", "sung": bool(lines),
                                "kind": "verse"})
            phrases[-1]["beats"] = n[0] + n[1] - phrases[-1]["start_beat"]
            notes.append([*n, "", -1, index])
        mel["phrases"] = phrases
    if not notes:
        raise EngineError("the melody found no phrase to fill")
    voice = None
    if lines:
        voice = choose_voice(gender or (style.voice if style.voice in _SUNG_CENTRE else "female"), style.timbre, rng)
    centre = _SUNG_CENTRE[voice.gender] if voice is not None else _PLAYED_CENTRE
    octaves = round((centre - float(np.median([n[2] for n in notes]))) / 12)
    for n in notes:
        n[2] = int(n[2] + 12 * octaves)
    mel["notes"] = sorted(notes, key=lambda n: (n[0], n[2]))
    mel["harmony"] = []
    mel["words"] = []
    score["chords"] = reharmonise(score["chords"], mel["notes"], style.tonic, style.mode, 1.0, rng, bpb)
    if lines:
        mel["stem"] = "vocals"
        refit_lyrics(mel, lines)
        mel["voice"], mel["singer"] = voice.espeak, voice.to_dict()
        add_harmony(mel, score["chords"], style)
    else:
        mel["stem"], mel["voice"], mel["singer"] = "instrumental", None, None
    renumber_phrases(mel)
    return score


def sample_score(tune: Tune, sound: str, lyrics: str, rng: np.random.Generator, *, profile: str, seed: int,
                 gender: str | None, length: float | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(score, facts): a song in the sample's tempo and key whose lead is the sample's melody."""
    from openproducer.engines.composer.prompt import read_prompt

    style = read_prompt(sound or "pop", bpm=tune.bpm, rng=rng)
    style.tonic, style.mode = tune.tonic, tune.mode
    score = _song_from_tune(tune, style, lyrics, length, rng, profile=profile, seed=seed, loop=True,
                            gender=gender)
    facts = {"melody_source": tune.source, "sample_notes": len(tune.notes), "bpm": float(score["bpm"]),
             "key": score["key"]}
    return score, facts


def synthetic_parent(clip_id: str, score: dict[str, Any], sample_rate: int, sound: str, lyrics: str,
                     seed: int) -> ParentClip:
    """A parent that is only a score: what the composer covers to render a mashup or a sample."""
    from openproducer.engines.composer.score import key_name, lyrics_timing, meta_sections

    meta = ClipMeta(bpm=float(score["bpm"]), key=key_name(score), duration=float(score["duration"]),
                    time_signature=str(score.get("time_signature", "4/4")), sections=meta_sections(score),
                    lyrics_timing=lyrics_timing(score), has_vocals=bool((score.get("melody") or {}).get("voice")))
    return ParentClip(clip_id=clip_id, sample_rate=sample_rate, audio=np.zeros((1, 2), dtype=np.float32), stems={},
                      score=score, meta=meta, engine="composer", sound=sound, lyrics=lyrics, seed=seed)
