"""Weights folders checked before loading, settings that route mv names, the models listing.

None of this needs torch: a misconfigured worker says what is missing before importing it.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from openproducer.core import queries
from openproducer.core.config import Settings
from openproducer.engines.neural.weights import WeightsError, check_weights
from openproducer.engines.registry import EngineRegistry, engine_status

ACE_COMPONENTS = {
    "vae": ["diffusers", "AutoencoderOobleck"],
    "text_encoder": ["transformers", "Qwen3Model"],
    "tokenizer": ["transformers", "Qwen2Tokenizer"],
    "transformer": ["diffusers", "AceStepTransformer1DModel"],
    "condition_encoder": ["ace_step", "AceStepConditionEncoder"],
    "scheduler": ["diffusers", "FlowMatchEulerDiscreteScheduler"],
    "audio_tokenizer": [None, None],
    "audio_token_detokenizer": [None, None],
}


def fake_folder(root: Path, skip: tuple[str, ...] = ()) -> Path:
    """A folder laid out like AceStepPipeline.save_pretrained (files empty: only names are checked)."""
    root.mkdir(parents=True)
    (root / "model_index.json").write_text(json.dumps({"_class_name": "AceStepPipeline", **ACE_COMPONENTS}))
    files = {
        "vae": ["config.json", "diffusion_pytorch_model.safetensors"],
        "text_encoder": ["config.json", "model.safetensors"],
        "tokenizer": ["tokenizer.json", "tokenizer_config.json"],
        "transformer": ["config.json", "diffusion_pytorch_model.safetensors"],
        "condition_encoder": ["config.json", "diffusion_pytorch_model.safetensors"],
        "scheduler": ["scheduler_config.json"],
    }
    for folder, names in files.items():
        (root / folder).mkdir()
        for name in names:
            if f"{folder}/{name}" not in skip:
                (root / folder / name).write_text("{}")
    return root


def test_a_complete_folder_passes(tmp_path: Path) -> None:
    assert check_weights("ace-step", fake_folder(tmp_path / "w")) == tmp_path / "w"


def test_not_configured_names_the_setting() -> None:
    with pytest.raises(WeightsError, match=r"ace_step\.path .*OPENPRODUCER_ACE_STEP__PATH"):
        check_weights("ace-step", None)


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match="does not exist"):
        check_weights("stable-audio-3", tmp_path / "nowhere")


def test_missing_model_index(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    with pytest.raises(WeightsError, match="missing model_index.json"):
        check_weights("ace-step", tmp_path / "w")


def test_every_missing_part_is_named_in_one_message(tmp_path: Path) -> None:
    root = fake_folder(tmp_path / "w", skip=("vae/config.json", "text_encoder/model.safetensors",
                                           "scheduler/scheduler_config.json"))
    for path in (root / "transformer").iterdir():
        path.unlink()
    (root / "transformer").rmdir()
    with pytest.raises(WeightsError) as info:
        check_weights("ace-step", root)
    message = str(info.value)
    for part in ("vae/config.json", "text_encoder/*.safetensors", "transformer/ (the folder)",
                 "scheduler/scheduler_config.json"):
        assert part in message
    assert "condition_encoder" not in message


def test_a_declared_optional_component_must_be_there(tmp_path: Path) -> None:
    root = fake_folder(tmp_path / "w")
    index = json.loads((root / "model_index.json").read_text())
    index["audio_tokenizer"] = ["ace_step", "AceStepAudioTokenizer"]
    (root / "model_index.json").write_text(json.dumps(index))
    with pytest.raises(WeightsError, match=r"audio_tokenizer/ \(the folder\)"):
        check_weights("ace-step", root)


def test_a_different_pipeline_is_refused(tmp_path: Path) -> None:
    root = fake_folder(tmp_path / "w")
    with pytest.raises(WeightsError, match="holds a 'AceStepPipeline' pipeline; expected StableAudio3Pipeline"):
        check_weights("stable-audio-3", root)


def test_sharded_weights_need_every_shard(tmp_path: Path) -> None:
    root = fake_folder(tmp_path / "w", skip=("text_encoder/model.safetensors",))
    index = {"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}
    (root / "text_encoder" / "model.safetensors.index.json").write_text(json.dumps(index))
    (root / "text_encoder" / "model-00001-of-00002.safetensors").write_text("")
    with pytest.raises(WeightsError, match=r"text_encoder/\*\.safetensors"):
        check_weights("ace-step", root)
    (root / "text_encoder" / "model-00002-of-00002.safetensors").write_text("")
    check_weights("ace-step", root)


def test_allow_download_passes_a_hub_id_through(tmp_path: Path) -> None:
    assert check_weights("ace-step", "some-org/some-model", allow_download=True) == "some-org/some-model"
    with pytest.raises(WeightsError, match="does not exist"):
        check_weights("ace-step", "some-org/some-model", allow_download=False)


def test_loading_a_misconfigured_engine_fails_at_start_up_with_the_reason(tmp_path: Path) -> None:
    root = fake_folder(tmp_path / "w", skip=("vae/diffusion_pytorch_model.safetensors",))
    registry = EngineRegistry(Settings(data_dir=tmp_path, ace_step={"path": root}))
    with pytest.raises(WeightsError, match=r"incomplete: missing vae/\*\.safetensors"):
        registry.get("ace-step")
    with pytest.raises(WeightsError, match="stable_audio_3.path"):
        registry.get("stable-audio-3")


def test_fuzz_2_goes_to_ace_step_only_when_it_is_configured(tmp_path: Path) -> None:
    plain = Settings(data_dir=tmp_path)
    assert plain.models["FUZZ-2.0"].engine == "composer" and "ace-step" not in plain.models
    neural = Settings(data_dir=tmp_path, ace_step={"path": tmp_path}, stable_audio_3={"path": tmp_path})
    assert {neural.models[mv].engine for mv in ("FUZZ-2.0", "FUZZ-2.0 Pro", "FUZZ-2.0 Raw")} == {"ace-step"}
    assert neural.models["FUZZ-2.0 Raw"].mastered is False
    assert neural.models["FUZZ-1.1"].engine == "composer"
    assert neural.models["stable-audio-3"].engine == "stable-audio-3"
    explicit = Settings(data_dir=tmp_path, ace_step={"path": tmp_path}, models={"FUZZ-2.0": {"engine": "composer"}})
    assert list(explicit.models) == ["FUZZ-2.0"] and explicit.models["FUZZ-2.0"].engine == "composer"


def test_neural_settings_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENPRODUCER_ACE_STEP__PATH", str(tmp_path))
    monkeypatch.setenv("OPENPRODUCER_ACE_STEP__BATCH_SIZE", "8")
    monkeypatch.setenv("OPENPRODUCER_STABLE_AUDIO_3__DEVICE", "cuda:1")
    settings = Settings(data_dir=tmp_path)
    assert settings.ace_step.path == tmp_path and settings.ace_step.batch_size == 8
    assert settings.ace_step.allow_download is False and settings.ace_step.dtype == "auto"
    assert settings.stable_audio_3.device == "cuda:1"


def test_engine_status_and_the_models_listing(tmp_path: Path) -> None:
    root = fake_folder(tmp_path / "w")
    settings = Settings(data_dir=tmp_path, ace_step={"path": root},
                        stable_audio_3={"path": tmp_path / "missing"})
    assert engine_status(settings, "composer").available
    assert not engine_status(Settings(data_dir=tmp_path), "ace-step").configured
    sa3 = engine_status(settings, "stable-audio-3")
    assert sa3.configured and not sa3.available and "does not exist" in (sa3.reason or "")
    listing = {m["mv"]: m for m in queries.models(SimpleNamespace(settings=settings))}  # type: ignore[arg-type]
    assert listing["FUZZ-2.0"]["engine"] == "ace-step" and listing["FUZZ-2.0"]["engine_configured"] is True
    assert listing["FUZZ-2.0"]["fallback"] == "composer"
    assert listing["stable-audio-3"]["available"] is False and listing["stable-audio-3"]["unavailable_reason"]
    assert listing["FUZZ-1.0"]["available"] is True
