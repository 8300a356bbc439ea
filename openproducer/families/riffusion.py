"""The Riffusion family (``/riffusion/*``): the FUZZ-1.x models, two clips a task.

Task types, models and prices are the contract's (``sibling-contract.md`` §4). What a field does here:

* ``custom_mode`` true: ``lyrics`` are sung and ``sound`` is the style; false: ``prompt`` describes
  the song, is its style, and lyrics are written for it (none for an instrumental). Not sent:
  lyrics mean custom mode, a prompt alone means description mode (the client's README example).
* ``vocal_variation`` (0-1): how far the sung melody strays from the expected (the composer's
  weirdness); clips echo it.
* ``extend_music`` answers the whole song: the parent up to ``continue_at`` (its end when not
  sent), then at least 30 s of new music, longer when the new lyrics need it. Riffusion has no
  concat task, so a new part alone could never become a song.
* ``replace_music`` recomposes ``replace_start_time``..``replace_end_time`` (defaults: the start,
  the end); outside the window the parent's samples stay. ``swap_music_sound`` keeps the parent's
  vocal stem and makes new accompaniment in ``sound``; ``swap_music_vocals`` keeps the
  accompaniment and sings again, ``sound`` describing the new voice (gender and timbre words).
* The ``*_upload_*`` types are the same operations; their parent may be any clip of the caller,
  uploaded or generated (so is the others').
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import ConfigDict, Field

from openproducer.core import validation
from openproducer.engines.base import Operation
from openproducer.families.base import Family, Plan, PlanContext, TaskRow, TaskSpec
from openproducer.families.common import (
    NOT_READY_MESSAGE,
    ClipsNotReadyBody,
    Exact,
    FailedClipsBody,
    failure_fields,
    iso_time,
    media_path,
    render_params,
)
from openproducer.families.requests import RequestBody
from openproducer.store.tables import Clip
from openproducer.store.tasks import FAILED, SUCCESS

__all__ = [
    "RIFFUSION",
    "RIFFUSION_MODELS",
    "RiffusionCreate",
    "RiffusionDone",
    "RiffusionFailed",
    "RiffusionFamily",
    "RiffusionNotReady",
    "RiffusionUpload",
]

RiffusionTaskType = Literal[
    "create_music", "extend_music", "cover_music", "extend_upload_music", "cover_upload_music", "replace_music",
    "replace_upload_music", "swap_music_sound", "swap_upload_music_sound", "swap_music_vocals",
    "swap_upload_music_vocals",
]
RIFFUSION_TASK_TYPES: tuple[str, ...] = get_args(RiffusionTaskType)
RIFFUSION_MODELS = ("FUZZ-1.1 Pro", "FUZZ-1.1", "FUZZ-1.0 Pro", "FUZZ-1.0")
DEFAULT_MODEL = "FUZZ-1.1 Pro"
EXTEND_SECONDS = 30.0  # the least an extension adds (lyrics may need more)


class RiffusionCreate(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"mv": "FUZZ-1.1 Pro", "custom_mode": True, "title": "Starts", "sound": "pop", "make_instrumental": False,
         "lyrics": "[Verse]\nWalking through the city lights\nFeeling the rhythm of the night\nEvery step a new "
                   "surprise\nUnder these electric skies\n[Chorus]\nWe're alive, we're free tonight\nDancing till "
                   "the morning light"},
        {"mv": "FUZZ-1.1", "custom_mode": False, "prompt": "a calm piano ballad about the sea",
         "make_instrumental": True},
    ]})

    task_type: RiffusionTaskType = "create_music"
    mv: str | None = Field(None, max_length=32, description="FUZZ-1.1 Pro, FUZZ-1.1, FUZZ-1.0 Pro or FUZZ-1.0")
    custom_mode: bool | None = Field(None, description="true: lyrics and sound; false: a prompt describes the song")
    lyrics: str | None = Field(None, max_length=3000, description="custom mode: the words")
    prompt: str | None = Field(None, max_length=200, description="description mode: what the song is")
    sound: str | None = Field(None, max_length=200, description="custom mode: the style (swap vocals: the voice)")
    title: str | None = Field(None, max_length=120)
    make_instrumental: bool = False
    vocal_variation: float | None = Field(None, ge=0, le=1, description="how far the sung melody strays")
    continue_clip_id: str | None = Field(None, max_length=64, description="the clip an edit works on")
    continue_at: float | None = Field(None, ge=0, description="extend: seconds into the clip where new music starts")
    replace_start_time: float | None = Field(None, ge=0, description="replace: the window's start, seconds")
    replace_end_time: float | None = Field(None, ge=0, description="replace: the window's end, seconds")
    seed: int | str | None = Field(None, description="OpenProducer: same seed + same inputs give the same songs")


class RiffusionUpload(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"url": "https://example.com/my-song.mp3"}]})

    url: str = Field(..., max_length=2048, description="audio to import (http or https)")


class RiffusionClip(Exact):
    """A song as the client's ``RiffusionSong`` reads it (every key it knows, no other)."""

    clip_id: str
    title: str | None
    sound: str | None
    lyrics: str | None
    image_url: str | None
    audio_url: str | None
    video_url: str | None
    created_at: str | None
    mv: str | None
    vocal_variation: float | None
    duration: float | None
    timestamp: dict[str, Any] | None
    state: Literal["succeeded"]


class RiffusionNotReady(ClipsNotReadyBody):
    pass


class RiffusionDone(Exact):
    code: Literal[200] = 200
    message: Literal["success"] = "success"
    data: list[RiffusionClip]


class RiffusionFailed(FailedClipsBody):
    pass


_PRICE = 12
_PAIR = 2
OPERATIONS: dict[str, Operation] = {
    "create_music": Operation.CREATE,
    "extend_music": Operation.EXTEND, "extend_upload_music": Operation.EXTEND,
    "cover_music": Operation.COVER, "cover_upload_music": Operation.COVER,
    "replace_music": Operation.REPLACE, "replace_upload_music": Operation.REPLACE,
    "swap_music_sound": Operation.SWAP_SOUND, "swap_upload_music_sound": Operation.SWAP_SOUND,
    "swap_music_vocals": Operation.SWAP_VOCALS, "swap_upload_music_vocals": Operation.SWAP_VOCALS,
}
# Operations that need a style to go to: the sound (custom mode) or the prompt.
_NEEDS_STYLE = (Operation.COVER, Operation.SWAP_SOUND)


class RiffusionFamily(Family):
    name = "riffusion"
    poll_models = {"PENDING": RiffusionNotReady, "RUNNING": RiffusionNotReady, "SUCCESS": RiffusionDone,
                   "FAILED": RiffusionFailed}
    tasks = {
        **{t: TaskSpec("render", _PRICE, op, _PAIR, None if op is Operation.CREATE else "continue_clip_id")
           for t, op in OPERATIONS.items()},
        "upload": TaskSpec("instant", 2, clips=0),
    }

    def plan(self, ctx: PlanContext, task_type: str, body: dict[str, Any]) -> Plan:
        if task_type == "upload":
            ctx.problems.check(validation.check_http_url, "url", body["url"])
            return Plan({"audio_url": body["url"]}, "upload")
        mv = body.get("mv") or DEFAULT_MODEL
        if mv not in RIFFUSION_MODELS or mv not in ctx.settings.models:
            ctx.problems.add("mv", f"must be one of: {', '.join(RIFFUSION_MODELS)}")
            mv = DEFAULT_MODEL
        operation = OPERATIONS[task_type]
        parent = None
        if operation is not Operation.CREATE:
            parent = ctx.owned_clip(body.get("continue_clip_id"), "continue_clip_id")
        params = _render(ctx, operation, body, mv, parent)
        route = ctx.settings.models[mv]
        params.update(profile=route.profile, mastered=route.mastered)
        return Plan(params, route.engine)

    def result_item(self, task: Any, clip: Clip, index: int) -> dict[str, Any]:
        wire = task.params.get("wire", {})
        meta = clip.meta or {}
        return {
            "clip_id": clip.id,
            "title": clip.title,
            "sound": wire.get("sound") or clip.sound,
            "lyrics": clip.lyrics,
            "image_url": media_path(clip, "cover.png"),
            "audio_url": media_path(clip, "audio.mp3"),
            "video_url": media_path(clip, "video.mp4"),
            "created_at": iso_time(clip),
            "mv": task.params.get("mv"),
            "vocal_variation": wire.get("vocal_variation"),
            "duration": round(clip.duration, 2),
            "timestamp": {"words": meta.get("lyrics_timing", []), "sections": meta.get("sections", [])},
            "state": "succeeded",
        }

    def poll(self, row: TaskRow) -> tuple[int, dict[str, Any]]:
        if row.status == SUCCESS:
            return 200, {"code": 200, "message": "success", "data": row.result or []}
        if row.status == FAILED:
            return 200, {**failure_fields(row.error_type, row.error), "status": FAILED, "data": []}
        # 202 until both clips are done: the official client stops at the first code 200.
        return 202, {"code": 202, "type": "not_ready", "status": row.status, "progress": row.progress,
                     "stage": row.stage, "message": NOT_READY_MESSAGE, "error": NOT_READY_MESSAGE}


def _describe(ctx: PlanContext, text: str) -> str:
    words = validation.lyric_words(text)
    if not words:
        ctx.problems.add("prompt", "is required in description mode: describe the song "
                                   "(e.g. 'a hopeful folk song about coming home')")
    elif validation.is_placeholder(words):
        ctx.problems.add("prompt", "looks like placeholder text; describe the song's style, mood or story")
    return text


def _words(ctx: PlanContext, operation: Operation, body: dict[str, Any]) -> tuple[str, str, str]:
    """(style, lyrics given, description to write lyrics for); every broken rule recorded."""
    problems = ctx.problems
    lyrics = (body.get("lyrics") or "").strip()
    prompt = (body.get("prompt") or "").strip()
    sound = (body.get("sound") or "").strip()
    instrumental = bool(body.get("make_instrumental"))
    custom = body.get("custom_mode")
    if custom is None:
        custom = bool(lyrics) or not prompt
    if custom:
        if prompt:
            problems.add("prompt", "is for custom_mode false (a description); in custom mode send lyrics and sound")
        if lyrics and not instrumental:
            problems.check(validation.check_lyrics, lyrics)
        if operation is Operation.CREATE and not instrumental and not lyrics:
            problems.add("lyrics", "is required in custom mode (or custom_mode false with a prompt)")
        if operation is Operation.CREATE and instrumental and not sound:
            problems.add("sound", "is required for an instrumental in custom mode: it names the style")
        if operation in _NEEDS_STYLE and not sound:
            problems.add("sound", "is required for this task type: it names the new style")
        if sound and validation.is_placeholder(validation.lyric_words(sound)):  # "pop" alone is a style here
            problems.add("sound", "looks like placeholder text; name a style (e.g. 'pop' or 'dark synthwave')")
        return sound, "" if instrumental else lyrics, ""
    if lyrics:
        problems.add("lyrics", "is for custom_mode true; in description mode the lyrics are written for the prompt")
    if operation is Operation.CREATE or operation in _NEEDS_STYLE or prompt:
        _describe(ctx, prompt)
    # A description writes new words only where a song is made or continued.
    writes = operation in (Operation.CREATE, Operation.EXTEND) and not instrumental and bool(prompt)
    return prompt, "", prompt if writes else ""


def _render(ctx: PlanContext, operation: Operation, body: dict[str, Any], mv: str, parent: Clip | None) -> dict:
    problems = ctx.problems
    instrumental = bool(body.get("make_instrumental"))
    if instrumental and operation is Operation.SWAP_VOCALS:
        problems.add("make_instrumental", "cannot be true for swap_music_vocals: it sings the song again")
    sound, lyrics, describe = _words(ctx, operation, body)
    variation = body.get("vocal_variation")
    params = render_params(
        operation=operation.value,
        sound=sound,
        lyrics=lyrics,
        make_instrumental=instrumental,
        mv=mv,
        title=(body.get("title") or "").strip(),
        seed=problems.check(validation.normalise_seed, body.get("seed")) or 0,
        weirdness=0.5 if variation is None else float(variation),
        wire={"sound": sound or None, "vocal_variation": variation},
    )
    if describe:
        params["lyrics_from"] = describe  # the worker writes the lyrics
    if parent is not None:
        params.update(clip_id=parent.id, title=params["title"] or parent.title)
        params.update(problems.check(_window, operation, body, float(parent.duration)) or {})
    return params


def _window(operation: Operation, body: dict[str, Any], duration: float) -> dict[str, Any]:
    if operation is Operation.EXTEND:
        at = duration if body.get("continue_at") is None else float(body["continue_at"])
        validation.check_inside("continue_at", at, duration)
        return {"starts_at": min(at, duration), "length": EXTEND_SECONDS}
    if operation is Operation.REPLACE:
        start = float(body.get("replace_start_time") or 0.0)
        end = duration if body.get("replace_end_time") is None else float(body["replace_end_time"])
        end = validation.check_window(start, end, duration, ("replace_start_time", "replace_end_time"))
        return {"starts_at": start, "ends_at": end}
    return {}


RIFFUSION = RiffusionFamily()
