"""Wire pieces several families share: failure fields, media paths, the render parameters."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from openproducer.core.clips import MEDIA_FILES
from openproducer.store.clock import as_utc
from openproducer.store.tables import Clip

__all__ = [
    "FAILURE_TYPES",
    "NOT_READY_MESSAGE",
    "ClipsNotReadyBody",
    "Exact",
    "FailedBody",
    "FailedClipsBody",
    "FailureType",
    "NotReadyBody",
    "failure_fields",
    "iso_time",
    "media_path",
    "render_params",
]

NOT_READY_MESSAGE = "Task is still processing. Please wait a few seconds and try again."
# The failure types the official client stops polling on.
FAILURE_TYPES = ("failed", "timeout", "forbidden", "api_error")
FailureType = Literal["failed", "timeout", "forbidden", "api_error"]


class Exact(BaseModel):
    """A wire shape as the contract gives it: a key it does not list is refused."""

    model_config = ConfigDict(extra="forbid")


class FailedBody(Exact):
    """The poll answer of a failed task (Producer's): :func:`failure_fields` and the status."""

    code: int
    type: FailureType
    status: Literal["FAILED"] = "FAILED"
    error: str
    message: str


class FailedClipsBody(FailedBody):
    """A failed task of the clip families (Sonic, Riffusion): the same, with its (empty) ``data``."""

    data: list[Any]


class NotReadyBody(Exact):
    """The 202 answer of a queued or running task (families add their own keys)."""

    code: Literal[202] = 202
    type: Literal["not_ready"] = "not_ready"
    status: Literal["PENDING", "RUNNING"]
    progress: int
    stage: str
    error: str


class ClipsNotReadyBody(NotReadyBody):
    """The 202 answer of the clip families (Sonic, Riffusion): the same, with a ``message``."""

    message: str


def failure_fields(error_type: str | None, error: str | None) -> dict[str, Any]:
    """``code``, ``type``, ``error`` and ``message`` of a failed task.

    A client that reads ``code`` and ``message`` (musicapi-sdk's manual polling does) never meets
    a missing key, a client that checks ``type`` stops, and none mistakes it for success.
    """
    why = error or "The task failed."
    return {
        "code": 403 if error_type == "forbidden" else 500,
        "type": error_type if error_type in FAILURE_TYPES else "failed",
        "error": why,
        "message": f"{why.rstrip('.')}; credits refunded.",
    }


def media_path(clip: Clip, name: str) -> str | None:
    """``/media/<token>/<name>`` when the clip has that file (the origin is added per answer)."""
    role = MEDIA_FILES.get(name)
    if role is None or role not in (clip.files or {}):
        return None
    return f"/media/{clip.media_token}/{name}"


def iso_time(clip: Clip) -> str:
    return as_utc(clip.created_at).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_params(**values: Any) -> dict[str, Any]:
    """The parameters of a "render" task, whatever family asked: the render work reads these keys.

    Families fill what their request says; the rest keep these defaults.
    """
    params: dict[str, Any] = {
        "operation": "create",
        "sound": "",
        "lyrics": "",
        "make_instrumental": False,
        "mv": "",
        "title": "",
        "cover_url": None,
        "seed": 0,
        "lyrics_strength": 0.5,
        "sound_strength": 0.5,
        "weirdness": 0.5,
        "cover_strength": 0.5,
        "bpm": None,
        "length": None,
        "instruction": "",
        "clip_id": None,
        "starts_at": None,
        "ends_at": None,
        "profile": "full",
        "mastered": True,
    }
    unknown = set(values) - set(params) - _EXTRA_RENDER_KEYS
    if unknown:
        raise KeyError(f"not render parameters: {sorted(unknown)}")
    params.update(values)
    return params


# Render parameters only some families send; the render work reads them with defaults.
_EXTRA_RENDER_KEYS = {
    "avoid",  # instruments and traits to leave out (Sonic negative_tags)
    "voice",  # the singer asked for: gender, range (MIDI low/high), timbre words
    "variation_seeds",  # per-clip seeds of a multi-clip task
    "new_part_only",  # the clip is the continuation alone (Sonic extend); the whole song is its timeline
    "overpaint",  # [start, end] s: the new part of an add-vocals/add-instrumental goes only there
    "lyrics_from",  # a description the worker writes the lyrics for
    "wire",  # request fields a family echoes back in its clips
    "form",  # [[section name, seconds], ...]: the song's form (Nuro segments, Studio lyric placement)
}
