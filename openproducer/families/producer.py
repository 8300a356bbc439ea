"""The Producer family (``/producer/*``): FUZZ models, one clip a task."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import AliasChoices, ConfigDict, Field

from openproducer.core import validation
from openproducer.engines.base import Operation
from openproducer.families.base import Family, Plan, PlanContext, TaskRow, TaskSpec
from openproducer.families.common import (
    NOT_READY_MESSAGE,
    Exact,
    FailedBody,
    NotReadyBody,
    failure_fields,
    iso_time,
    media_path,
    render_params,
)
from openproducer.families.requests import WebhookFields
from openproducer.store.tables import Clip
from openproducer.store.tasks import FAILED, SUCCESS

__all__ = [
    "PRODUCER",
    "PRODUCER_TASK_TYPES",
    "DownloadCreate",
    "ProducerCreate",
    "ProducerFamily",
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


class ProducerCreate(WebhookFields):
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


class UploadCreate(WebhookFields):
    model_config = ConfigDict(json_schema_extra={"examples": [{"audio_url": "https://example.com/my-song.mp3"}]})

    audio_url: str = Field(..., max_length=2048)


class DownloadCreate(WebhookFields):
    model_config = ConfigDict(json_schema_extra={
        "examples": [{"clip_id": "0b7d3c1e-5a4f-4f8e-9c2a-6d1e2f3a4b5c", "format": "wav"}]
    })

    clip_id: str = Field(..., max_length=64)
    format: Literal["mp3", "wav"] = "mp3"


# Poll answers, one model per state; the response models are the response (extra keys refused).
class TimingMarker(Exact):
    word: str
    start_s: float
    end_s: float


class ProducerClip(Exact):
    clip_id: str
    title: str
    sound: str
    lyrics: str
    lyrics_id: str | None
    lyrics_timing_markers: list[TimingMarker] | None
    created_at: str
    mv: str
    seed: int
    duration: float
    state: Literal["succeeded"]
    audio_url: str | None
    wav_url: str | None
    image_url: str | None
    video_url: str | None
    metadata: dict[str, Any]


class DownloadItem(Exact):
    clip_id: str
    format: Literal["mp3", "wav"]
    audio_url: str


class TaskNotReady(NotReadyBody):
    pass


class TaskDone(Exact):
    code: Literal[200] = 200
    status: Literal["SUCCESS"] = "SUCCESS"
    message: str = "success"
    data: list[ProducerClip | DownloadItem]


class TaskFailed(FailedBody):
    pass


_RENDER_PRICE = 10
OTHER_FAMILY_MODELS = ("sonic-", "chirp-")  # mv names of the Sonic family, not served here
EDIT_OPERATIONS = {
    "extend_music": Operation.EXTEND,
    "extend_upload_music": Operation.EXTEND,
    "cover_music": Operation.COVER,
    "replace_music": Operation.REPLACE,
    "replace_upload_music": Operation.REPLACE,
    "swap_music_vocals": Operation.SWAP_VOCALS,
    "swap_music_sound": Operation.SWAP_SOUND,
    "music_variation": Operation.VARIATION,
}


class ProducerFamily(Family):
    name = "producer"
    poll_models = {"PENDING": TaskNotReady, "RUNNING": TaskNotReady, "SUCCESS": TaskDone, "FAILED": TaskFailed}
    tasks = {
        "create_music": TaskSpec("render", _RENDER_PRICE, Operation.CREATE),
        **{t: TaskSpec("render", _RENDER_PRICE, op, parent_field="clip_id") for t, op in EDIT_OPERATIONS.items()},
        "upload": TaskSpec("upload", 2, queue="io"),
        "download": TaskSpec("download", 2, clips=0, parent_field="clip_id", queue="io"),
    }

    def plan(self, ctx: PlanContext, task_type: str, body: dict[str, Any]) -> Plan:
        problems = ctx.problems
        if body.get("webhook_url"):
            problems.check(validation.check_http_url, "webhook_url", body["webhook_url"])
        if task_type == "upload":
            problems.check(validation.check_http_url, "audio_url", body["audio_url"])
            problems.raise_if_any()
            return Plan({"audio_url": body["audio_url"]}, "upload")
        if task_type == "download":
            clip = ctx.owned_clip(body.get("clip_id"), "clip_id")
            problems.raise_if_any()
            return Plan({"clip_id": clip.id, "format": body.get("format") or "mp3"}, "download")
        parent = ctx.owned_clip(body.get("clip_id"), "clip_id") if task_type in EDIT_OPERATIONS else None
        params = _render_params(ctx, task_type, body, parent)
        problems.raise_if_any()
        route = ctx.settings.models[params["mv"]]
        params.update(profile=route.profile, mastered=route.mastered)
        return Plan(params, route.engine)

    def result_item(self, task: Any, clip: Clip, index: int) -> dict[str, Any]:
        if task.task_type == "download":
            fmt = task.params["format"]
            name = "audio.wav" if fmt == "wav" else "audio.mp3"
            return {"clip_id": clip.id, "format": fmt, "audio_url": media_path(clip, name)}
        return clip_body(clip)

    def poll(self, row: TaskRow) -> tuple[int, dict[str, Any]]:
        if row.status == SUCCESS:
            return 200, {"code": 200, "status": SUCCESS, "message": "success", "data": row.result or []}
        if row.status == FAILED:
            fields = failure_fields(row.error_type, row.error)
            return 200, {"code": fields["code"], "type": fields["type"], "status": FAILED,
                         "error": fields["error"], "message": fields["message"]}
        return 202, {"code": 202, "type": "not_ready", "status": row.status, "progress": row.progress,
                     "stage": row.stage, "error": NOT_READY_MESSAGE}


def clip_body(clip: Clip) -> dict[str, Any]:
    """A Producer clip: every field the vendor's clients read, plus ``metadata``."""
    meta = clip.meta or {}
    markers = [
        {"word": w["word"], "start_s": round(w["start"], 3), "end_s": round(w["end"], 3)}
        for w in meta.get("lyrics_timing", [])
    ]
    return {
        "clip_id": clip.id,
        "title": clip.title,
        "sound": clip.sound,
        "lyrics": clip.lyrics,
        "lyrics_id": f"lyrics-{clip.id}" if clip.lyrics else None,
        "lyrics_timing_markers": markers or None,
        "created_at": iso_time(clip),
        "mv": clip.mv,
        "seed": clip.seed,
        "duration": round(clip.duration, 3),
        "state": "succeeded",
        "audio_url": media_path(clip, "audio.mp3"),
        "wav_url": media_path(clip, "audio.wav"),
        "image_url": media_path(clip, "cover.png"),
        "video_url": media_path(clip, "video.mp4"),
        "metadata": {
            "bpm": meta.get("bpm"),
            "key": meta.get("key"),
            "time_signature": meta.get("time_signature"),
            "sections": meta.get("sections", []),
            "has_vocals": meta.get("has_vocals", False),
            "vocal_kind": meta.get("vocal_kind"),
            "notes": meta.get("notes", []),
            "parent_clip_id": clip.parent_clip_id,
            "source": clip.source,
        },
    }


def _render_params(ctx: PlanContext, task_type: str, body: dict[str, Any], parent: Clip | None) -> dict[str, Any]:
    """Check a parsed /producer/create body (every problem recorded) and return its render parameters."""
    problems, settings = ctx.problems, ctx.settings
    sound = (body.get("sound") or "").strip()
    lyrics = (body.get("lyrics") or "").strip()
    instrumental = bool(body.get("make_instrumental"))
    mv = body.get("mv") or settings.default_mv
    names = [name for name in settings.models if not name.startswith(OTHER_FAMILY_MODELS)]
    if mv not in names:
        problems.add("mv", f"must be one of: {', '.join(names)}")
        mv = settings.default_mv

    if task_type == "create_music" and not sound and not lyrics:
        problems.add("sound", "sound or lyrics is required (sound is required when lyrics is empty)")
    if task_type == "create_music" and instrumental and not sound:
        problems.add("sound", "is required for an instrumental (make_instrumental ignores lyrics)")
    if sound:
        problems.check(validation.check_sound, sound)
    if lyrics and not instrumental:
        problems.check(validation.check_lyrics, lyrics)
    if task_type in ("cover_music", "swap_music_sound") and not sound:
        problems.add("sound", f"is required for {task_type}: it names the new style")
    if body.get("cover_url"):
        problems.check(validation.check_http_url, "cover_url", body["cover_url"])

    cover_strength = body.get("cover_strength")
    if cover_strength is None and body.get("strength") is not None:
        cover_strength = max(0.2, float(body["strength"]))
    operation = EDIT_OPERATIONS.get(task_type, Operation.CREATE)
    params = render_params(
        operation=operation.value,
        sound=sound,
        lyrics="" if instrumental else lyrics,
        make_instrumental=instrumental,
        mv=mv,
        title=(body.get("title") or "").strip(),
        cover_url=body.get("cover_url"),
        seed=problems.check(validation.normalise_seed, body.get("seed")) or 0,
        lyrics_strength=body["lyrics_strength"],
        sound_strength=body["sound_strength"],
        weirdness=body["weirdness"],
        cover_strength=0.5 if cover_strength is None else float(cover_strength),
        bpm=problems.check(validation.normalise_bpm, body.get("bpm")),
        length=body.get("length"),
        instruction=(body.get("instruction") or "").strip(),
    )
    if parent is not None:
        window = problems.check(_window, operation, body, parent)
        params.update(window or {})
        params["clip_id"] = parent.id
        params["title"] = params["title"] or parent.title
    return params


def _window(operation: Operation, body: dict[str, Any], parent: Clip) -> dict[str, Any]:
    duration = float(parent.duration)
    starts_at, ends_at = body.get("starts_at"), body.get("ends_at")
    if operation is Operation.EXTEND:
        start = min(30.0, duration) if starts_at is None else float(starts_at)
        validation.check_inside("starts_at", start, duration)
        added = body.get("extend_s") or body.get("length") or 60.0
        return {"starts_at": start, "ends_at": None, "length": float(added)}
    if operation is Operation.REPLACE:
        start = 0.0 if starts_at is None else float(starts_at)
        end = duration if ends_at is None else float(ends_at)
        return {"starts_at": start, "ends_at": validation.check_window(start, end, duration)}
    return {}


PRODUCER = ProducerFamily()
