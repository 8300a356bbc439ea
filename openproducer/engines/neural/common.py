"""What the diffusers engines share: loading, batching, the edit windows, stems, mastering, metadata.

A subclass names its pipeline (``_load_pipeline``), what it can do (``_capabilities``), how a
request becomes a pipeline :class:`Job` (``_job``) and how a batch of jobs becomes one pipeline
call (``_call``). Everything around that is here: the source audio is cut to a window around
the edit (with up to :data:`EDIT_CONTEXT_S` of context each side), resampled to the pipeline's
rate, and the pipeline's output is resampled to the parent's rate (44.1 kHz for new songs),
level-matched to the parent, put back in place, split into stems and mastered.

torch is imported in :meth:`NeuralEngine.load`, never at import time.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from math import gcd
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.signal import resample_poly

from openproducer.audio.analyse import analyse_audio, split_vocals
from openproducer.audio.master import master
from openproducer.audio.shape import as_stereo, fit_length
from openproducer.engines.base import (
    ClipMeta,
    EngineError,
    EngineRequest,
    Operation,
    OperationNotSupported,
    ParentClip,
    ProgressFn,
    RenderResult,
    guarded_render,
)

from .batching import Batcher
from .weights import check_weights, gpu_packages_missing

if TYPE_CHECKING:
    from openproducer.core.config import NeuralEngineSettings

__all__ = [
    "EDIT_CONTEXT_S",
    "OUT_SR",
    "Job",
    "NeuralEngine",
    "fit_length",
    "parse_bpm",
    "parse_key",
    "resample",
]

log = logging.getLogger(__name__)

OUT_SR = 44100
EDIT_CONTEXT_S = 60.0  # parent audio given to the model on each side of an edit
WARMUP_S = 2.0
# Share of the progress bar: before the pipeline (cutting, resampling), the denoising steps, after.
_DENOISE_FROM, _DENOISE_TO = 0.05, 0.85

_BPM_RE = re.compile(r"\b(\d{2,3}(?:\.\d+)?)\s*(?:bpm|beats per minute)\b", re.IGNORECASE)
_KEY_RE = re.compile(
    r"\b([A-G])\s*(#|♯|b|♭|-sharp|-flat| sharp| flat)?\s*(major|minor|maj|min)\b", re.IGNORECASE
)
_ACCIDENTALS = {"#": "#", "♯": "#", "-sharp": "#", " sharp": "#", "b": "b", "♭": "b", "-flat": "b", " flat": "b"}


def parse_bpm(text: str) -> float | None:
    """A tempo written in a prompt ("120 bpm"), within 30-300."""
    match = _BPM_RE.search(text or "")
    if match is None:
        return None
    bpm = float(match.group(1))
    return bpm if 30.0 <= bpm <= 300.0 else None


def parse_key(text: str) -> str | None:
    """A key written in a prompt ("in F# minor", "Bb major") as "F# minor" / "Bb major"."""
    match = _KEY_RE.search(text or "")
    if match is None:
        return None
    tonic = match.group(1).upper() + _ACCIDENTALS.get((match.group(2) or "").lower(), "")
    mode = "major" if match.group(3).lower().startswith("maj") else "minor"
    return f"{tonic} {mode}"


def resample(audio: np.ndarray, sr_from: int, sr_to: int) -> np.ndarray:
    """(samples, channels) float32 from one rate to another (polyphase, exact ratio)."""
    audio = np.asarray(audio, dtype=np.float32)
    if sr_from == sr_to or len(audio) == 0:
        return audio
    g = gcd(int(sr_from), int(sr_to))
    return resample_poly(audio, sr_to // g, sr_from // g, axis=0).astype(np.float32)


def _rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0


def _gain_to_match(new: np.ndarray, reference: np.ndarray) -> float:
    """The gain that gives ``new`` the RMS of ``reference`` (1 when either is silent), within +-24 dB."""
    a, b = _rms(new), _rms(reference)
    if a < 1e-6 or b < 1e-6:
        return 1.0
    return float(np.clip(b / a, 10 ** (-24 / 20), 10 ** (24 / 20)))


@dataclass
class Job:
    """One pipeline render: what a batch is made of."""

    kind: str  # the pipeline's task: "text2music", "repaint", "cover", "lego", "complete", "inpaint", ...
    prompt: str
    seed: int
    duration: float  # seconds to make (for audio tasks: the source's length)
    progress: ProgressFn
    lyrics: str = ""
    source: np.ndarray | None = None  # (samples, 2) at the pipeline's rate
    options: tuple[tuple[str, Any], ...] = ()  # scalar pipeline arguments, part of the batch key
    progress_error: BaseException | None = field(default=None, repr=False)

    def option(self, name: str, default: Any = None) -> Any:
        return dict(self.options).get(name, default)

    @property
    def batch_key(self) -> tuple[Any, ...] | None:
        """Jobs with equal keys share one pipeline call; jobs on source audio run alone."""
        if self.source is not None:
            return None
        return (self.kind, round(self.duration, 3), self.options)


@dataclass
class _Window:
    """The part of the song an edit renders: ``[start, end)`` in samples at the output rate."""

    start: int
    end: int
    edit_from: int  # the edited region inside the window, in samples from its start
    edit_to: int


class NeuralEngine(ABC):
    """The Engine protocol around one resident diffusers pipeline; see the module docstring."""

    name = "neural"
    pipeline_sr = OUT_SR
    max_seconds = 600.0
    sings = False  # whether lyrics are sung
    description = ""

    def __init__(self, settings: NeuralEngineSettings) -> None:
        self.settings = settings
        self.capabilities: frozenset[Operation] = frozenset()
        self.batcher: Batcher[Job, np.ndarray] | None = None
        self.device: Any = None
        self.dtype: Any = None
        self.weights: Path | str | None = None
        self._torch: Any = None

    # -- loading ------------------------------------------------------------------------------

    def load(self) -> None:
        if self.batcher is not None:
            return
        self.weights = check_weights(self.name, self.settings.path, self.settings.allow_download)
        missing = gpu_packages_missing()
        if missing:
            raise EngineError(f"{self.name} needs the gpu extra (pip install 'openproducer[gpu]'); "
                              f"not importable: {', '.join(missing)}")
        import torch

        _quiet_progress_bars()
        self._torch = torch
        self.device = _resolve_device(torch, self.settings.device)
        self.dtype = _resolve_dtype(torch, self.settings.dtype, self.device)
        try:
            self._load_pipeline(self.weights, local_files_only=not self.settings.allow_download)
        except (OSError, ValueError, RuntimeError, KeyError, TypeError) as exc:
            raise EngineError(f"{self.name} could not load its weights from {self.weights}: {exc}") from exc
        self.capabilities = self._capabilities()
        self.batcher = Batcher(self._run, self.settings.batch_size, self.settings.batch_wait_ms / 1000.0)
        self._warm_up()
        log.info("%s loaded from %s on %s (%s); can %s", self.name, self.weights, self.device,
                 str(self.dtype).removeprefix("torch."), ", ".join(sorted(self.capabilities)))

    def close(self) -> None:
        self._release_pipeline()
        self.batcher = None
        if self._torch is not None and self.device is not None and self.device.type == "cuda":
            self._torch.cuda.empty_cache()

    def _warm_up(self) -> None:
        """One short render and one analysis of it, so the first task pays neither for kernel
        selection and allocation nor for importing librosa's beat and key code (~4 s)."""
        job = self._warm_up_job()
        audio = self._run([job])[0]
        analyse_audio(resample(as_stereo(audio), self.pipeline_sr, OUT_SR), OUT_SR)

    # -- subclass hooks -----------------------------------------------------------------------

    @abstractmethod
    def _load_pipeline(self, weights: Path | str, local_files_only: bool) -> None:
        """Load the pipeline(s) from ``weights`` onto ``self.device`` in ``self.dtype``."""

    @abstractmethod
    def _release_pipeline(self) -> None:
        """Drop the references to the pipeline(s) so their memory can be freed."""

    @abstractmethod
    def _capabilities(self) -> frozenset[Operation]:
        """The operations the loaded weights can perform."""

    def _warm_up_job(self) -> Job:
        return Job(kind="text2music", prompt="warm-up", seed=0, duration=WARMUP_S, progress=_no_progress,
                   options=(("steps", 1),))

    @abstractmethod
    def _call(self, jobs: list[Job], generators: list[Any], on_step: Any) -> Any:
        """Run the pipeline on a batch of compatible jobs; a (batch, channels, samples) tensor."""

    @abstractmethod
    def _job(self, op: Operation, request: EngineRequest, progress: ProgressFn, *, source: np.ndarray | None,
             duration: float, edit: tuple[float, float] | None) -> Job:
        """The pipeline job for ``op``; ``source`` at the pipeline's rate, ``edit`` seconds in it."""

    # -- running the pipeline -----------------------------------------------------------------

    def _run(self, jobs: list[Job]) -> list[np.ndarray]:
        torch = self._torch
        # The pipelines draw some noise from the global RNG (the VAE encoding of a source):
        # seeding it makes edits as reproducible as fresh songs.
        torch.manual_seed(int(jobs[0].seed))
        generators = [torch.Generator("cpu").manual_seed(int(job.seed)) for job in jobs]
        steps = int(jobs[0].option("steps", self.settings.steps))

        def on_step(pipe: Any, step: int, timestep: Any, tensors: dict[str, Any]) -> dict[str, Any]:
            fraction = _DENOISE_FROM + (_DENOISE_TO - _DENOISE_FROM) * min(1.0, (step + 1) / max(steps, 1))
            for job in jobs:
                if job.progress_error is None:
                    try:
                        job.progress(fraction, "denoising")
                    except Exception as exc:  # a timed-out or lost task: stop it, not its batch-mates
                        job.progress_error = exc
            if all(job.progress_error is not None for job in jobs):
                raise jobs[0].progress_error  # type: ignore[misc]
            return tensors

        try:
            out = self._call(jobs, generators, on_step)
            audio = out.float().cpu().numpy()
        finally:
            if self.device is not None and self.device.type == "cuda":
                torch.cuda.empty_cache()
        return [np.ascontiguousarray(audio[i].T) for i in range(len(jobs))]

    def _generate(self, job: Job, n_out: int, out_sr: int) -> np.ndarray:
        """Run ``job`` (batched with compatible concurrent jobs); ``n_out`` samples at ``out_sr``."""
        if self.batcher is None:
            raise EngineError(f"{self.name} is not loaded")
        audio = self.batcher.submit(job.batch_key, job)
        if job.progress_error is not None:
            raise job.progress_error
        return fit_length(resample(as_stereo(audio), self.pipeline_sr, out_sr), n_out)

    # -- the Engine protocol ------------------------------------------------------------------

    def render(self, request: EngineRequest, progress: ProgressFn) -> RenderResult:
        return guarded_render(self, request, progress, self._render)

    def _render(self, op: Operation, request: EngineRequest, progress: ProgressFn) -> RenderResult:
        progress(0.01, "preparing")
        parent = request.parent
        if op is Operation.CREATE:
            return self._create(request, progress)
        assert parent is not None
        if op in (Operation.EXTEND, Operation.REPLACE):
            return self._edit(op, request, parent, progress)
        if op in (Operation.SWAP_VOCALS, Operation.SWAP_SOUND):
            return self._swap(op, request, parent, progress)
        return self._restyle(op, request, parent, progress)

    def _create(self, request: EngineRequest, progress: ProgressFn) -> RenderResult:
        singing = self.sings and bool(request.lyrics.strip()) and not request.make_instrumental
        if request.lyrics.strip() and not request.make_instrumental and not self.sings:
            raise OperationNotSupported(f"{self.name} makes instrumental music and cannot sing lyrics")
        seconds = float(request.length) if request.length else default_length(request, singing)
        if seconds > self.max_seconds:
            raise EngineError(f"{self.name} makes at most {self.max_seconds:.0f} s in one piece")
        job = self._job(Operation.CREATE, request, progress, source=None, duration=seconds, edit=None)
        audio = self._generate(job, int(round(seconds * OUT_SR)), OUT_SR)
        return self._finish(request, self._stems(audio, singing), OUT_SR, progress, has_vocals=singing,
                            mix_source=audio)

    def _window(self, op: Operation, request: EngineRequest, parent: ParentClip) -> tuple[_Window, int]:
        """The window an extend or replace renders, and the length of the whole result."""
        sr = parent.sample_rate
        n_parent = len(parent.audio)
        start = int(round(min(max(float(request.starts_at or 0.0), 0.0), n_parent / sr) * sr))
        if op is Operation.EXTEND:
            added = float(request.length or 30.0)
            if added > self.max_seconds - 1.0:
                raise EngineError(f"{self.name} can add at most {self.max_seconds - 1.0:.0f} s at once")
            end = start + int(round(added * sr))
            context = min(EDIT_CONTEXT_S, self.max_seconds - added)
            w_start = max(0, start - int(context * sr))
            return _Window(w_start, end, start - w_start, end - w_start), end
        stop = int(round(min(float(request.ends_at or n_parent / sr), n_parent / sr) * sr))
        if stop - start > int(self.max_seconds * sr):
            raise EngineError(f"{self.name} can replace at most {self.max_seconds:.0f} s at once")
        context = min(EDIT_CONTEXT_S, (self.max_seconds * sr - (stop - start)) / (2 * sr))
        w_start = max(0, start - int(context * sr))
        w_end = min(n_parent, stop + int(context * sr))
        return _Window(w_start, w_end, start - w_start, stop - w_start), n_parent

    def _edit(self, op: Operation, request: EngineRequest, parent: ParentClip, progress: ProgressFn) -> RenderResult:
        """Extend (outpaint after ``starts_at``) or replace ``[starts_at, ends_at)``: the whole song back."""
        sr = parent.sample_rate
        window, total = self._window(op, request, parent)
        song = as_stereo(parent.audio)
        source = fit_length(song[window.start : min(window.end, len(song))], window.end - window.start)
        native = resample(source, sr, self.pipeline_sr)
        seconds = len(source) / sr
        edit = (window.edit_from / sr, window.edit_to / sr)
        job = self._job(op, request, progress, source=native, duration=seconds, edit=edit)
        rendered = self._generate(job, len(source), sr)
        # The parent's own audio around the edit (what the model was given as context) sets the level.
        context = np.concatenate([source[: window.edit_from], source[window.edit_to :]]) if op is Operation.REPLACE \
            else source[: window.edit_from]
        mine = np.concatenate([rendered[: window.edit_from], rendered[window.edit_to :]]) if op is Operation.REPLACE \
            else rendered[: window.edit_from]
        if _rms(context) < 1e-6:  # no context (an extend from 0 s): the parent's overall level
            context, mine = song, rendered[window.edit_from : window.edit_to]
        rendered *= np.float32(_gain_to_match(mine, context))
        # The parent's audio outside the edited region, the new audio inside (the runner then
        # crossfades the joins); the model's re-render of the context is not used.
        edited = slice(window.start + window.edit_from, window.start + window.edit_to)
        inner = slice(window.edit_from, window.edit_to)
        whole = fit_length(song, total)
        whole[edited] = rendered[inner]
        singing = self.sings and parent.meta.has_vocals and not request.make_instrumental
        # Stems are kept only where the parent has them: then the new part is split to match.
        window_stems = self._stems(rendered, singing, split=bool(parent.stems), sr=sr)
        stems: dict[str, np.ndarray] = {}
        for name in sorted(set(window_stems) | set(parent.stems)):
            base = parent.stems.get(name)
            canvas = fit_length(as_stereo(base), total) if base is not None else np.zeros((total, 2), np.float32)
            canvas[edited] = window_stems[name][inner] if name in window_stems else 0.0
            stems[name] = canvas
        notes = [f"{self.description} regenerated {edit[1] - edit[0]:.1f} s with "
                 f"{window.edit_from / sr + (window.end - window.start - window.edit_to) / sr:.1f} s of the song "
                 "around it as context."]
        return self._finish(request, stems, sr, progress, has_vocals=parent.meta.has_vocals or "vocals" in stems,
                            mix_source=whole,
                            notes=notes)

    def _restyle(self, op: Operation, request: EngineRequest, parent: ParentClip,
                 progress: ProgressFn) -> RenderResult:
        """Cover and variation: the whole parent as the source."""
        sr = parent.sample_rate
        song = as_stereo(parent.audio)
        if len(song) / sr > self.max_seconds:
            raise EngineError(f"{self.name} can {op.value} songs of at most {self.max_seconds:.0f} s")
        native = resample(song, sr, self.pipeline_sr)
        job = self._job(op, request, progress, source=native, duration=len(song) / sr, edit=None)
        rendered = self._generate(job, len(song), sr)
        rendered *= np.float32(_gain_to_match(rendered, song))
        singing = self.sings and not request.make_instrumental and (
            bool(request.lyrics.strip()) or parent.meta.has_vocals)
        return self._finish(request, self._stems(rendered, singing), sr, progress, has_vocals=singing,
                            mix_source=rendered)

    def _swap(self, op: Operation, request: EngineRequest, parent: ParentClip, progress: ProgressFn) -> RenderResult:
        """Keep one stem (split from the mix when the parent has none), regenerate the other on it."""
        sr = parent.sample_rate
        n = len(parent.audio)
        if n / sr > self.max_seconds:
            raise EngineError(f"{self.name} can swap songs of at most {self.max_seconds:.0f} s")
        parts = parent.vocal_parts()
        kept_name, new_name = ("instrumental", "vocals") if op is Operation.SWAP_VOCALS else ("vocals", "instrumental")
        kept = parts[kept_name]
        if op is Operation.SWAP_VOCALS and request.make_instrumental:  # nothing to sing: the instrumental alone
            return self._finish(request, {"instrumental": kept}, sr, progress, has_vocals=False,
                                notes=["make_instrumental: the parent's instrumental, without vocals."])
        native = resample(kept, sr, self.pipeline_sr)
        job = self._job(op, request, progress, source=native, duration=n / sr, edit=None)
        rendered = self._generate(job, n, sr)
        rendered *= np.float32(_gain_to_match(rendered, parts[new_name] if _rms(parts[new_name]) > 1e-6 else kept))
        stems = {kept_name: kept, new_name: rendered}
        return self._finish(request, stems, sr, progress, has_vocals="vocals" in stems)

    # -- finishing ----------------------------------------------------------------------------

    @staticmethod
    def _stems(audio: np.ndarray, singing: bool, *, split: bool = False, sr: int = OUT_SR) -> dict[str, np.ndarray]:
        """The stems stored with a result: the instrumental when nothing is sung. A sung result is
        stored without stems unless ``split`` (a REPET-SIM split of a 3-minute song costs several
        seconds of CPU, more than the GPU spends making it); a swap splits its parent when needed
        (``ParentClip.vocal_parts``)."""
        if not singing:
            return {"instrumental": audio}
        if not split:
            return {}
        parts = split_vocals(audio, sr)
        return {"instrumental": parts["instrumental"], "vocals": parts["vocals"]}

    def _finish(self, request: EngineRequest, stems: dict[str, np.ndarray], sr: int, progress: ProgressFn, *,
                has_vocals: bool, mix_source: np.ndarray | None = None,
                notes: list[str] | None = None) -> RenderResult:
        progress(0.88, "mastering")
        total = mix_source if mix_source is not None else sum(stems.values())
        mix, info = master(np.asarray(total, dtype=np.float32), sr, mastered=request.mastered)
        progress(0.94, "analysing")
        meta = self._meta(request, mix, sr, info, has_vocals, notes or [])
        progress(1.0, "done")
        return RenderResult(sample_rate=sr, mix=mix, stems={k: v.astype(np.float32) for k, v in stems.items()},
                            score=None, meta=meta)

    def _meta(self, request: EngineRequest, mix: np.ndarray, sr: int, info: dict[str, Any], has_vocals: bool,
              notes: list[str]) -> ClipMeta:
        parent = request.parent
        analysis = analyse_audio(mix, sr)
        asked_bpm = request.bpm or parse_bpm(request.sound)
        asked_key = parse_key(request.sound)
        keeps_parent = request.operation in (Operation.EXTEND, Operation.REPLACE, Operation.SWAP_VOCALS,
                                             Operation.SWAP_SOUND)
        bpm = asked_bpm or (parent.meta.bpm if parent is not None and keeps_parent else None) or analysis.bpm or 120.0
        key = asked_key or (parent.meta.key if parent is not None and keeps_parent else None) or analysis.key
        if has_vocals and request.operation is Operation.SWAP_SOUND:
            notes = [*notes, "The vocals are the parent's own, split from its mix when it had no vocal stem."]
        elif has_vocals:
            notes = [*notes, f"{self.description} sang the vocals."]
        return ClipMeta(
            bpm=float(bpm), key=key, duration=round(len(mix) / sr, 3),
            time_signature=parent.meta.time_signature if parent is not None else "4/4",
            sections=analysis.sections, has_vocals=has_vocals, vocal_kind="sung" if has_vocals else None,
            notes=notes,
            extra={"engine": self.name, "weights": Path(str(self.weights)).name, "steps": self.settings.steps,
                   "asked_bpm": asked_bpm, "asked_key": asked_key, "analysed_bpm": analysis.bpm,
                   "analysed_key": analysis.key, "master": info, "profile": request.profile},
        )


def default_length(request: EngineRequest, singing: bool) -> float:
    """30 s without lyrics; with lyrics about 4 s a sung line plus an intro and outro (30-240 s)."""
    if not singing:
        return 30.0
    lines = [ln for ln in request.lyrics.splitlines() if ln.strip() and not ln.strip().startswith("[")]
    return float(np.clip(12.0 + 4.0 * len(lines), 30.0, 240.0))


def time_signature_beats(signature: str | None) -> str | None:
    """"3/4" -> "3" (how ACE-Step writes a metre)."""
    if not signature:
        return None
    head = signature.split("/", 1)[0].strip()
    return head if head.isdigit() else None


def _quiet_progress_bars() -> None:
    """No tqdm bars from loading or denoising in a worker's log."""
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    diffusers_logging.disable_progress_bar()
    transformers_logging.disable_progress_bar()


def _no_progress(fraction: float, stage: str) -> None:
    return None


def _resolve_device(torch: Any, setting: str) -> Any:
    if setting == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(setting)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise EngineError(f"device {setting!r} is configured but CUDA is not available on this machine")
    return device


def _resolve_dtype(torch: Any, setting: str, device: Any) -> Any:
    if setting == "auto":
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[setting]
