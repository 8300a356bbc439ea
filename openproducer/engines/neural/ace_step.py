"""ACE-Step 1.5 through diffusers' ``AceStepPipeline``: songs with sung lyrics, at 48 kHz.

| operation   | pipeline task | what it gets                                                            |
|-------------|---------------|-------------------------------------------------------------------------|
| create      | text2music    | sound, lyrics ("[Instrumental]" when make_instrumental), bpm, key, length |
| extend      | repaint       | the song before starts_at padded with silence; the new part repainted   |
| replace     | repaint       | the song around the window; [starts_at, ends_at) repainted              |
| cover       | cover         | the parent; ``audio_cover_strength = 1.2 - cover_strength`` (0.2-1)     |
| variation   | cover         | the parent's conditions, a new seed; ``audio_cover_strength = 1 - 0.8 * weirdness`` |
| swap vocals | lego          | the instrumental; the "vocals" track generated on it                    |
| swap sound  | complete      | the vocals; the accompaniment completed around them                     |

Cover and variation need the checkpoint's audio tokenizer/detokenizer; lego and complete work
only on base (non-turbo) checkpoints, as ACE-Step documents. What the loaded folder cannot do
is left out of ``capabilities``, and the registry sends it to the fallback engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from openproducer.engines.base import EngineRequest, Operation, OperationNotSupported, ProgressFn

from .common import Job, NeuralEngine, parse_bpm, parse_key, time_signature_beats

__all__ = ["AceStepEngine"]

# The track names ACE-Step's lego/complete tasks know, and words of a prompt that ask for them.
TRACKS: dict[str, tuple[str, ...]] = {
    "drums": ("drum", "drums", "beat", "kit"),
    "bass": ("bass", "808"),
    "guitar": ("guitar", "guitars"),
    "keyboard": ("piano", "keys", "keyboard", "organ", "rhodes"),
    "percussion": ("percussion", "conga", "bongo", "shaker", "tabla"),
    "strings": ("strings", "violin", "cello", "orchestra", "orchestral"),
    "synth": ("synth", "synths", "synthesizer", "pad", "pads", "electronic"),
    "brass": ("brass", "trumpet", "trombone", "horn", "horns"),
    "woodwinds": ("flute", "clarinet", "sax", "saxophone", "woodwind", "woodwinds", "oboe"),
}
DEFAULT_TRACKS = ("drums", "bass", "keyboard", "guitar")


def tracks_for(sound: str) -> tuple[str, ...]:
    words = {w.strip(".,;:!?()").lower() for w in sound.split()}
    found = tuple(track for track, names in TRACKS.items() if words & set(names))
    return found or DEFAULT_TRACKS


class AceStepEngine(NeuralEngine):
    name = "ace-step"
    pipeline_sr = 48000
    max_seconds = 600.0
    sings = True
    description = "ACE-Step"

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.pipe: Any = None

    def _load_pipeline(self, weights: Path | str, local_files_only: bool) -> None:
        from diffusers import AceStepPipeline

        pipe = AceStepPipeline.from_pretrained(weights, dtype=self.dtype, local_files_only=local_files_only)
        pipe.to(self.device)
        pipe.set_progress_bar_config(disable=True)
        self.pipe = pipe
        self.pipeline_sr = int(pipe.sample_rate)

    def _release_pipeline(self) -> None:
        self.pipe = None

    def _capabilities(self) -> frozenset[Operation]:
        ops = {Operation.CREATE, Operation.EXTEND, Operation.REPLACE}
        if self.pipe.audio_tokenizer is not None and self.pipe.audio_token_detokenizer is not None:
            ops |= {Operation.COVER, Operation.VARIATION}
        if not self.pipe.is_turbo:
            ops |= {Operation.SWAP_VOCALS, Operation.SWAP_SOUND}
        return frozenset(ops)

    def _job(self, op: Operation, request: EngineRequest, progress: ProgressFn, *, source: np.ndarray | None,
             duration: float, edit: tuple[float, float] | None) -> Job:
        parent = request.parent
        follows_parent = parent is not None and op is not Operation.COVER
        bpm = request.bpm or parse_bpm(request.sound) or (parent.meta.bpm if follows_parent and parent else None)
        key = parse_key(request.sound) or (parent.meta.key if follows_parent and parent else None)
        options: dict[str, Any] = {
            "bpm": int(round(bpm)) if bpm else None,
            "keyscale": key,
            "timesignature": time_signature_beats(parent.meta.time_signature) if parent is not None else None,
        }
        lyrics = request.lyrics.strip()
        if request.make_instrumental or not lyrics:
            lyrics = "[Instrumental]"
        prompt = request.sound.strip()
        if request.instruction:
            prompt = f"{prompt}. {request.instruction}" if prompt else request.instruction
        seed = request.seed
        if op is Operation.CREATE:
            kind = "text2music"
        elif op in (Operation.EXTEND, Operation.REPLACE):
            if edit is None:
                raise ValueError("an edit needs its window")
            kind = "repaint"
            options.update(repainting_start=round(edit[0], 4), repainting_end=round(edit[1], 4))
        elif op is Operation.COVER:
            kind = "cover"
            options["audio_cover_strength"] = round(float(np.clip(1.2 - request.cover_strength, 0.2, 1.0)), 4)
        elif op is Operation.VARIATION:
            kind = "cover"
            options["audio_cover_strength"] = round(float(np.clip(1.0 - 0.8 * request.weirdness, 0.2, 1.0)), 4)
            if parent is not None and seed == parent.seed:
                seed += 1
        elif op is Operation.SWAP_VOCALS:
            kind = "lego"
            options["track_name"] = "vocals"
        elif op is Operation.SWAP_SOUND:
            kind = "complete"
            options["complete_track_classes"] = tracks_for(request.sound)
            lyrics = "[Instrumental]"
        else:
            raise OperationNotSupported(f"{self.name} cannot {op}")
        return Job(kind=kind, prompt=prompt or "music", seed=seed, duration=duration, progress=progress,
                   lyrics=lyrics, source=source,
                   options=tuple(sorted((k, v) for k, v in options.items() if v is not None)))

    def _warm_up_job(self) -> Job:
        job = super()._warm_up_job()
        job.lyrics = "[Instrumental]"
        return job

    def _call(self, jobs: list[Job], generators: list[Any], on_step: Any) -> Any:
        import torch

        first = jobs[0]
        opts = dict(first.options)
        kwargs: dict[str, Any] = {
            "prompt": [job.prompt for job in jobs],
            "lyrics": [job.lyrics for job in jobs],
            "audio_duration": float(first.duration),
            "vocal_language": "unknown",
            "num_inference_steps": int(opts.pop("steps", self.settings.steps)),
            "generator": generators,
            "task_type": first.kind,
            "callback_on_step_end": on_step,
            "output_type": "pt",
        }
        if self.pipe.is_turbo:
            kwargs["guidance_scale"] = 1.0  # guidance is distilled into turbo weights
        if "complete_track_classes" in opts:
            opts["complete_track_classes"] = list(opts["complete_track_classes"])
        kwargs.update(opts)
        if first.source is not None:
            kwargs["src_audio"] = torch.from_numpy(np.ascontiguousarray(first.source.T))
        return self.pipe(**kwargs).audios
