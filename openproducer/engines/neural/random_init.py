"""Randomly initialised ACE-Step and Stable Audio 3 pipelines, saved like released weights.

For tests (``tiny``: ~0.1 M parameters, runs every operation on a CPU in milliseconds) and for
benchmarks without weights (``full``: the released architectures' shapes, as the component
classes' defaults and the text encoders' published sizes give them, with random values).
Never used to serve: random weights make noise. The folder written is loaded through the same
``from_pretrained`` path as real weights. The tokenizer is a small byte-level BPE trained here
with the ``tokenizers`` library, so nothing is downloaded.

Reached only from the tests and ``bench/gpu_engines.py`` (``--tiny``, ``--random-full-size``); it
needs the ``gpu`` extra, and says so when torch is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

try:
    import torch
except ModuleNotFoundError as exc:  # pragma: no cover - the gpu extra is part of make setup-gpu
    raise ModuleNotFoundError("random pipelines need the gpu extra: pip install 'openproducer[gpu]' "
                              "(or make setup-gpu)", name=exc.name) from exc

__all__ = ["ACE_STEP_SIZES", "SA3_SIZES", "build_ace_step", "build_stable_audio_3", "save_random_pipeline"]

Size = Literal["tiny", "full"]

_CORPUS = (
    "upbeat pop song with piano and drums, 120 bpm in A minor. "
    "dreamy ambient synth pads, slow, warm, reverb; lo-fi hip hop beat with vinyl crackle. "
    "energetic rock with electric guitar and bass. jazz trio, brushed drums, upright bass. "
    "Walking through the city lights, feeling the rhythm of the night, every step a new surprise. "
    "[verse] [chorus] [bridge] [outro] [Instrumental] # Instruction # Caption # Metas # Languages # Lyric "
    "- bpm: N/A - timesignature: 4 - keyscale: C major - duration: 30 seconds "
    "Fill the audio semantic mask based on the given conditions: Repaint the mask area "
    "Generate the VOCALS track based on the audio context: Complete the input track with DRUMS | BASS "
    "0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


@dataclass(frozen=True)
class TextSizes:
    """A text encoder's shape, in the keywords Qwen3Config and T5GemmaModuleConfig share."""

    hidden: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    intermediate: int
    vocab: int

    def config(self) -> dict[str, int]:
        return dict(vocab_size=self.vocab, hidden_size=self.hidden, intermediate_size=self.intermediate,
                    num_hidden_layers=self.layers, num_attention_heads=self.heads,
                    num_key_value_heads=self.kv_heads, head_dim=self.head_dim)


TINY_TEXT = TextSizes(hidden=16, layers=1, heads=2, kv_heads=1, head_dim=8, intermediate=32, vocab=600)


@dataclass(frozen=True)
class AceStepSizes:
    latent_dim: int  # the VAE's latent channels = the DiT's acoustic dim
    vae_channels: int
    vae_ratios: tuple[int, ...]  # product 1920: 25 latents per second at 48 kHz
    vae_multiples: tuple[int, ...]
    text: TextSizes
    hidden: int
    intermediate: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    lyric_layers: int
    timbre_layers: int
    tokenizer_layers: int
    fsq_levels: tuple[int, ...]


@dataclass(frozen=True)
class SA3Sizes:
    latent_dim: int
    vae_channels: int
    vae_patch: int
    vae_strides: tuple[int, ...]
    vae_mults: tuple[int, ...]
    vae_depths: tuple[int, ...]
    vae_heads_dim: int
    vae_decoder_sin_blocks: tuple[int, ...]
    text: TextSizes
    text_sliding_window: int
    embed_dim: int
    depth: int
    heads: int
    memory_tokens: int


ACE_STEP_SIZES: dict[str, AceStepSizes] = {
    "tiny": AceStepSizes(
        latent_dim=8, vae_channels=16, vae_ratios=(8, 16, 15), vae_multiples=(1, 2, 2),
        text=TINY_TEXT, hidden=32, intermediate=64, layers=2, heads=2, kv_heads=1, head_dim=16, lyric_layers=1,
        timbre_layers=1,
        tokenizer_layers=1, fsq_levels=(8, 5, 5),
    ),
    # ACE-Step 1.5 turbo as published: the DiT and condition encoder at the diffusers classes' defaults
    # (which diffusers' tests pin to the official turbo config), the Oobleck VAE at 48 kHz with a
    # 1920-sample hop, the Qwen3-Embedding-0.6B text encoder.
    "full": AceStepSizes(
        latent_dim=64, vae_channels=128, vae_ratios=(2, 4, 4, 6, 10), vae_multiples=(1, 2, 4, 8, 16),
        text=TextSizes(hidden=1024, layers=28, heads=16, kv_heads=8, head_dim=128, intermediate=3072, vocab=151669),
        hidden=2048, intermediate=6144, layers=24, heads=16,
        kv_heads=8, head_dim=128, lyric_layers=8, timbre_layers=4, tokenizer_layers=2, fsq_levels=(8, 8, 8, 5, 5, 5),
    ),
}

SA3_SIZES: dict[str, SA3Sizes] = {
    "tiny": SA3Sizes(
        latent_dim=8, vae_channels=8, vae_patch=64, vae_strides=(4,), vae_mults=(1,), vae_depths=(1,),
        vae_heads_dim=8, vae_decoder_sin_blocks=(0,),
        text=TINY_TEXT, text_sliding_window=256, embed_dim=32, depth=2, heads=2, memory_tokens=4,
    ),
    # Stable Audio 3 Medium: the SAME-L VAE at 44.1 kHz (diffusers' AutoencoderSAME docstring), the
    # T5Gemma b-b-ul2 encoder (T5 v1.1 base sizes), the DiT at StableAudio3DiTModel's defaults.
    "full": SA3Sizes(
        latent_dim=256, vae_channels=256, vae_patch=256, vae_strides=(16,), vae_mults=(6,), vae_depths=(12,),
        vae_heads_dim=64, vae_decoder_sin_blocks=(8,),
        text=TextSizes(hidden=768, layers=12, heads=12, kv_heads=12, head_dim=64, intermediate=2048, vocab=256000),
        text_sliding_window=4096, embed_dim=1536,
        depth=24, heads=24, memory_tokens=64,
    ),
}


def _bpe(specials: list[str], vocab_size: int = 520) -> tuple[dict[str, int], list[tuple[str, str]]]:
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator([_CORPUS] * 4, trainer=trainer)
    import json

    model = json.loads(tok.to_str())["model"]
    merges = [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    return dict(model["vocab"]), merges  # type: ignore[return-value]


def _seeded(seed: int) -> None:
    torch.manual_seed(seed)


def _nudge_zero_weights(module: torch.nn.Module, scale: float = 0.02) -> None:
    """Layers initialised at exactly zero (output projections, gates) make a random model ignore
    its inputs; give them small noise so conditioning reaches the output."""
    with torch.no_grad():
        for param in module.parameters():
            if param.numel() and float(param.abs().max()) == 0.0:
                param.normal_(0.0, scale)


def build_ace_step(size: Size = "tiny", *, turbo: bool = True, audio_tokenizer: bool = True, seed: int = 0) -> Any:
    from diffusers import AutoencoderOobleck, FlowMatchEulerDiscreteScheduler
    from diffusers.models.transformers.ace_step_transformer import AceStepTransformer1DModel
    from diffusers.pipelines.ace_step.modeling_ace_step import (
        AceStepAudioTokenDetokenizer,
        AceStepAudioTokenizer,
        AceStepConditionEncoder,
    )
    from diffusers.pipelines.ace_step.pipeline_ace_step import AceStepPipeline
    from transformers import Qwen2Tokenizer, Qwen3Config, Qwen3Model

    s = ACE_STEP_SIZES[size]
    _seeded(seed)
    vae = AutoencoderOobleck(
        encoder_hidden_size=2 * s.latent_dim if size == "tiny" else s.vae_channels,
        downsampling_ratios=list(s.vae_ratios), channel_multiples=list(s.vae_multiples),
        decoder_channels=s.vae_channels, decoder_input_channels=s.latent_dim, audio_channels=2, sampling_rate=48000,
    )
    text_encoder = Qwen3Model(Qwen3Config(**s.text.config(), max_position_embeddings=32768,
    ))
    vocab, merges = _bpe(["<|endoftext|>"])
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=merges)
    common: dict[str, Any] = dict(
        hidden_size=s.hidden, intermediate_size=s.intermediate, num_attention_heads=s.heads,
        num_key_value_heads=s.kv_heads, head_dim=s.head_dim,
    )
    transformer = AceStepTransformer1DModel(
        num_hidden_layers=s.layers, in_channels=3 * s.latent_dim, audio_acoustic_hidden_dim=s.latent_dim,
        encoder_hidden_size=s.hidden, is_turbo=turbo, model_version="turbo" if turbo else "base", **common,
    )
    condition_encoder = AceStepConditionEncoder(
        text_hidden_dim=s.text.hidden, timbre_hidden_dim=s.latent_dim, num_lyric_encoder_hidden_layers=s.lyric_layers,
        num_timbre_encoder_hidden_layers=s.timbre_layers, **common,
    )
    parts: dict[str, Any] = {}
    if audio_tokenizer:
        parts["audio_tokenizer"] = AceStepAudioTokenizer(
            audio_acoustic_hidden_dim=s.latent_dim, fsq_dim=s.hidden, fsq_input_levels=list(s.fsq_levels),
            num_attention_pooler_hidden_layers=s.tokenizer_layers, **common,
        )
        parts["audio_token_detokenizer"] = AceStepAudioTokenDetokenizer(
            audio_acoustic_hidden_dim=s.latent_dim, num_attention_pooler_hidden_layers=s.tokenizer_layers, **common,
        )
    scheduler = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1, shift=1.0)
    pipe = AceStepPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, transformer=transformer,
                           condition_encoder=condition_encoder, scheduler=scheduler, **parts)
    if size == "tiny":
        for module in (transformer, condition_encoder, *parts.values()):
            _nudge_zero_weights(module)
    return pipe


def build_stable_audio_3(size: Size = "tiny", *, seed: int = 0) -> Any:
    from diffusers import AutoencoderSAME, FlowMatchEulerDiscreteScheduler
    from diffusers.models import StableAudio3DiTModel
    from diffusers.pipelines.stable_audio_3 import StableAudio3DurationEmbedder, StableAudio3Pipeline
    from transformers import GemmaTokenizer, T5GemmaConfig, T5GemmaEncoderModel
    from transformers.models.t5gemma.configuration_t5gemma import T5GemmaModuleConfig

    s = SA3_SIZES[size]
    _seeded(seed)
    vae = AutoencoderSAME(
        audio_channels=2, patch_size=s.vae_patch, encoder_channels=s.vae_channels, encoder_c_mults=list(s.vae_mults),
        encoder_strides=list(s.vae_strides), encoder_transformer_depths=list(s.vae_depths),
        latent_dim=s.latent_dim, dim_heads=s.vae_heads_dim, decoder_sinusoidal_blocks=s.vae_decoder_sin_blocks,
        sampling_rate=44100,
    )
    module_config = T5GemmaModuleConfig(
        **s.text.config(), query_pre_attn_scalar=s.text.head_dim, sliding_window=s.text_sliding_window,
    )
    text_encoder = T5GemmaEncoderModel(T5GemmaConfig(
        encoder=module_config.to_dict(), decoder=module_config.to_dict(), is_encoder_decoder=False,
        vocab_size=s.text.vocab,
    ))
    vocab, merges = _bpe(["<pad>", "<eos>", "<bos>", "<unk>", "<mask>"])
    tokenizer = GemmaTokenizer(vocab=vocab, merges=merges)
    duration_embedder = StableAudio3DurationEmbedder(output_dim=s.text.hidden)
    transformer = StableAudio3DiTModel(
        io_channels=s.latent_dim, embed_dim=s.embed_dim, depth=s.depth, num_heads=s.heads,
        cond_token_dim=s.text.hidden, global_cond_dim=s.text.hidden, local_add_cond_dim=s.latent_dim + 1,
        num_memory_tokens=s.memory_tokens,
    )
    scheduler = FlowMatchEulerDiscreteScheduler(stochastic_sampling=True)
    pipe = StableAudio3Pipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer,
                                duration_embedder=duration_embedder, transformer=transformer, scheduler=scheduler)
    if size == "tiny":
        for module in (vae, transformer):
            _nudge_zero_weights(module)
        # The SAME decoder's output tokens start near zero and barely attend to the latents: with
        # random weights it would decode every latent to nearly the same audio. Stronger values
        # make the audio depend on the latents (decoded differences ~100x larger).
        with torch.no_grad():
            for name, param in vae.named_parameters():
                if name.endswith("new_tokens") or ".to_out." in name or ".proj_out." in name:
                    param.normal_(0.0, 0.5)
    return pipe


def save_random_pipeline(kind: str, folder: str | Path, size: Size = "tiny", **options: Any) -> Path:
    """Build a random ``ace-step`` or ``stable-audio-3`` pipeline and ``save_pretrained`` it to ``folder``.

    ``options`` go to the builder, except ``dtype`` (a torch dtype the weights are saved in)."""
    builders = {"ace-step": build_ace_step, "stable-audio-3": build_stable_audio_3}
    if kind not in builders:
        raise ValueError(f"unknown pipeline kind {kind!r}; expected one of {sorted(builders)}")
    dtype = options.pop("dtype", None)
    pipe = builders[kind](size, **options)
    if dtype is not None:
        pipe.to(dtype=dtype)
    folder = Path(folder)
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder
