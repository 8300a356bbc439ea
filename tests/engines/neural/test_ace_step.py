"""ACE-Step specifics: lyrics, vocals, what reaches the pipeline, the base checkpoint's swaps, batching."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from openproducer.engines.base import Operation
from openproducer.engines.registry import EngineRegistry

from .conftest import (
    LYRICS,
    as_parent,
    assert_audio,
    needs_gpu_extra,
    neural_settings,
    registry_with_fake_composer,
    render,
)

pytestmark = [needs_gpu_extra, pytest.mark.slow]


class Spy:
    """Wraps the loaded pipeline and records the arguments of each call."""

    def __init__(self, pipe: Any) -> None:
        self.pipe = pipe
        self.calls: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pipe, name)

    def __call__(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        return self.pipe(**kwargs)


@pytest.fixture()
def spied(registry: EngineRegistry):  # type: ignore[no-untyped-def]
    engine = registry.get("ace-step")
    spy = Spy(engine.pipe)
    engine.pipe = spy
    yield engine, spy
    engine.pipe = spy.pipe


def test_bpm_key_length_and_lyrics_reach_the_pipeline(spied) -> None:  # type: ignore[no-untyped-def]
    engine, spy = spied
    result = render(engine, sound="funky disco, 97 bpm in Bb major", lyrics=LYRICS, length=3.0, seed=4)
    call = spy.calls[-1]
    assert call["task_type"] == "text2music" and call["audio_duration"] == 3.0
    assert call["bpm"] == 97 and call["keyscale"] == "Bb major"
    assert call["lyrics"] == [LYRICS.strip()] and call["prompt"] == ["funky disco, 97 bpm in Bb major"]
    assert call["num_inference_steps"] == engine.settings.steps and call["guidance_scale"] == 1.0
    assert_audio(result, 3.0)
    assert result.meta.has_vocals and result.meta.vocal_kind == "sung"
    assert result.stems == {}, "a sung song is stored without stems: no split delays the create"
    render(engine, sound="funky disco", lyrics=LYRICS, make_instrumental=True, length=2.0, seed=4, bpm=120.0)
    call = spy.calls[-1]
    assert call["lyrics"] == ["[Instrumental]"] and call["bpm"] == 120 and "keyscale" not in call


def test_edits_pass_the_window_and_the_source(spied) -> None:  # type: ignore[no-untyped-def]
    engine, spy = spied
    parent = as_parent(render(engine, sound="rock in E minor", length=4.0, seed=2, make_instrumental=True),
                       "ace-step")
    render(engine, Operation.REPLACE, sound="guitar solo", starts_at=1.0, ends_at=3.0, seed=3, parent=parent)
    call = spy.calls[-1]
    assert call["task_type"] == "repaint" and (call["repainting_start"], call["repainting_end"]) == (1.0, 3.0)
    assert tuple(call["src_audio"].shape) == (2, 4 * 48000), "the source goes in at 48 kHz"
    assert call["keyscale"] == "E minor" and call["timesignature"] == "4"
    render(engine, Operation.EXTEND, sound="outro", starts_at=3.5, length=2.0, seed=3, parent=parent)
    call = spy.calls[-1]
    assert (call["repainting_start"], call["repainting_end"]) == (3.5, 5.5)
    assert tuple(call["src_audio"].shape) == (2, int(5.5 * 48000))
    render(engine, Operation.COVER, sound="jazz", cover_strength=0.5, seed=3, parent=parent)
    assert spy.calls[-1]["task_type"] == "cover" and spy.calls[-1]["audio_cover_strength"] == 0.7
    render(engine, Operation.VARIATION, sound="rock", weirdness=0.5, seed=parent.seed, parent=parent)
    call = spy.calls[-1]
    assert call["audio_cover_strength"] == 0.6 and call["generator"][0].initial_seed() == parent.seed + 1


def test_a_checkpoint_without_the_audio_tokenizer_leaves_cover_to_the_fallback(tmp_path: Path,
                                                                                weights: dict[str, Path]) -> None:
    from .conftest import save_tiny

    folder = save_tiny("ace-step", tmp_path / "no-tokenizer", audio_tokenizer=False)
    registry = registry_with_fake_composer(neural_settings(tmp_path, {**weights, "ace-step": folder}))
    try:
        engine = registry.get("ace-step")
        assert engine.capabilities == {Operation.CREATE, Operation.EXTEND, Operation.REPLACE}
        assert registry.for_operation("ace-step", Operation.COVER).name == "composer"
    finally:
        registry.close()


def test_base_checkpoint_swaps_vocals_and_sound(base_registry: EngineRegistry) -> None:
    engine = base_registry.get("ace-step")
    assert {Operation.SWAP_VOCALS, Operation.SWAP_SOUND} <= engine.capabilities
    song = render(engine, sound="pop ballad", lyrics=LYRICS, length=4.0, seed=9)
    parent = as_parent(song, "ace-step", lyrics=LYRICS)
    assert parent.stems == {}
    parts = parent.vocal_parts()  # the split a swap makes of a parent stored without stems
    assert np.allclose(parts["vocals"] + parts["instrumental"], parent.audio, atol=1e-5)
    swapped = render(engine, Operation.SWAP_VOCALS, sound="soul singer", lyrics=LYRICS, seed=10, parent=parent)
    assert_audio(swapped, 4.0)
    assert np.array_equal(swapped.stems["instrumental"], parts["instrumental"]), "the kept stem is untouched"
    assert not np.allclose(swapped.stems["vocals"], parts["vocals"], atol=1e-4)
    resound = render(engine, Operation.SWAP_SOUND, sound="string quartet with cello", seed=11, parent=parent)
    assert_audio(resound, 4.0)
    assert np.array_equal(resound.stems["vocals"], parts["vocals"])
    instrumental_only = render(engine, Operation.SWAP_VOCALS, make_instrumental=True, seed=12, parent=parent)
    assert set(instrumental_only.stems) == {"instrumental"} and not instrumental_only.meta.has_vocals


def test_concurrent_creates_share_one_pipeline_call(tmp_path: Path, weights: dict[str, Path]) -> None:
    settings = neural_settings(tmp_path, weights, ace_step={"batch_size": 3, "batch_wait_ms": 2000.0})
    registry = registry_with_fake_composer(settings)
    try:
        engine = registry.get("ace-step")
        before = engine.batcher.stats.calls
        results: dict[int, Any] = {}
        barrier = threading.Barrier(3)

        def one(seed: int) -> None:
            barrier.wait()
            results[seed] = render(engine, sound=f"song number {seed}", length=2.0, seed=seed,
                                   make_instrumental=True)

        threads = [threading.Thread(target=one, args=(seed,)) for seed in (1, 2, 3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert engine.batcher.stats.calls == before + 1 and engine.batcher.stats.largest == 3
        alone = render(engine, sound="song number 2", length=2.0, seed=2, make_instrumental=True)
        # Batched and single renders agree to float rounding (the batch changes the last bits).
        assert np.allclose(alone.mix, results[2].mix, atol=1e-3)
        assert not np.allclose(results[1].mix, results[2].mix, atol=1e-3)
    finally:
        registry.close()
