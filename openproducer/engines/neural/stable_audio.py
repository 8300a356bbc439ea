"""Stable Audio 3 through diffusers' text, inpaint and audio-to-audio pipelines: instrumental, 44.1 kHz.

| operation | pipeline      | what it gets                                                              |
|-----------|---------------|---------------------------------------------------------------------------|
| create    | text-to-audio | sound (with bpm and key written into it when given), length               |
| extend    | inpaint       | the song before starts_at padded with silence; the new part masked        |
| replace   | inpaint       | the song around the window; [starts_at, ends_at) masked                   |
| cover     | audio-to-audio| the parent; ``init_noise_level = cover_strength`` (0.05-1)                |
| variation | audio-to-audio| the parent's sound, a new seed; ``init_noise_level = 0.1 + 0.9 * weirdness`` |

The model has no lyrics or vocals: a create with lyrics (and not make_instrumental) is refused
with OperationNotSupported, and the swaps are not in ``capabilities``; the registry sends both
to the fallback engine. The three pipelines share one set of loaded modules (``from_pipe``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from openproducer.engines.base import EngineRequest, Operation, OperationNotSupported, ProgressFn

from .common import Job, NeuralEngine, parse_bpm, parse_key

__all__ = ["StableAudio3Engine"]


class StableAudio3Engine(NeuralEngine):
    name = "stable-audio-3"
    pipeline_sr = 44100
    max_seconds = 384.0
    sings = False
    description = "Stable Audio 3"

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.pipes: dict[str, Any] = {}

    def _load_pipeline(self, weights: Path | str, local_files_only: bool) -> None:
        from diffusers import StableAudio3AudioToAudioPipeline, StableAudio3InpaintPipeline, StableAudio3Pipeline
        from diffusers.utils import logging as diffusers_logging

        text = StableAudio3Pipeline.from_pretrained(weights, dtype=self.dtype, local_files_only=local_files_only)
        text.to(self.device)
        # from_pipe shares the loaded modules; it warns about float32 modules it does not move.
        verbosity = diffusers_logging.get_verbosity()
        diffusers_logging.set_verbosity_error()
        try:
            pipes = {
                "text": text,
                "inpaint": StableAudio3InpaintPipeline.from_pipe(text),
                "a2a": StableAudio3AudioToAudioPipeline.from_pipe(text),
            }
        finally:
            diffusers_logging.set_verbosity(verbosity)
        for pipe in pipes.values():
            pipe.set_progress_bar_config(disable=True)
        self.pipes = pipes
        self.pipeline_sr = int(text.vae.config.sampling_rate)
        self.max_seconds = float(text.duration_embedder.config.max_val)

    def _release_pipeline(self) -> None:
        self.pipes = {}

    def _capabilities(self) -> frozenset[Operation]:
        return frozenset({Operation.CREATE, Operation.EXTEND, Operation.REPLACE, Operation.COVER, Operation.VARIATION})

    def _job(self, op: Operation, request: EngineRequest, progress: ProgressFn, *, source: np.ndarray | None,
             duration: float, edit: tuple[float, float] | None) -> Job:
        parent = request.parent
        prompt = request.sound.strip()
        follows_parent = parent is not None and op is not Operation.COVER
        bpm = request.bpm or (parent.meta.bpm if follows_parent and parent else None)
        if bpm and parse_bpm(prompt) is None:
            prompt = f"{prompt}, {round(bpm)} BPM" if prompt else f"{round(bpm)} BPM"
        key = parent.meta.key if follows_parent and parent else None
        if key and parse_key(prompt) is None:
            prompt = f"{prompt}, {key}"
        if request.instruction:
            prompt = f"{prompt}. {request.instruction}" if prompt else request.instruction
        options: dict[str, Any] = {}
        seed = request.seed
        if op is Operation.CREATE:
            kind = "text"
        elif op in (Operation.EXTEND, Operation.REPLACE):
            if edit is None:
                raise ValueError("an edit needs its window")
            kind = "inpaint"
            options.update(mask_start_seconds=round(edit[0], 4), mask_end_seconds=round(edit[1], 4))
        elif op is Operation.COVER:
            kind = "a2a"
            options["init_noise_level"] = round(float(np.clip(request.cover_strength, 0.05, 1.0)), 4)
        elif op is Operation.VARIATION:
            kind = "a2a"
            options["init_noise_level"] = round(float(np.clip(0.1 + 0.9 * request.weirdness, 0.1, 1.0)), 4)
            if parent is not None and seed == parent.seed:
                seed += 1
        else:
            raise OperationNotSupported(f"{self.name} cannot {op}")
        return Job(kind=kind, prompt=prompt or "music", seed=seed, duration=duration, progress=progress,
                   source=source, options=tuple(sorted(options.items())))

    def _warm_up_job(self) -> Job:
        job = super()._warm_up_job()
        job.kind = "text"
        return job

    def _call(self, jobs: list[Job], generators: list[Any], on_step: Any) -> Any:
        import torch

        first = jobs[0]
        opts = dict(first.options)
        kwargs: dict[str, Any] = {
            "prompt": [job.prompt for job in jobs],
            "duration": float(first.duration),
            "num_inference_steps": int(opts.pop("steps", self.settings.steps)),
            "generator": generators,
            "callback_on_step_end": on_step,
            "output_type": "pt",
        }
        kwargs.update(opts)
        if first.source is not None:
            kwargs["audio"] = torch.from_numpy(np.ascontiguousarray(first.source.T))[None]
        return self.pipes[first.kind](**kwargs).audios
