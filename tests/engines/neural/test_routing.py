"""The registry routes what an engine cannot do to its fallback, and says so on the clip."""

from __future__ import annotations

from pathlib import Path

import pytest

from openproducer.engines.base import EngineRequest, Operation, OperationNotSupported
from openproducer.engines.registry import EngineRegistry

from .conftest import LYRICS, as_parent, needs_gpu_extra, neural_settings, registry_with_fake_composer, render

pytestmark = needs_gpu_extra


def test_unsupported_operations_go_to_the_fallback(registry: EngineRegistry) -> None:
    assert registry.for_operation("ace-step", Operation.CREATE).name == "ace-step"
    assert registry.for_operation("ace-step", Operation.SWAP_VOCALS).name == "composer"
    assert registry.for_operation("stable-audio-3", Operation.SWAP_SOUND).name == "composer"


def test_render_routes_and_notes_who_made_the_clip(registry: EngineRegistry) -> None:
    parent = as_parent(render(registry.get("ace-step"), sound="pop", length=2.0, seed=1), "ace-step")
    engine, result = registry.render("ace-step", EngineRequest(Operation.SWAP_VOCALS, lyrics=LYRICS, parent=parent),
                                     lambda f, s: None)
    assert engine.name == "composer"
    assert any("composer engine made this clip: ace-step cannot swap vocals" in n for n in result.meta.notes)
    engine, result = registry.render("stable-audio-3", EngineRequest(Operation.CREATE, sound="pop", lyrics=LYRICS),
                                     lambda f, s: None)
    assert engine.name == "composer" and any("cannot sing lyrics" in n for n in result.meta.notes)
    engine, result = registry.render("stable-audio-3", EngineRequest(Operation.CREATE, sound="pop", length=2.0),
                                     lambda f, s: None)
    assert engine.name == "stable-audio-3" and not any("made this clip" in n for n in result.meta.notes)


def test_no_fallback_means_a_clear_refusal(tmp_path: Path, weights: dict[str, Path]) -> None:
    settings = neural_settings(tmp_path, weights, stable_audio_3={"fallback": None})
    registry = registry_with_fake_composer(settings)
    try:
        with pytest.raises(OperationNotSupported, match="no engine here can swap_vocals"):
            registry.for_operation("stable-audio-3", Operation.SWAP_VOCALS)
        with pytest.raises(OperationNotSupported, match="cannot sing"):
            registry.render("stable-audio-3", EngineRequest(Operation.CREATE, sound="x", lyrics=LYRICS),
                            lambda f, s: None)
    finally:
        registry.close()
