"""Stable Audio 3 specifics: no vocals, what reaches its three pipelines."""

from __future__ import annotations

from typing import Any

import pytest

from openproducer.engines.base import Operation, OperationNotSupported
from openproducer.engines.registry import EngineRegistry

from .conftest import LYRICS, as_parent, assert_audio, needs_gpu_extra, render

pytestmark = needs_gpu_extra


class Spy:
    def __init__(self, pipe: Any) -> None:
        self.pipe = pipe
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        return self.pipe(**kwargs)


@pytest.fixture()
def spied(registry: EngineRegistry):  # type: ignore[no-untyped-def]
    engine = registry.get("stable-audio-3")
    saved = dict(engine.pipes)
    spies = {kind: Spy(pipe) for kind, pipe in saved.items()}
    engine.pipes = spies
    yield engine, spies
    engine.pipes = saved


def test_lyrics_are_refused_not_ignored(registry: EngineRegistry) -> None:
    engine = registry.get("stable-audio-3")
    with pytest.raises(OperationNotSupported, match="cannot sing"):
        render(engine, sound="pop", lyrics=LYRICS, length=2.0)
    result = render(engine, sound="pop", lyrics=LYRICS, make_instrumental=True, length=2.0)
    assert_audio(result, 2.0)
    assert not result.meta.has_vocals


def test_bpm_and_key_are_written_into_the_prompt_and_the_edits_use_their_pipelines(spied) -> None:  # type: ignore
    engine, spies = spied
    render(engine, sound="deep house", bpm=124.0, length=3.0, seed=1)
    call = spies["text"].calls[-1]
    assert call["prompt"] == ["deep house, 124 BPM"] and call["duration"] == 3.0
    parent = as_parent(render(engine, sound="techno in A minor", length=4.0, seed=2), "stable-audio-3")
    render(engine, Operation.REPLACE, sound="breakdown", starts_at=1.0, ends_at=2.0, seed=3, parent=parent)
    call = spies["inpaint"].calls[-1]
    assert (call["mask_start_seconds"], call["mask_end_seconds"]) == (1.0, 2.0)
    assert tuple(call["audio"].shape) == (1, 2, 4 * 44100) and call["prompt"][0].startswith("breakdown")
    render(engine, Operation.COVER, sound="dub", cover_strength=0.4, seed=3, parent=parent)
    assert spies["a2a"].calls[-1]["init_noise_level"] == 0.4
    render(engine, Operation.VARIATION, sound="techno", weirdness=0.5, seed=3, parent=parent)
    assert spies["a2a"].calls[-1]["init_noise_level"] == 0.55
