"""ComposerEngine: symbolic composition rendered with a General MIDI soundfont, on CPU."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import Any

import numpy as np

from openproducer.audio.master import master_planar
from openproducer.audio.shape import interleaved
from openproducer.engines.base import (
    ClipMeta,
    EngineError,
    EngineRequest,
    Operation,
    ProgressFn,
    RenderResult,
    guarded_render,
)

from . import edits, restyle, speaker
from .balance import carve, set_level, sung_spans
from .compose import create_score
from .lyrics import parse_lyrics
from .mixing import Mix, process_instrumental, vocal_balance
from .parents import parent_score
from .prompt import read_prompt
from .render import SoundfontHandle, collect_stems, limit_heap_arenas, release_memory, submit_stems
from .requested import drop_avoided, fit_voice_range, melody_register, requested_singer, shape_style
from .score import key_name, lyrics_timing, meta_sections
from .seeds import rng_for
from .segments import score_in_form
from .singer import ALL_VOICES, choose_voice, espeak_available, register_for
from .vocals import sing

SOUNDFONT_CANDIDATES = (
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/sounds/sf3/default-GM.sf3"),
    Path("/usr/share/sounds/sf2/default-GM.sf2"),
)
LEAD_NOTE = ("The vocal stem is a lead instrument carrying the sung melody, because sung vocals "
             "are not available yet.")
SUNG_NOTE = ("The vocals are synthesised (espeak-ng syllables resynthesised with WORLD at the melody's "
             "pitches); they sound synthetic.")
PROFILES = ("full", "standard", "simple", "basic")


def is_sung(score: dict[str, Any]) -> bool:
    """Sung when the lead has a singer voice, words to sing and espeak-ng is installed."""
    mel = score.get("melody") or {}
    return (mel.get("stem") == "vocals" and bool(mel.get("voice")) and any(n[4] for n in mel.get("notes", []))
            and espeak_available())


def find_soundfont(soundfont: str | Path | None) -> Path:
    if soundfont is not None:
        path = Path(soundfont)
        if not path.is_file():
            raise EngineError(f"soundfont not found: {path}")
        return path
    for path in SOUNDFONT_CANDIDATES:
        if path.is_file():
            return path
    raise EngineError("no General MIDI soundfont found; looked for " + ", ".join(map(str, SOUNDFONT_CANDIDATES)))


class ComposerEngine:
    """Prompt -> score -> FluidSynth stems -> master. Deterministic for a given request."""

    name = "composer"
    capabilities = frozenset(Operation)
    # a render keeps about 1.3 of two cores busy (the singer's threads and FluidSynth's take turns
    # with plain Python): the two clips of a Sonic or Riffusion task render side by side
    clips_at_once = 2

    def __init__(self, soundfont: str | Path | None = None, sample_rate: int = 44100) -> None:
        self.soundfont = find_soundfont(soundfont)
        self.sample_rate = int(sample_rate)
        self._handle = SoundfontHandle(self.soundfont, self.sample_rate)

    def load(self) -> None:
        limit_heap_arenas()
        try:
            self._handle.load()
        except RuntimeError as exc:
            raise EngineError(str(exc)) from exc
        if espeak_available():  # each voice's espeak-ng helper, started in the background
            threading.Thread(target=speaker.prestart, args=(list(ALL_VOICES),), name="espeak-prestart",
                             daemon=True).start()

    def close(self) -> None:
        self._handle.close()

    def render(self, request: EngineRequest, progress: ProgressFn) -> RenderResult:
        return guarded_render(self, request, progress, self._render)

    def _render(self, op: Operation, request: EngineRequest, progress: ProgressFn) -> RenderResult:
        progress(0.02, "reading prompt")
        rng = rng_for(request.seed, op.value)
        profile = request.profile if request.profile in PROFILES else "full"
        parent = request.parent
        sr = parent.sample_rate if parent is not None else self.sample_rate
        kept: dict[str, np.ndarray] = {}
        notes: list[str] = []
        if op is Operation.CREATE:
            score = self._create(request, profile, rng)
        else:
            base = parent_score(request, rng)
            if base.get("skeleton"):
                notes.append("The parent is an upload: new material follows its tempo, key and length; "
                             "its chords and melody are not transcribed.")
            progress(0.1, "composing")
            score = {
                Operation.EXTEND: edits.extend, Operation.REPLACE: edits.replace, Operation.COVER: restyle.cover,
                Operation.VARIATION: restyle.variation, Operation.SWAP_VOCALS: restyle.swap_vocals,
                Operation.SWAP_SOUND: restyle.swap_sound,
            }[op](base, request, rng)
            if op in (Operation.COVER, Operation.SWAP_SOUND):
                drop_avoided(score, request)
            if op is Operation.SWAP_VOCALS:
                kept["instrumental"] = parent.vocal_parts()["instrumental"]
            elif op is Operation.SWAP_SOUND and ("vocals" in parent.stems or parent.meta.has_vocals):
                kept["vocals"] = parent.vocal_parts()["vocals"]
        progress(0.2, "rendering")
        stems, total = self._stems(score, kept, sr, progress)
        release_memory()
        progress(0.8, "mastering")
        mastered, info = master_planar(total, sr, mastered=request.mastered)
        del total
        mix = interleaved(mastered)
        del mastered
        release_memory()
        progress(1.0, "done")
        return RenderResult(sample_rate=sr, mix=mix, stems=stems, score=score,
                            meta=self._meta(score, stems, mix, sr, profile, info, notes, request))

    def _create(self, request: EngineRequest, profile: str, rng: np.random.Generator) -> dict[str, Any]:
        style = shape_style(read_prompt(request.sound, request.title, sound_strength=request.sound_strength,
                                        bpm=request.bpm, rng=rng), request)
        sections = None
        if request.lyrics.strip() and not request.make_instrumental:
            sections = [s for s in parse_lyrics(request.lyrics) if s.lines or s.kind] or None
            if sections is not None and not any(s.lines for s in sections):
                sections = None
        if request.make_instrumental:
            lead_stem = "instrumental" if profile in ("full", "standard") else None
        else:
            lead_stem = "vocals"
        voice = (requested_singer(request) or choose_voice(style.voice, style.timbre, rng)) if sections else None
        # A form the request names (sections and seconds): segments.py lays the song out in it.
        make_score = score_in_form(request.form, request.bpm is not None) if request.form else create_score
        score = make_score(style, sections, request.length, profile=profile, rng=rng,
                             weirdness=request.weirdness, lead_stem=lead_stem, seed=request.seed,
                             register=melody_register(register_for(voice), style.tonic, request),
                             lyrics_strength=request.lyrics_strength)
        drop_avoided(score, request)
        fit_voice_range(score, request)
        if score.get("melody") and voice is not None:
            score["melody"]["voice"] = voice.espeak
            score["melody"]["singer"] = voice.to_dict()
        return score

    def _stems(self, score: dict[str, Any], kept: dict[str, np.ndarray], sr: int,
               progress: ProgressFn) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The (samples, 2) stems and their planar (2, samples) sum, the mix before mastering.

        Progress: "singing" while the voice is made (FluidSynth plays alongside), "playing" while
        the instruments finish, "mixing" for the instrumental chain."""
        mel = score.get("melody")
        wanted = ["instrumental"]
        if mel and mel["stem"] == "vocals" and mel["notes"]:
            wanted.append("vocals")
        sung = "vocals" in wanted and "vocals" not in kept and is_sung(score)
        synth_stems = tuple(s for s in wanted if s not in kept and not (s == "vocals" and sung))
        n = len(next(iter(kept.values()))) if kept else int(round(score["duration"] * sr))
        jobs = submit_stems(self._handle, score, synth_stems, sr, n) if synth_stems else []
        vocals = None
        mix = Mix.from_dict(score.get("style", {}).get("mix"))
        balance = vocal_balance(score.get("style"))
        if sung:
            progress(0.25, "singing")
            try:
                vocals = sing(mel, float(score["bpm"]), n, sr, mix, balance)  # runs while FluidSynth renders
            except (OSError, subprocess.SubprocessError, ValueError):
                mel["voice"] = None  # espeak-ng failed: the lead instrument carries the melody instead
                jobs += submit_stems(self._handle, score, ("vocals",), sr, n)
        progress(0.55 if sung else 0.3, "playing")
        planar = collect_stems(jobs)
        progress(0.7, "mixing")
        if "instrumental" in planar:
            planar["instrumental"] = process_instrumental(planar["instrumental"], sr, mix, float(score["bpm"]),
                                                          int(score.get("seed", 0)))
        if vocals is not None:  # the backing makes room for the voice, which sits at the genre's level over it
            if "instrumental" in planar:
                carve(planar["instrumental"], vocals[0], sr, balance.carve_db)
                backing = planar["instrumental"].mean(axis=0)
            else:
                backing = np.asarray(kept["instrumental"], dtype=np.float32).mean(axis=1)
            planar["vocals"] = set_level(vocals, backing, sr, sung_spans(mel["notes"], 60.0 / float(score["bpm"])),
                                         balance.level_db)
            del backing
        score["duration"] = n / sr
        vocals = None  # planar["vocals"] holds it, and is emptied below
        stems: dict[str, np.ndarray] = {}
        total: np.ndarray | None = None
        for name in ("instrumental", "vocals"):  # one stem at a time, to keep few copies alive
            if name in kept:
                stems[name] = np.asarray(kept[name], dtype=np.float32)
                part = stems[name].T
            elif name in planar:
                part = planar.pop(name)
                stems[name] = interleaved(part)  # before the part is summed into (it may become the total)
            else:
                continue
            if total is None:  # a rendered stem's own planar buffer carries the sum (no third buffer)
                total = np.array(part, dtype=np.float32, order="C") if name in kept else part  # kept stays as it is
            else:
                total += part
        if total is None:
            total = np.zeros((2, n), dtype=np.float32)
        return stems, total

    def _meta(self, score: dict[str, Any], stems: dict[str, np.ndarray], mix: np.ndarray, sr: int, profile: str,
              info: dict[str, Any], notes: list[str], request: EngineRequest) -> ClipMeta:
        has_vocals = "vocals" in stems
        vocal_kind = None
        if has_vocals:
            parent = request.parent
            if request.operation == Operation.SWAP_SOUND and parent is not None:  # the parent's vocals stay
                vocal_kind = parent.meta.vocal_kind or ("sung" if parent.engine == "upload" else "lead-instrument")
            else:
                vocal_kind = "sung" if is_sung(score) else "lead-instrument"
            if vocal_kind == "lead-instrument":
                notes = [*notes, LEAD_NOTE]
            elif is_sung(score) and request.operation != Operation.SWAP_SOUND:
                notes = [*notes, SUNG_NOTE]
        style = score.get("style", {})
        mel = score.get("melody") or {}
        return ClipMeta(
            bpm=float(score["bpm"]), key=key_name(score), duration=round(len(mix) / sr, 3),
            time_signature=score["time_signature"], sections=meta_sections(score),
            lyrics_timing=lyrics_timing(score) if has_vocals else [], has_vocals=has_vocals,
            vocal_kind=vocal_kind, notes=notes,
            extra={"genre": style.get("genre"), "instruments": style.get("instruments"),
                   "lead_program": mel.get("program"), "profile": profile, "master": info,
                   "understood_words": style.get("words", []), "mix": style.get("mix", {}),
                   "singer": mel.get("singer") if vocal_kind == "sung" else None},
        )
