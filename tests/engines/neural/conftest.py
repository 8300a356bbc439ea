"""Tiny random ACE-Step and Stable Audio 3 pipelines, saved to a folder and loaded through our engines.

Each pipeline is built here from configs (random weights, a tokenizer trained on the spot, nothing
downloaded), written with ``save_pretrained`` and then loaded by the engine exactly as real weights
are: settings -> registry factory -> ``Engine.load`` -> ``from_pretrained(local_files_only=True)``.
Tests that need torch and diffusers skip, with the reason, when the gpu extra is not installed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from openproducer.core.config import Settings
from openproducer.engines.base import EngineRequest, Operation, ParentClip, RenderResult
from openproducer.engines.registry import EngineRegistry
from tests.support.fake_engine import FakeEngine

GPU_EXTRA_MISSING = [m for m in ("torch", "diffusers", "transformers", "tokenizers")
                     if importlib.util.find_spec(m) is None]
needs_gpu_extra = pytest.mark.skipif(
    bool(GPU_EXTRA_MISSING),
    reason="the gpu extra is not installed (pip install 'openproducer[gpu]'); missing: " + ", ".join(GPU_EXTRA_MISSING),
)
SR = 44100
LYRICS = "[verse]\nWalking through the city lights\nFeeling the rhythm of the night\n"


def quiet(fraction: float, stage: str) -> None:
    assert 0.0 <= fraction <= 1.0 and stage


class Progress:
    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def __call__(self, fraction: float, stage: str) -> None:
        assert 0.0 <= fraction <= 1.0
        self.calls.append((fraction, stage))


def save_tiny(kind: str, folder: Path, **options: Any) -> Path:
    from openproducer.engines.neural.random_init import save_random_pipeline

    return save_random_pipeline(kind, folder, "tiny", **options)


@pytest.fixture(scope="session")
def weights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny weights folders: ACE-Step turbo (with audio tokenizer), ACE-Step base, Stable Audio 3."""
    if GPU_EXTRA_MISSING:
        pytest.skip("the gpu extra is not installed")
    root = tmp_path_factory.mktemp("weights")
    return {
        "ace-step": save_tiny("ace-step", root / "ace-step"),
        "ace-step-base": save_tiny("ace-step", root / "ace-step-base", turbo=False, seed=1),
        "stable-audio-3": save_tiny("stable-audio-3", root / "stable-audio-3"),
    }


def neural_settings(tmp_path: Path, weights: dict[str, Path], ace: str = "ace-step", **extra: Any) -> Settings:
    ace_step = {"path": weights[ace], "steps": 2, "batch_size": 4, "batch_wait_ms": 0.0}
    sa3 = {"path": weights["stable-audio-3"], "steps": 2, "batch_size": 4, "batch_wait_ms": 0.0}
    ace_step.update(extra.pop("ace_step", {}))
    sa3.update(extra.pop("stable_audio_3", {}))
    return Settings(data_dir=tmp_path, ace_step=ace_step, stable_audio_3=sa3, **extra)


def registry_with_fake_composer(settings: Settings) -> EngineRegistry:
    """The real factories for the neural engines; a FakeEngine stands in for the composer fallback."""
    from openproducer.engines.registry import ENGINE_FACTORIES

    factories = dict(ENGINE_FACTORIES)
    factories["composer"] = lambda _s: FakeEngine()
    return EngineRegistry(settings, factories)


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory, weights: dict[str, Path]) -> Iterator[EngineRegistry]:
    reg = registry_with_fake_composer(neural_settings(tmp_path_factory.mktemp("data"), weights))
    yield reg
    reg.close()


@pytest.fixture(scope="session")
def base_registry(tmp_path_factory: pytest.TempPathFactory, weights: dict[str, Path]) -> Iterator[EngineRegistry]:
    reg = registry_with_fake_composer(neural_settings(tmp_path_factory.mktemp("data"), weights, ace="ace-step-base"))
    yield reg
    reg.close()


def render(engine: Any, operation: Operation = Operation.CREATE, progress: Any = quiet, **kwargs: Any) -> RenderResult:
    return engine.render(EngineRequest(operation=operation, **kwargs), progress)


def as_parent(result: RenderResult, engine: str, seed: int = 1, lyrics: str = "") -> ParentClip:
    return ParentClip(clip_id="parent", sample_rate=result.sample_rate, audio=result.mix, stems=result.stems,
                      score=result.score, meta=result.meta, engine=engine, sound="dreamy synth pop", lyrics=lyrics,
                      seed=seed)


def assert_audio(result: RenderResult, seconds: float) -> None:
    """44.1 kHz stereo float32 of the right length, finite, not silent, at most 0 dBFS."""
    assert result.sample_rate == SR
    assert result.mix.dtype == np.float32 and result.mix.ndim == 2 and result.mix.shape[1] == 2
    assert len(result.mix) == int(round(seconds * SR)), (len(result.mix), seconds * SR)
    assert np.isfinite(result.mix).all() and 0.0 < float(np.abs(result.mix).max()) <= 1.0
    assert abs(result.meta.duration - seconds) < 1e-3
    # Sung results are stored without stems (a swap splits them when it needs them).
    assert "instrumental" in result.stems or (result.meta.has_vocals and not result.stems)
    for stem in result.stems.values():
        assert stem.shape == result.mix.shape and stem.dtype == np.float32
