"""Every operation of both engines, driven through our adapter on tiny random pipelines."""

from __future__ import annotations

import numpy as np
import pytest

from openproducer.core.produce import _splice_onto_parent
from openproducer.engines.base import Engine, EngineRequest, Operation, OperationNotSupported
from openproducer.engines.registry import EngineRegistry

from .conftest import SR, Progress, as_parent, assert_audio, needs_gpu_extra, render

pytestmark = [needs_gpu_extra, pytest.mark.slow]
ENGINES = ("ace-step", "stable-audio-3")
EDITS = frozenset({Operation.CREATE, Operation.EXTEND, Operation.REPLACE, Operation.COVER, Operation.VARIATION})


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest, registry: EngineRegistry):  # type: ignore[no-untyped-def]
    return registry.get(request.param)


@pytest.fixture(scope="module")
def parent(engine):  # type: ignore[no-untyped-def]
    result = render(engine, sound="dreamy synth pop, 100 bpm in D minor", length=4.0, seed=11,
                    make_instrumental=True)
    return as_parent(result, engine.name, seed=11)


def test_loaded_through_the_registry_with_its_capabilities(engine) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(engine, Engine)
    assert engine.capabilities == EDITS
    assert engine.batcher is not None and engine.device.type == "cpu"
    assert str(engine.dtype) == "torch.float32"


def test_create_has_the_asked_length_at_44k1_stereo(engine) -> None:  # type: ignore[no-untyped-def]
    result = render(engine, sound="lo-fi hip hop beat, 84 bpm in F# minor", length=3.0, seed=5,
                    make_instrumental=True)
    assert_audio(result, 3.0)
    assert result.meta.bpm == 84.0 and result.meta.key == "F# minor"
    assert result.meta.has_vocals is False and set(result.stems) == {"instrumental"}
    assert result.meta.extra["engine"] == engine.name and result.meta.extra["master"]["mastered"] is True
    raw = render(engine, sound="lo-fi hip hop beat", length=3.0, seed=5, make_instrumental=True, mastered=False)
    assert raw.meta.extra["master"]["mastered"] is False


def test_same_seed_same_audio_other_seed_other_audio(engine) -> None:  # type: ignore[no-untyped-def]
    a = render(engine, sound="ambient pads", length=2.0, seed=7, make_instrumental=True)
    b = render(engine, sound="ambient pads", length=2.0, seed=7, make_instrumental=True)
    c = render(engine, sound="ambient pads", length=2.0, seed=8, make_instrumental=True)
    assert np.array_equal(a.mix, b.mix)
    assert not np.allclose(a.mix, c.mix, atol=1e-3)


def test_progress_follows_the_denoising_steps(engine) -> None:  # type: ignore[no-untyped-def]
    progress = Progress()
    render(engine, progress=progress, sound="jazz trio", length=2.0, seed=1, make_instrumental=True)
    fractions = [f for f, _ in progress.calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert sum(1 for _, stage in progress.calls if stage == "denoising") == engine.settings.steps


def test_extend_continues_after_starts_at(engine, parent) -> None:  # type: ignore[no-untyped-def]
    request = EngineRequest(Operation.EXTEND, sound="dreamy synth pop", starts_at=3.0, length=2.5, seed=2,
                            parent=parent)
    result = engine.render(request, lambda f, s: None)
    assert_audio(result, 5.5)
    _splice_onto_parent(result, request, parent)
    start = int(3.0 * SR)
    assert np.array_equal(result.mix[:start], parent.audio[:start])
    assert float(np.abs(result.mix[start + 2000 :]).max()) > 0.0
    assert result.meta.bpm == parent.meta.bpm and result.meta.key == parent.meta.key


def test_replace_keeps_the_outside_and_changes_the_inside(engine, parent) -> None:  # type: ignore[no-untyped-def]
    request = EngineRequest(Operation.REPLACE, sound="drum break", starts_at=1.0, ends_at=2.5, seed=3, parent=parent)
    before = parent.audio.copy(), {k: v.copy() for k, v in parent.stems.items()}
    result = engine.render(request, lambda f, s: None)
    assert np.array_equal(parent.audio, before[0]), "an edit must not write into its parent"
    assert all(np.array_equal(parent.stems[k], v) for k, v in before[1].items())
    assert_audio(result, 4.0)
    again = engine.render(request, lambda f, s: None)
    assert np.array_equal(result.mix, again.mix), "a replace with the same seed must give the same audio"
    _splice_onto_parent(result, request, parent)
    a, b = int(1.0 * SR), int(2.5 * SR)
    assert np.array_equal(result.mix[:a], parent.audio[:a]) and np.array_equal(result.mix[b:], parent.audio[b:])
    for name, stem in result.stems.items():
        assert np.array_equal(stem[:a], parent.stems[name][:a]) and np.array_equal(stem[b:], parent.stems[name][b:])
    assert not np.allclose(result.mix[a + 1000 : b - 1000], parent.audio[a + 1000 : b - 1000], atol=1e-3)
    assert len(result.mix) == len(parent.audio)


@pytest.mark.parametrize("operation", [Operation.COVER, Operation.VARIATION])
def test_cover_and_variation_remake_the_whole_song(engine, parent, operation) -> None:  # type: ignore[no-untyped-def]
    kwargs = dict(sound="orchestral", seed=parent.seed, parent=parent)
    first = render(engine, operation, **kwargs)
    assert_audio(first, 4.0)
    assert np.array_equal(first.mix, render(engine, operation, **kwargs).mix)
    if operation is Operation.COVER:
        other = render(engine, operation, cover_strength=0.95, **kwargs)
    else:
        other = render(engine, operation, weirdness=0.05, **kwargs)
    assert not np.array_equal(first.mix, other.mix), "strength / weirdness must reach the pipeline"


def test_edits_without_a_parent_are_errors(engine) -> None:  # type: ignore[no-untyped-def]
    from openproducer.engines.base import EngineError

    with pytest.raises(EngineError, match="needs a parent"):
        render(engine, Operation.COVER, sound="x")


def test_swaps_are_not_claimed(engine, parent) -> None:  # type: ignore[no-untyped-def]
    for operation in (Operation.SWAP_VOCALS, Operation.SWAP_SOUND):
        assert operation not in engine.capabilities
        with pytest.raises(OperationNotSupported):
            render(engine, operation, sound="x", parent=parent)
