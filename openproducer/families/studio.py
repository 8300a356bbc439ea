"""The Studio family (``/api/v1/studio/*``, the client's ``studio`` resource): two songs a task.

The contract is ``sibling-contract.md`` §6 (the vendor lists Studio as unavailable; it works here).
What each field the client sends does:

* ``prompt``: the style (and, with ``lyrics_type`` "generate", what the lyrics are written about).
* ``lyrics_type``: "user" sings ``lyrics``; "generate" writes lyrics for the prompt; "instrumental".
* ``prompt_strength`` -> how strongly the prompt's words override the genre's defaults;
  ``lyrics_strength`` -> how closely the melody follows the speech rhythm of the lyrics;
  ``clarity_strength`` -> the mix: above 2/3 crisp and clean, below 1/3 hazy and warm, else as is;
  ``generation_quality`` -> the arrangement: below 0.25 basic, 0.5 simple, 0.75 standard, else full.
* ``model_type``: studio130-v1.5 (full arrangements) or studio32-v1.5 (at most standard); a
  ``models`` route of that name in the settings sends it to another engine.
* ``config``: ``{"mode": "regular"}``, the one mode served; other keys have no effect (named in
  the answer's ``warning``).
* ``seed``; ``negative_prompt``: instruments and traits left out.
* ``song_section_start``/``_end``: the clip is that span of a song: it lasts end - start seconds.
  ``lyrics_placement_start``/``_end`` (on the same clock): the singing happens there, the rest is
  instrumental.
* ``bypass_prompt_optimization``: no effect: prompts are never rewritten here, always read as sent.

A failed task answers its poll with HTTP 424 and ``type``/``error``: the official client has no
failure check for Studio and would poll a 200 until it timed out, but it raises at once on a 4xx,
so a user sees ``MusicAPIError(status=424, code="failed", message=<why>)``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from openproducer.core import validation
from openproducer.engines.base import Operation
from openproducer.families.base import Family, Plan, PlanContext, TaskRow, TaskSpec
from openproducer.families.common import (
    NOT_READY_MESSAGE,
    Exact,
    FailureType,
    failure_fields,
    iso_time,
    media_path,
    render_params,
)
from openproducer.families.requests import RequestBody
from openproducer.families.sonic import avoid_words
from openproducer.store.clock import as_utc
from openproducer.store.tables import Clip
from openproducer.store.tasks import FAILED, PENDING, RUNNING, SUCCESS

__all__ = ["STUDIO", "STUDIO_MODELS", "StudioCreate", "StudioDone", "StudioFailed", "StudioFamily", "StudioNotReady"]

STUDIO_MODELS = {"studio130-v1.5": "full", "studio32-v1.5": "standard"}  # model -> the richest arrangement
FAILED_STATUS = 424  # Failed Dependency: the generation this poll depends on failed
_PROFILES = ("basic", "simple", "standard", "full")
_STATES = {PENDING: "NOT_START", RUNNING: "IN_PROGRESS", SUCCESS: "SUCCESS", FAILED: "FAILED"}


class StudioCreate(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"prompt": "dreamy indie pop with shimmering guitars", "lyrics_type": "generate", "prompt_strength": 0.6,
         "clarity_strength": 0.5, "lyrics_strength": 0.5, "generation_quality": 0.8, "model_type": "studio130-v1.5",
         "config": {"mode": "regular"}, "seed": 7},
    ]})

    prompt: str = Field(..., max_length=2000, description="the style; with lyrics_type generate, also the theme")
    lyrics_type: Literal["user", "generate", "instrumental"] = Field(..., description="whose words are sung")
    prompt_strength: float = Field(0.5, ge=0, le=1)
    clarity_strength: float = Field(0.5, ge=0, le=1)
    lyrics_strength: float = Field(0.5, ge=0, le=1)
    generation_quality: float = Field(0.75, ge=0, le=1)
    model_type: str = Field("studio130-v1.5", max_length=32, description="studio130-v1.5 or studio32-v1.5")
    config: dict[str, Any] = Field(default_factory=lambda: {"mode": "regular"})
    lyrics: str | None = Field(None, max_length=5000, description="lyrics_type user: the words")
    bypass_prompt_optimization: bool | None = Field(None, description="no effect: prompts are never rewritten")
    seed: int | str | None = None
    song_section_start: float | None = Field(None, ge=0, le=600)
    song_section_end: float | None = Field(None, ge=0, le=600)
    lyrics_placement_start: float | None = Field(None, ge=0, le=600)
    lyrics_placement_end: float | None = Field(None, ge=0, le=600)
    negative_prompt: str | None = Field(None, max_length=1000)


# Poll answers (the client reads them with .get(); the models are what this server answers).
class StudioSong(Exact):
    id: str
    tags: str | None
    title: str | None
    lyrics: str | None
    prompt: str | None
    song_path: str | None
    image_path: str | None
    duration: float | None
    created_at: str | None
    finished: bool


class StudioSongs(Exact):
    songs: list[StudioSong]


class StudioTask(Exact):
    task_id: str
    action: Literal["generate"] = "generate"
    status: Literal["NOT_START", "IN_PROGRESS", "SUCCESS", "FAILED"]
    submit_time: int | None
    start_time: int | None
    finish_time: int | None
    progress: str
    data: StudioSongs


class StudioNotReady(Exact):
    code: Literal[202] = 202
    message: str
    data: StudioTask


class StudioDone(Exact):
    code: Literal[200] = 200
    message: Literal["success"] = "success"
    data: StudioTask


class StudioFailed(Exact):
    code: Literal[424] = 424
    type: FailureType
    error: str
    message: str
    data: StudioTask


_PRICE = 15


class StudioFamily(Family):
    name = "studio"
    poll_models = {PENDING: StudioNotReady, RUNNING: StudioNotReady, SUCCESS: StudioDone, FAILED: StudioFailed}
    tasks = {"create_music": TaskSpec("render", _PRICE, Operation.CREATE, clips=2)}

    def plan(self, ctx: PlanContext, task_type: str, body: dict[str, Any]) -> Plan:
        params = _render(ctx, body)
        model = params["mv"]
        route = ctx.settings.models.get(model) or ctx.settings.models[ctx.settings.default_mv]
        richest = STUDIO_MODELS.get(model, "full")
        quality = float(body.get("generation_quality", 0.75))
        profile = _PROFILES[min(int(quality * 4), 3, _PROFILES.index(richest))]
        params.update(profile=profile, mastered=route.mastered)
        return Plan(params, route.engine)

    def result_item(self, task: Any, clip: Clip, index: int) -> dict[str, Any]:
        prompt = task.params.get("wire", {}).get("prompt")
        return {
            "id": clip.id,
            "tags": prompt,
            "title": clip.title,
            "lyrics": clip.lyrics,
            "prompt": prompt,
            "song_path": media_path(clip, "audio.mp3"),
            "image_path": media_path(clip, "cover.png"),
            "duration": round(clip.duration, 2),
            "created_at": iso_time(clip),
            "finished": True,
        }

    def poll(self, row: TaskRow) -> tuple[int, dict[str, Any]]:
        task = {
            "task_id": row.id, "action": "generate", "status": _STATES[row.status],
            "submit_time": _unix(row.created_at), "start_time": _unix(row.started_at),
            "finish_time": _unix(row.finished_at) if row.status in (SUCCESS, FAILED) else None,
            "progress": f"{100 if row.status == SUCCESS else row.progress}%",
            "data": {"songs": (row.result or []) if row.status == SUCCESS else []},
        }
        if row.status == SUCCESS:
            return 200, {"code": 200, "message": "success", "data": task}
        if row.status == FAILED:
            fields = failure_fields(row.error_type, row.error)
            return FAILED_STATUS, {"code": FAILED_STATUS, "type": fields["type"], "error": fields["error"],
                                   "message": fields["message"], "data": task}
        return 202, {"code": 202, "message": NOT_READY_MESSAGE, "data": task}


def _unix(moment: Any) -> int | None:
    return None if moment is None else int(as_utc(moment).timestamp())


def _clarity_words(clarity: float) -> str:
    if clarity > 2 / 3:
        return "crisp clean"
    if clarity < 1 / 3:
        return "hazy warm"
    return ""


def _render(ctx: PlanContext, body: dict[str, Any]) -> dict[str, Any]:
    problems = ctx.problems
    mode = (body.get("config") or {}).get("mode", "regular")
    if mode != "regular":
        problems.add("config.mode", 'must be "regular" (the one mode served here)')
    model = body.get("model_type") or "studio130-v1.5"
    if model not in STUDIO_MODELS:
        problems.add("model_type", f"must be one of: {', '.join(STUDIO_MODELS)}")
    prompt = (body.get("prompt") or "").strip()
    if not validation.lyric_words(prompt) or validation.is_placeholder(validation.lyric_words(prompt)):
        problems.add("prompt", "describe the music: genre, mood, instruments (e.g. 'dreamy indie pop with "
                               "shimmering guitars')")
    lyrics_type = body.get("lyrics_type")
    lyrics = (body.get("lyrics") or "").strip()
    if lyrics_type == "user":
        if not lyrics:
            problems.add("lyrics", 'is required when lyrics_type is "user"')
        else:
            problems.check(validation.check_lyrics, lyrics)
    elif lyrics:
        problems.add("lyrics", f'is sung only when lyrics_type is "user" (it is "{lyrics_type}")')
    instrumental = lyrics_type == "instrumental"
    length, form = _windows(ctx, body, instrumental)
    sound = " ".join(w for w in (prompt, _clarity_words(float(body.get("clarity_strength", 0.5)))) if w)
    params = render_params(
        operation="create", sound=sound, lyrics=lyrics if lyrics_type == "user" else "",
        make_instrumental=instrumental, mv=model,
        seed=problems.check(validation.normalise_seed, body.get("seed")) or 0,
        sound_strength=float(body.get("prompt_strength", 0.5)), lyrics_strength=float(body.get("lyrics_strength", 0.5)),
        length=length, avoid=avoid_words(body.get("negative_prompt")), wire={"prompt": prompt},
    )
    if lyrics_type == "generate":
        params["lyrics_from"] = prompt  # the worker writes the lyrics
    if form:
        params["form"] = form
    return params


def _windows(ctx: PlanContext, body: dict[str, Any], instrumental: bool) -> tuple[float | None, list[list[Any]]]:
    """(the clip's length, the form that puts the singing in its placement)."""
    problems = ctx.problems
    start, end = body.get("song_section_start"), body.get("song_section_end")
    origin, length = 0.0, None
    if start is not None or end is not None:
        origin = float(start or 0.0)
        if end is None:
            problems.add("song_section_end", "is required with song_section_start")
        elif not 1.0 <= float(end) - origin <= 240.0:
            problems.add("song_section_end", "must be 1 to 240 seconds after song_section_start")
        else:
            length = float(end) - origin
    sing_from, sing_to = body.get("lyrics_placement_start"), body.get("lyrics_placement_end")
    if sing_from is None and sing_to is None:
        return length, []
    if instrumental:
        problems.add("lyrics_placement_start", 'places the singing; lyrics_type "instrumental" has none')
        return length, []
    a = float(sing_from if sing_from is not None else origin) - origin
    b = float(sing_to) - origin if sing_to is not None else (length or 0.0)
    total = length if length is not None else b
    if a < 0 or (length is not None and b > length + 1e-6):
        problems.add("lyrics_placement_start", "the placement must lie inside the song section")
    if b - a < 4.0:
        problems.add("lyrics_placement_end", "must be at least 4 seconds after lyrics_placement_start")
    if problems.found:
        return length, []
    form = [["intro", a]] if a > 0 else []
    form.append(["verse", b - a])
    if total - b > 0:
        form.append(["outro", total - b])
    return total, form


STUDIO = StudioFamily()
