"""A tiny engine for tests of the task machinery: sine tones, fast, deterministic, controllable."""

from __future__ import annotations

import threading
import time

import numpy as np

from openproducer.engines.base import ClipMeta, EngineError, EngineRequest, Operation, ProgressFn, RenderResult


class FakeEngine:
    name = "composer"
    capabilities = frozenset(Operation)

    def __init__(self, delay_s: float = 0.0, fail_with: str | None = None) -> None:
        self.delay_s = delay_s
        self.fail_with = fail_with
        self.calls = 0
        self.started = threading.Event()

    def load(self) -> None:
        pass

    def close(self) -> None:
        pass

    def render(self, request: EngineRequest, progress: ProgressFn) -> RenderResult:
        self.calls += 1
        self.started.set()
        steps = 10
        for i in range(steps):
            time.sleep(self.delay_s / steps)
            progress((i + 1) / steps, "rendering")
        if self.fail_with:
            raise EngineError(self.fail_with)
        sr = 44100
        seconds = request.length or 4.0
        if request.parent is not None and request.operation is Operation.EXTEND:
            seconds = (request.starts_at or 0) + (request.length or 4.0)
        elif request.parent is not None:
            seconds = len(request.parent.audio) / sr
        t = np.arange(int(seconds * sr)) / sr
        tone = (0.3 * np.sin(2 * np.pi * (220 + request.seed % 200) * t)).astype(np.float32)
        mix = np.stack([tone, tone], axis=1)
        meta = ClipMeta(bpm=120.0, key="A minor", duration=seconds)
        return RenderResult(sample_rate=sr, mix=mix, stems={"instrumental": mix.copy()}, score={"seed": request.seed},
                            meta=meta)
