"""The "full" random pipelines have the released models' architecture and size.

``bench/gpu_engines.py --random-full-size`` measures speed and memory on pipelines built from these
shapes, so they must be the published ones: the configs are compared with the official ACE-Step 1.5
turbo config and the components' parameter counts with the published sizes. Built on torch's meta
device (no memory, ~3 s), through the same builders the benchmark uses.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.engines.neural.conftest import needs_gpu_extra

pytestmark = needs_gpu_extra

# From ACE-Step 1.5's acestep-v15-turbo/config.json and vae/config.json.
ACE_STEP_OFFICIAL = {
    "transformer": {"hidden_size": 2048, "intermediate_size": 6144, "num_hidden_layers": 24,
                    "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128, "in_channels": 192,
                    "audio_acoustic_hidden_dim": 64, "patch_size": 2, "sliding_window": 128, "is_turbo": True},
    "condition_encoder": {"hidden_size": 2048, "intermediate_size": 6144, "text_hidden_dim": 1024,
                          "timbre_hidden_dim": 64, "num_lyric_encoder_hidden_layers": 8,
                          "num_timbre_encoder_hidden_layers": 4},
    "audio_tokenizer": {"fsq_dim": 2048, "fsq_input_levels": [8, 8, 8, 5, 5, 5], "pool_window_size": 5},
    "vae": {"encoder_hidden_size": 128, "downsampling_ratios": [2, 4, 4, 6, 10],
            "channel_multiples": [1, 2, 4, 8, 16], "decoder_channels": 128, "decoder_input_channels": 64,
            "sampling_rate": 48000},
}

# Published sizes, in millions of parameters: Qwen3-Embedding-0.6B; SAME-L (diffusers'
# AutoencoderSAME docstring: 852 M); the SA3 Medium DiT (1.5 B) and T5Gemma b-b encoder (0.3 B) as
# the released files are labelled.
PUBLISHED_MILLIONS = {
    ("ace-step", "text_encoder"): 596,
    ("stable-audio-3", "vae"): 852,
    ("stable-audio-3", "transformer"): 1500,
    ("stable-audio-3", "text_encoder"): 300,
}


def millions(module: Any) -> float:
    return sum(p.numel() for p in module.parameters()) / 1e6


@pytest.fixture(scope="module")
def full_pipelines() -> dict[str, Any]:
    from accelerate import init_empty_weights

    from openproducer.engines.neural.random_init import build_ace_step, build_stable_audio_3

    with init_empty_weights(include_buffers=False):
        return {"ace-step": build_ace_step("full"), "stable-audio-3": build_stable_audio_3("full")}


@pytest.mark.parametrize("component", sorted(ACE_STEP_OFFICIAL))
def test_full_ace_step_matches_the_official_turbo_config(full_pipelines: dict[str, Any], component: str) -> None:
    config = getattr(full_pipelines["ace-step"], component).config
    for key, expected in ACE_STEP_OFFICIAL[component].items():
        value = list(config[key]) if isinstance(config[key], tuple) else config[key]
        assert value == expected, f"{component}.{key} is {value}, the released model has {expected}"


def test_full_ace_step_vae_makes_25_latents_per_second(full_pipelines: dict[str, Any]) -> None:
    vae = full_pipelines["ace-step"].vae.config
    hop = 1
    for ratio in vae.downsampling_ratios:
        hop *= ratio
    assert vae.sampling_rate / hop == 25


@pytest.mark.parametrize(("kind", "component"), sorted(PUBLISHED_MILLIONS))
def test_full_components_have_the_published_size(full_pipelines: dict[str, Any], kind: str, component: str) -> None:
    size = millions(getattr(full_pipelines[kind], component))
    published = PUBLISHED_MILLIONS[(kind, component)]
    assert abs(size - published) / published < 0.07, f"{kind} {component}: {size:.0f} M, published {published} M"


def test_full_ace_step_dit_is_the_2b_class(full_pipelines: dict[str, Any]) -> None:
    """The turbo checkpoint's one file holds the DiT, the condition encoder and the audio tokenizers."""
    pipe = full_pipelines["ace-step"]
    total = sum(millions(getattr(pipe, name)) for name in
                ("transformer", "condition_encoder", "audio_tokenizer", "audio_token_detokenizer"))
    assert 1900 < total < 2600, f"{total:.0f} M"
