"""All settings in one place.

Values come from, in order of precedence: explicit arguments (the CLI), environment
variables ``OPENPRODUCER_*`` (nested with ``__``, e.g. ``OPENPRODUCER_COMPOSER__SOUNDFONT``),
an optional TOML file (``OPENPRODUCER_CONFIG`` or ``<data_dir>/openproducer.toml``), defaults.
Nothing else in the package reads the environment.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = [
    "AceStepSettings", "ComposerSettings", "LyricsSettings", "ModelRoute", "NeuralEngineSettings", "S3Settings",
    "Settings", "StableAudio3Settings", "load_settings",
]


class ModelRoute(BaseModel):
    """Where one ``mv`` name is served: an engine and an arrangement profile."""

    engine: str = "composer"
    profile: str = "full"
    mastered: bool = True


def _default_models() -> dict[str, ModelRoute]:
    return {
        "FUZZ-2.0": ModelRoute(profile="full"),
        "FUZZ-2.0 Pro": ModelRoute(profile="full"),
        "FUZZ-2.0 Raw": ModelRoute(profile="full", mastered=False),
        "FUZZ-1.1 Pro": ModelRoute(profile="standard"),
        "FUZZ-1.1": ModelRoute(profile="standard"),
        "FUZZ-1.0 Pro": ModelRoute(profile="simple"),
        "FUZZ-1.0": ModelRoute(profile="simple"),
        "FUZZ-0.8": ModelRoute(profile="basic"),
        "composer": ModelRoute(profile="full"),
        "composer-v1": ModelRoute(profile="full"),
        # Sonic (and its chirp-* spellings, which map onto these)
        "sonic-v3-5": ModelRoute(profile="standard"),
        "sonic-v4": ModelRoute(profile="full"),
        "sonic-v4-5": ModelRoute(profile="full"),
        "sonic-v4-5-plus": ModelRoute(profile="full"),
        "sonic-v5": ModelRoute(profile="full"),
        "sonic-v5-5": ModelRoute(profile="full"),
    }


class ComposerSettings(BaseModel):
    soundfont: Path | None = None  # None: the first General MIDI soundfont found on the system


class NeuralEngineSettings(BaseModel):
    """A diffusers pipeline served from a local folder (see docs/gpu.md)."""

    path: Path | None = None  # the save_pretrained folder; None: the engine is not configured
    device: str = Field(default="auto", pattern=r"^(auto|cpu|cuda(:\d+)?)$", description="auto: cuda when available")
    dtype: str = Field(default="auto", pattern="^(auto|bf16|fp16|fp32)$", description="auto: bf16 on CUDA, fp32 on CPU")
    allow_download: bool = False  # False: from_pretrained(local_files_only=True), never a hub
    steps: int = Field(default=8, ge=1, le=200, description="denoising steps per render")
    batch_size: int = Field(default=4, ge=1, le=64, description="renders of one shape per pipeline call")
    batch_wait_ms: float = Field(default=25.0, ge=0, le=5000, description="how long a render waits for others")
    fallback: str | None = "composer"  # the engine that performs the operations this one cannot


class AceStepSettings(NeuralEngineSettings):
    pass


class StableAudio3Settings(NeuralEngineSettings):
    pass


class S3Settings(BaseModel):
    endpoint_url: str | None = None  # e.g. http://minio:9000; None: AWS
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    presign_expiry_s: int = 3600


class LyricsSettings(BaseModel):
    """Who writes lyrics for description mode and the lyrics routes (see docs/lyrics.md)."""

    backend: str = Field(default="builtin", pattern="^(builtin|openai)$", description="openai: a local LLM server")
    base_url: str | None = None  # e.g. http://127.0.0.1:8080/v1; POST {base_url}/chat/completions
    model: str | None = None  # the model name the server expects
    api_key: str | None = None  # sent as a bearer token when set
    timeout_s: float = Field(default=20.0, gt=0, le=600, description="per request; then the built-in writer")

    @model_validator(mode="after")
    def _openai_needs_endpoint(self) -> LyricsSettings:
        if self.backend == "openai" and not (self.base_url and self.model):
            raise ValueError("lyrics.backend 'openai' needs lyrics.base_url and lyrics.model")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENPRODUCER_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None  # default: SQLite in data_dir
    broker_url: str | None = None  # default: Dramatiq in-process (embedded mode)
    storage_url: str | None = None  # default: a folder in data_dir
    # The origin of result URLs. None: the address each client used (its Host header, or
    # Forwarded / X-Forwarded-* from a trusted proxy), and for webhooks the serve address.
    public_base_url: str | None = None
    trusted_proxies: list[str] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"],
        description="client addresses whose Forwarded / X-Forwarded-Host / -Proto headers are believed",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=0, description="worker threads run inside `serve`")
    allow_private_urls: bool = False

    task_time_limit_s: float = Field(default=300.0, gt=0)
    lease_s: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=3, ge=1)
    requeue_after_s: float = Field(default=600.0, gt=0, description="re-send PENDING tasks after this long")
    reconcile_interval_s: float = Field(default=5.0, gt=0)
    max_body_bytes: int = 1_000_000
    upload_max_bytes: int = 50 * 1024 * 1024
    upload_max_seconds: float = 480.0
    fetch_timeout_s: float = 60.0
    webhook_timeout_s: float = 10.0
    webhook_max_retries: int = 8

    default_mv: str = "FUZZ-2.0"
    models: dict[str, ModelRoute] = Field(default_factory=_default_models)
    composer: ComposerSettings = Field(default_factory=ComposerSettings)
    s3: S3Settings = Field(default_factory=S3Settings)
    # A Demucs model file for splitting uploads (extra "separation"); None: REPET-SIM with librosa.
    separation_model: Path | None = None
    ace_step: AceStepSettings = Field(default_factory=AceStepSettings)
    stable_audio_3: StableAudio3Settings = Field(default_factory=StableAudio3Settings)
    lyrics: LyricsSettings = Field(default_factory=LyricsSettings)

    # Limits at scale: per-key request rate (limits library syntax), queue-depth ceiling per engine.
    rate_limit: str = Field(default="50/second;1000/minute", description="per API key, all routes")
    rate_limit_storage_url: str | None = None  # default: memory (embedded) or broker_url when it is redis
    max_queue_depth: int = Field(default=5000, ge=1, description="PENDING tasks per engine before 503")
    max_active_tasks_per_key: int = Field(default=20, ge=1, description="PENDING+RUNNING tasks per key before 429")
    # Slow or oversized requests (see openproducer/api/server.py and api/middleware.py).
    max_header_bytes: int = Field(default=64 * 1024, ge=1024, description="request line and headers, bytes")
    header_timeout_s: float = Field(default=10.0, gt=0, description="to receive a request's headers")
    body_timeout_s: float = Field(default=30.0, gt=0, description="to receive a request's whole body")
    log_format: str = Field(default="text", pattern="^(text|json)$")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_path = _toml_path(init_settings, env_settings)
        if toml_path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    @model_validator(mode="after")
    def _route_neural_models(self) -> Settings:
        """With no explicit ``models`` table, configured neural engines take their default mv names:
        FUZZ-2.0 (and Pro, Raw) and sonic-v4-5 and later go to ace-step; "ace-step" and
        "stable-audio-3" name the engines."""
        if "models" in self.model_fields_set:
            return self
        if self.ace_step.path is not None:
            for mv in ("FUZZ-2.0", "FUZZ-2.0 Pro", "FUZZ-2.0 Raw", "sonic-v4-5", "sonic-v4-5-plus", "sonic-v5",
                       "sonic-v5-5"):
                self.models[mv] = self.models[mv].model_copy(update={"engine": "ace-step"})
            self.models["ace-step"] = ModelRoute(engine="ace-step")
        if self.stable_audio_3.path is not None:
            self.models["stable-audio-3"] = ModelRoute(engine="stable-audio-3")
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'openproducer.db').resolve()}"

    @property
    def resolved_storage_url(self) -> str:
        return self.storage_url or f"file://{(self.data_dir / 'media').resolve()}"

    @property
    def embedded_broker(self) -> bool:
        return not self.broker_url

    def default_origin(self) -> str:
        """The origin of URLs made without a request (webhooks): ``public_base_url``, else the serve
        address (the machine's host name when serving on every interface)."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        host = self.host
        if host in ("0.0.0.0", "::", ""):
            host = socket.gethostname()
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"


def _toml_path(*sources: PydanticBaseSettingsSource) -> Path | None:
    explicit = os.environ.get("OPENPRODUCER_CONFIG")
    if explicit:
        return Path(explicit)
    data_dir: Any = None
    for source in sources:
        data_dir = source().get("data_dir") or data_dir
    candidate = Path(data_dir or "data") / "openproducer.toml"
    return candidate if candidate.is_file() else None


def load_settings(**overrides: Any) -> Settings:
    """Build the settings once (at process start); pass the object on from there."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
