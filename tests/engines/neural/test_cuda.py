"""On a CUDA machine: the engines on the GPU in bf16, and real weights when a folder is named.

Skipped without CUDA (marker ``gpu``). With ``OPENPRODUCER_TEST_ACE_STEP_PATH`` /
``OPENPRODUCER_TEST_STABLE_AUDIO_3_PATH`` set, the same checks run on those weights folders.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from openproducer.core.produce import _splice_onto_parent
from openproducer.engines.base import EngineRequest, Operation

from .conftest import SR, as_parent, assert_audio, needs_gpu_extra, neural_settings, registry_with_fake_composer, render


def _cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


pytestmark = [needs_gpu_extra, pytest.mark.gpu, pytest.mark.skipif(not _cuda(), reason="needs a CUDA device")]


@pytest.mark.parametrize("name", ["ace-step", "stable-audio-3"])
def test_engine_on_cuda(tmp_path: Path, weights: dict[str, Path], name: str) -> None:
    import torch

    real = os.environ.get(f"OPENPRODUCER_TEST_{name.upper().replace('-', '_')}_PATH")
    folders = {**weights, name: Path(real)} if real else weights
    registry = registry_with_fake_composer(neural_settings(tmp_path, folders, ace_step={"steps": 8},
                                                           stable_audio_3={"steps": 8}))
    try:
        engine = registry.get(name)
        assert engine.device.type == "cuda" and engine.dtype == torch.bfloat16
        song = render(engine, sound="upbeat pop, 120 bpm in A minor", length=10.0, seed=1, make_instrumental=True)
        assert_audio(song, 10.0)
        again = render(engine, sound="upbeat pop, 120 bpm in A minor", length=10.0, seed=1, make_instrumental=True)
        assert np.array_equal(song.mix, again.mix)
        parent = as_parent(song, name)
        request = EngineRequest(Operation.REPLACE, sound="drum fill", starts_at=4.0, ends_at=6.0, seed=2,
                                parent=parent)
        result = engine.render(request, lambda f, s: None)
        _splice_onto_parent(result, request, parent)
        assert np.array_equal(result.mix[: 4 * SR], parent.audio[: 4 * SR])
        assert torch.cuda.memory_reserved() - torch.cuda.memory_allocated() < 2**30, "cache emptied after a call"
    finally:
        registry.close()
