"""Checks of a weights folder before anything heavy is imported or loaded.

A neural engine loads a folder written by diffusers' ``save_pretrained`` (``model_index.json``
plus one sub-folder per component). This module looks at that folder with nothing but the file
system, so a worker that is misconfigured says exactly what is missing at start-up, in one
message, instead of failing deep inside ``from_pretrained`` (or trying to reach a model hub).
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

from openproducer.engines.base import EngineError

__all__ = ["PIPELINES", "PipelineSpec", "WeightsError", "check_weights", "gpu_packages_missing"]

_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.json", "tokenizer.model")
GPU_PACKAGES = ("torch", "diffusers", "transformers", "accelerate", "tokenizers")


class WeightsError(EngineError):
    """A configured weights folder is missing or incomplete."""


@dataclass(frozen=True)
class PipelineSpec:
    engine: str
    settings_key: str  # the settings section, for messages ("ace_step.path")
    classes: tuple[str, ...]  # pipeline classes a folder may declare in model_index.json
    required: tuple[str, ...]  # components that must be present
    optional: tuple[str, ...] = ()


PIPELINES: dict[str, PipelineSpec] = {
    "ace-step": PipelineSpec(
        engine="ace-step", settings_key="ace_step", classes=("AceStepPipeline",),
        required=("vae", "text_encoder", "tokenizer", "transformer", "condition_encoder", "scheduler"),
        optional=("audio_tokenizer", "audio_token_detokenizer"),
    ),
    "stable-audio-3": PipelineSpec(
        engine="stable-audio-3", settings_key="stable_audio_3",
        classes=("StableAudio3Pipeline", "StableAudio3AudioToAudioPipeline", "StableAudio3InpaintPipeline"),
        required=("vae", "text_encoder", "tokenizer", "duration_embedder", "transformer", "scheduler"),
    ),
}


def gpu_packages_missing() -> list[str]:
    """The packages of the ``gpu`` extra that cannot be imported here (found without importing them)."""
    return [name for name in GPU_PACKAGES if importlib.util.find_spec(name) is None]


def _has_weights(folder: Path) -> bool:
    for path in folder.iterdir():
        name = path.name
        if name.endswith(".index.json"):  # sharded: every shard the index names must be there
            try:
                shards = set(json.loads(path.read_text())["weight_map"].values())
            except (OSError, ValueError, KeyError, TypeError):
                return False
            return all((folder / shard).is_file() for shard in shards)
        if name.endswith(_WEIGHT_SUFFIXES) and path.is_file():
            return True
    return False


def _component_problems(root: Path, name: str, library: str | None) -> list[str]:
    folder = root / name
    if not folder.is_dir():
        return [f"{name}/ (the folder)"]
    if name == "scheduler" or name.endswith("scheduler"):
        return [] if (folder / "scheduler_config.json").is_file() else [f"{name}/scheduler_config.json"]
    if name == "tokenizer" or (name.endswith("tokenizer") and library == "transformers"):
        if any((folder / f).is_file() for f in _TOKENIZER_FILES):
            return []
        return [f"{name}/tokenizer.json (or tokenizer_config.json)"]
    problems = []
    if not (folder / "config.json").is_file():
        problems.append(f"{name}/config.json")
    if not _has_weights(folder):
        problems.append(f"{name}/*.safetensors (the weights)")
    return problems


def check_weights(engine: str, path: Path | str | None, allow_download: bool = False) -> Path | str:
    """Return what to hand to ``from_pretrained``, or raise :class:`WeightsError` naming every missing part.

    With ``allow_download`` a path that is not a local folder is taken as a hub repository id and
    passed through unchecked.
    """
    spec = PIPELINES[engine]
    if path is None or str(path) == "":
        raise WeightsError(f"{engine} is not configured: set {spec.settings_key}.path "
                           f"(OPENPRODUCER_{spec.settings_key.upper()}__PATH) to its weights folder")
    root = Path(path).expanduser()
    if not root.exists():
        if allow_download and not str(path).startswith(("/", ".", "~")):
            return str(path)
        raise WeightsError(f"{engine} weights folder {root} does not exist ({spec.settings_key}.path)")
    if not root.is_dir():
        raise WeightsError(f"{engine} weights path {root} is not a folder ({spec.settings_key}.path)")
    index_path = root / "model_index.json"
    if not index_path.is_file():
        raise WeightsError(f"{engine} weights folder {root} is incomplete: missing model_index.json "
                           "(save the pipeline with save_pretrained, see docs/gpu.md)")
    try:
        index = json.loads(index_path.read_text())
    except (OSError, ValueError) as exc:
        raise WeightsError(f"{engine} weights folder {root}: model_index.json is unreadable ({exc})") from exc
    if not isinstance(index, dict):
        raise WeightsError(f"{engine} weights folder {root}: model_index.json is not an object")
    declared = index.get("_class_name")
    if declared not in spec.classes:
        raise WeightsError(f"{engine} weights folder {root} holds a {declared!r} pipeline; "
                           f"expected {' or '.join(spec.classes)}")
    missing: list[str] = []
    for name in spec.required:
        entry = index.get(name)
        if not isinstance(entry, list) or len(entry) != 2 or entry[1] is None:
            missing.append(f"{name} (not in model_index.json)")
            continue
        missing += _component_problems(root, name, entry[0])
    for name in spec.optional:
        entry = index.get(name)
        if isinstance(entry, list) and len(entry) == 2 and entry[1] is not None:
            missing += _component_problems(root, name, entry[0])
    if missing:
        raise WeightsError(f"{engine} weights folder {root} is incomplete: missing " + ", ".join(missing))
    return root
