"""Request and response bodies as they travel on the wire.

Types and ranges live here (they also feed the OpenAPI document); the rules that need
the database or judgement (placeholder text, parent clips, windows) live in
``openproducer.core.validation``. Unknown fields are ignored; legacy spellings accepted.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

__all__ = [
    "PRODUCER_TASK_TYPES",
    "CreditsPublic",
    "DownloadCreate",
    "ErrorPublic",
    "ProducerCreate",
    "TaskAccepted",
    "TaskDone",
    "TaskFailed",
    "TaskNotReady",
    "UploadCreate",
]

ProducerTaskType = Literal[
    "create_music",
    "extend_music",
    "cover_music",
    "replace_music",
    "swap_music_vocals",
    "swap_music_sound",
    "music_variation",
    "extend_upload_music",
    "replace_upload_music",
]
PRODUCER_TASK_TYPES: tuple[str, ...] = get_args(ProducerTaskType)


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class _WebhookFields(_Body):
    webhook_url: str | None = Field(None, max_length=2048)
    webhook_secret: str | None = Field(None, max_length=200)


class ProducerCreate(_WebhookFields):
    # Examples show in /docs and give schema-driven tests (schemathesis) requests that are accepted.
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"task_type": "create_music", "sound": "upbeat pop song with electronic synths and catchy melody",
         "make_instrumental": True, "length": 30},
        {"task_type": "create_music", "sound": "warm acoustic folk ballad with gentle guitar", "title": "Empty Road",
         "lyrics": "[Verse]\nWalking down the empty road tonight\nCounting every star that fades from view\n"
                   "[Chorus]\nHold on to the morning light\nEvery mile brings me home to you"},
    ]})

    task_type: ProducerTaskType = "create_music"
    sound: str | None = Field(None, max_length=3000, description="style prompt; required when lyrics is empty")
    lyrics: str | None = Field(
        None, max_length=20000, validation_alias=AliasChoices("lyrics", "lyrics_text"),
        description="lyrics with [Verse]/[Chorus] markers; required when sound is empty",
    )
    make_instrumental: bool = False
    mv: str | None = Field(None, max_length=64)
    title: str | None = Field(None, max_length=80)
    cover_url: str | None = Field(None, max_length=2048)
    seed: int | str | None = Field(None, description="same seed + same inputs give the same audio")
    lyrics_strength: float = Field(0.5, ge=0, le=1)
    sound_strength: float = Field(0.5, ge=0.2, le=1)
    weirdness: float = Field(0.5, ge=0, le=1)
    clip_id: str | None = Field(None, max_length=64)
    starts_at: float | None = Field(None, ge=0, validation_alias=AliasChoices("starts_at", "starts"))
    ends_at: float | None = Field(None, ge=0, validation_alias=AliasChoices("ends_at", "ends"))
    cover_strength: float | None = Field(None, ge=0.2, le=1)
    strength: float | None = Field(None, ge=0, le=1, description="alias of cover_strength")
    bpm: int | float | str | None = Field(None, description="target tempo, 40-240")
    length: float | None = Field(None, ge=1, le=240, description="seconds: the song (create) or the added part")
    instruction: str | None = Field(None, max_length=2000)
    extend_s: float | None = Field(None, ge=1, le=240, description="seconds to add (extend)")


class UploadCreate(_WebhookFields):
    model_config = ConfigDict(json_schema_extra={"examples": [{"audio_url": "https://example.com/my-song.mp3"}]})

    audio_url: str = Field(..., max_length=2048)


class DownloadCreate(_WebhookFields):
    model_config = ConfigDict(json_schema_extra={
        "examples": [{"clip_id": "0b7d3c1e-5a4f-4f8e-9c2a-6d1e2f3a4b5c", "format": "wav"}]
    })

    clip_id: str = Field(..., max_length=64)
    format: Literal["mp3", "wav"] = "mp3"


class TaskAccepted(BaseModel):
    message: str = "success"
    task_id: str


class TaskNotReady(BaseModel):
    code: int = 202
    type: str = "not_ready"
    status: Literal["PENDING", "RUNNING"]
    progress: int
    error: str


class TaskDone(BaseModel):
    code: int = 200
    status: Literal["SUCCESS"] = "SUCCESS"
    message: str = "success"
    data: list[dict[str, Any]]


class TaskFailed(BaseModel):
    type: Literal["failed", "timeout", "forbidden", "api_error"]
    status: Literal["FAILED"] = "FAILED"
    error: str
    message: str


class CreditsPublic(BaseModel):
    credits: int
    extra_credits: int


class ErrorPublic(BaseModel):
    type: str
    error: str
    code: int | None = None
