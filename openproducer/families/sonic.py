"""The Sonic family (``/sonic/*``, and its older spelling ``/suno/*``): two clips a task.

Task types, prices and the fields the official client sends are the contract's
(``sibling-contract.md`` §3). What a field does here:

* ``custom_mode``: ``prompt`` (or the client's ``lyrics``) holds the lyrics and ``tags`` the style;
  otherwise ``gpt_description_prompt`` describes the song and lyrics are written for it. With
  ``auto_lyrics`` in custom mode, ``prompt`` is the description.
* ``negative_tags``: instruments and traits left out of the music; ``vocals`` makes it instrumental.
* ``style_weight`` -> how strongly the tags steer (sound strength); ``weirdness_constraint`` ->
  weirdness; ``audio_weight`` -> how close a cover stays to its parent; ``vocal_gender`` and
  ``persona_id`` -> the singer.
* ``extend_music`` answers the new part alone (as the vendor does); ``concat_music`` joins an
  extension to the song it continues.
"""

from __future__ import annotations

import re
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
from openproducer.families.requests import RequestBody, WebhookFields
from openproducer.families.sonic_helpers import HELPER_TASKS, plan_helper, stem_fields
from openproducer.store.tables import Clip, Persona
from openproducer.store.tasks import FAILED, SUCCESS

__all__ = [
    "SONIC",
    "SONIC_MODELS",
    "SonicCreate",
    "SonicDone",
    "SonicFailed",
    "SonicFamily",
    "SonicNotReady",
]

SonicTaskType = Literal[
    "create_music", "extend_music", "concat_music", "cover_music", "extend_upload_music", "cover_upload_music",
    "persona_music", "remaster", "add_instrumental", "add_vocals",
]
SONIC_TASK_TYPES: tuple[str, ...] = get_args(SonicTaskType)
SONIC_MODELS = ("sonic-v3-5", "sonic-v4", "sonic-v4-5", "sonic-v4-5-plus", "sonic-v5", "sonic-v5-5")
# The older model names callers still send (and the vendor's webhooks report).
CHIRP_MODELS = {f"chirp-{name.removeprefix('sonic-')}": name for name in SONIC_MODELS} | {"chirp-v3-0": "sonic-v3-5"}
DEFAULT_MODEL = "sonic-v5"
_SHORT_PROMPT_MODELS = ("sonic-v3-5", "sonic-v4")  # lyrics under 3000 characters; later models 5000


class SonicCreate(WebhookFields):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"custom_mode": True, "mv": "sonic-v4-5", "title": "Starts", "tags": "pop",
         "prompt": "[Verse]\nWalking through the city lights\nFeeling the rhythm of the night\n"
                   "Every step a new surprise\nUnder these electric skies\n[Chorus]\nWe're alive, we're free "
                   "tonight\nDancing till the morning light"},
        {"custom_mode": False, "mv": "sonic-v5", "gpt_description_prompt": "a calm piano ballad about the sea"},
    ]})

    task_type: SonicTaskType = "create_music"
    mv: str | None = Field(None, max_length=32, description="sonic-v3-5 … sonic-v5-5, or chirp-*")
    custom_mode: bool | None = Field(None, description="true: prompt holds the lyrics; false: a description")
    prompt: str | None = Field(None, max_length=5000, description="custom mode: the lyrics")
    lyrics: str | None = Field(None, max_length=5000, description="the lyrics when prompt is absent")
    gpt_description_prompt: str | None = Field(None, max_length=400, description="description mode")
    title: str | None = Field(None, max_length=120)
    tags: str | None = Field(None, max_length=200, description="the style")
    negative_tags: str | None = Field(None, max_length=200, description="instruments and traits to leave out")
    make_instrumental: bool = False
    continue_clip_id: str | None = Field(None, max_length=64)
    continue_at: float | None = Field(None, ge=0, description="seconds into the parent where the new part starts")
    persona_id: str | None = Field(None, max_length=64)
    style_weight: float | None = Field(None, ge=0, le=1)
    weirdness_constraint: float | None = Field(None, ge=0, le=1)
    vocal_gender: Literal["f", "m"] | None = None
    auto_lyrics: bool = False
    audio_weight: float | None = Field(None, ge=0, le=1)
    variation_category: Literal["subtle", "normal", "high"] | None = None
    overpainting_start_s: float | None = Field(None, ge=0)
    overpainting_end_s: float | None = Field(None, ge=0)
    seed: int | str | None = Field(None, description="OpenProducer: same seed + same inputs give the same songs")


class SonicLyricsCreate(RequestBody):
    description: str = Field(..., max_length=400, description="what the song is about (the vendor asks < 120)")


class SonicPersonaCreate(RequestBody):
    name: str = Field(..., min_length=1, max_length=80)
    clip_id: str | None = Field(None, max_length=64)
    continue_clip_id: str | None = Field(None, max_length=64, description="older spelling of clip_id")
    describe: str | None = Field(None, max_length=2000)
    description: str | None = Field(None, max_length=2000, description="older spelling of describe")
    vox_audio_id: str | None = Field(None, max_length=64)
    vocal_start_s: float | None = Field(None, ge=0)
    vocal_end_s: float | None = Field(None, ge=0)
    styles: str | None = Field(None, max_length=2000)


class SonicMakeLyrics(RequestBody):
    prompt: str = Field(..., max_length=400)


# Poll answers, one model per state (the client reads code, message, data and each clip's state).
class SonicClip(Exact):
    clip_id: str
    state: Literal["pending", "running", "succeeded", "failed"]
    title: str | None
    tags: str | None
    lyrics: str | None
    image_url: str | None
    audio_url: str | None
    video_url: str | None
    created_at: str | None
    gpt_description_prompt: str | None
    duration: float | None
    negative_tags: str | None
    style_weight: float | None
    weirdness_constraint: float | None
    mv: str | None
    stem: str | None = Field(None, description="stems tasks: which stem the clip is")
    stem_method: str | None = Field(None, description="stems tasks: 'score' (exact) or the separation used")


class SonicNotReady(ClipsNotReadyBody):
    pass


class SonicDone(Exact):
    code: Literal[200] = 200
    message: Literal["success"] = "success"
    data: list[SonicClip]


class SonicFailed(FailedClipsBody):
    pass


_CREATE_PRICE = 15
_PAIR = 2


class SonicFamily(Family):
    name = "sonic"
    poll_models = {"PENDING": SonicNotReady, "RUNNING": SonicNotReady, "SUCCESS": SonicDone, "FAILED": SonicFailed}
    tasks = {
        "create_music": TaskSpec("render", _CREATE_PRICE, Operation.CREATE, clips=_PAIR),
        "persona_music": TaskSpec("render", _CREATE_PRICE, Operation.CREATE, clips=_PAIR),
        "extend_music": TaskSpec("render", _CREATE_PRICE, Operation.EXTEND, _PAIR, "continue_clip_id"),
        "extend_upload_music": TaskSpec("render", _CREATE_PRICE, Operation.EXTEND, _PAIR, "continue_clip_id"),
        "cover_music": TaskSpec("render", _CREATE_PRICE, Operation.COVER, _PAIR, "continue_clip_id"),
        "cover_upload_music": TaskSpec("render", _CREATE_PRICE, Operation.COVER, _PAIR, "continue_clip_id"),
        "concat_music": TaskSpec("concat", 2, clips=1, parent_field="continue_clip_id", queue="io"),
        "remaster": TaskSpec("remaster", 10, clips=_PAIR, parent_field="continue_clip_id", queue="io"),
        "add_vocals": TaskSpec("render", 10, Operation.SWAP_VOCALS, _PAIR, "continue_clip_id"),
        "add_instrumental": TaskSpec("render", 10, Operation.SWAP_SOUND, _PAIR, "continue_clip_id"),
        # Synchronous and legacy lyric routes.
        "lyrics": TaskSpec("instant", 2, clips=0),
        "make_lyrics": TaskSpec("lyrics", 2, clips=0, queue="io"),
        "persona": TaskSpec("instant", 1, clips=0, parent_field="clip_id"),
        **HELPER_TASKS,
    }

    def plan(self, ctx: PlanContext, task_type: str, body: dict[str, Any]) -> Plan:
        if task_type in HELPER_TASKS:
            return plan_helper(ctx, task_type, body)
        if task_type in ("lyrics", "make_lyrics"):
            field = "description" if task_type == "lyrics" else "prompt"
            seed = ctx.problems.check(validation.normalise_seed, body.get("seed")) or 0
            return Plan({"description": _description(ctx, field, body[field]), "seed": seed}, "io")
        if task_type == "persona":
            return _plan_persona(ctx, body)
        mv = _model(ctx, body.get("mv"))
        spec = self.spec(task_type)
        parent = ctx.owned_clip(body.get("continue_clip_id"), "continue_clip_id") if spec.parent_field else None
        if task_type == "concat_music":
            if parent is not None and not (parent.meta or {}).get("offset_s"):
                ctx.problems.add("continue_clip_id", "must be a clip made by extend_music (concat_music joins "
                                                     "an extension to the song it continues)")
            return Plan({"clip_id": parent.id if parent else None, "mv": body.get("mv") or mv}, "io")
        if task_type == "remaster":
            params = {"clip_id": parent.id if parent else None, "mv": body.get("mv") or mv,
                      "variation_category": body.get("variation_category") or "normal",
                      "seed": ctx.problems.check(validation.normalise_seed, body.get("seed")) or 0}
            return Plan(params, "io")
        params = _render(ctx, task_type, body, mv, parent)
        route = ctx.settings.models[mv]
        params.update(profile=route.profile, mastered=route.mastered)
        return Plan(params, route.engine)

    def result_item(self, task: Any, clip: Clip, index: int) -> dict[str, Any]:
        wire = task.params.get("wire", {})
        return {
            "clip_id": clip.id,
            "state": "succeeded",
            "title": clip.title,
            "tags": wire.get("tags") or clip.sound,
            "lyrics": clip.lyrics,
            "image_url": media_path(clip, "cover.png"),
            "audio_url": media_path(clip, "audio.mp3"),
            "video_url": media_path(clip, "video.mp4"),
            "created_at": iso_time(clip),
            "gpt_description_prompt": wire.get("gpt_description_prompt"),
            "duration": round(clip.duration, 2),
            "negative_tags": wire.get("negative_tags"),
            "style_weight": wire.get("style_weight"),
            "weirdness_constraint": wire.get("weirdness_constraint"),
            "mv": wire.get("mv") or task.params.get("mv"),
            **stem_fields(clip),
        }

    def poll(self, row: TaskRow) -> tuple[int, dict[str, Any]]:
        if row.status == SUCCESS:
            return 200, {"code": 200, "message": "success", "data": row.result or []}
        if row.status == FAILED:
            fields = failure_fields(row.error_type, row.error)
            return 200, {**fields, "status": FAILED, "data": []}
        # 202 until every clip has finished: the official client stops at the first code 200.
        return 202, {"code": 202, "type": "not_ready", "status": row.status, "progress": row.progress,
                     "stage": row.stage, "message": NOT_READY_MESSAGE, "error": NOT_READY_MESSAGE}


def canonical_model(mv: str) -> str:
    return CHIRP_MODELS.get(mv, mv)


def _model(ctx: PlanContext, mv: str | None) -> str:
    name = canonical_model(mv or DEFAULT_MODEL)
    if name not in SONIC_MODELS or name not in ctx.settings.models:
        ctx.problems.add("mv", f"must be one of: {', '.join(SONIC_MODELS)} (or their chirp-* names)")
        return DEFAULT_MODEL
    return name


def _description(ctx: PlanContext, field: str, text: str | None) -> str:
    text = (text or "").strip()
    words = validation.lyric_words(text)
    if not words:
        ctx.problems.add(field, "is required: describe the song (e.g. 'a hopeful folk song about coming home')")
    elif validation.is_placeholder(words):
        ctx.problems.add(field, "looks like placeholder text; describe the song's theme, mood or story")
    return text


def avoid_words(negative_tags: str | None) -> list[str]:
    """``negative_tags`` as the words and two-word phrases to leave out, lower-cased."""
    out: list[str] = []
    for phrase in re.split(r"[,;/]|\band\b|\bno\b", (negative_tags or "").lower()):
        words = re.findall(r"[a-z0-9#&'\-]+", phrase)
        if len(words) == 2:
            out.append(" ".join(words))
        out.extend(words)
    return list(dict.fromkeys(out))


_VOCAL_WORDS = {"vocals", "vocal", "voice", "voices", "singing", "singer", "lyrics"}
_GENDER = {"f": "female", "m": "male"}


def _render(ctx: PlanContext, task_type: str, body: dict[str, Any], mv: str, parent: Clip | None) -> dict[str, Any]:
    """Render parameters of a generation task; every broken rule is recorded."""
    problems = ctx.problems
    avoid = avoid_words(body.get("negative_tags"))
    instrumental = bool(body.get("make_instrumental")) or bool(_VOCAL_WORDS & set(avoid))
    tags = (body.get("tags") or "").strip()
    lyrics, describe = _lyrics_source(ctx, task_type, body, mv, instrumental, parent)
    voice: dict[str, Any] = {}
    if body.get("vocal_gender"):
        voice["gender"] = _GENDER[body["vocal_gender"]]
    persona_style = ""
    if task_type == "persona_music":
        persona = _owned_persona(ctx, body.get("persona_id"))
        if persona is not None:
            voice = {**persona.profile.get("voice", {}), **voice}
            persona_style = persona.profile.get("style", "")
    style_weight = body.get("style_weight")
    audio_weight = body.get("audio_weight")
    operation = SONIC.spec(task_type).operation or Operation.CREATE
    params = render_params(
        operation=operation.value,
        sound=tags or persona_style or (describe if not parent else ""),
        lyrics="" if instrumental else lyrics,
        make_instrumental=instrumental,
        mv=mv,
        title=(body.get("title") or "").strip(),
        seed=problems.check(validation.normalise_seed, body.get("seed")) or 0,
        sound_strength=0.5 if style_weight is None else 0.2 + 0.8 * float(style_weight),
        weirdness=0.5 if body.get("weirdness_constraint") is None else float(body["weirdness_constraint"]),
        cover_strength=0.5 if audio_weight is None else max(0.2, 1.0 - 0.8 * float(audio_weight)),
        avoid=avoid,
        voice=voice or None,
        wire={"tags": tags or None, "negative_tags": body.get("negative_tags"), "mv": body.get("mv") or mv,
              "style_weight": style_weight, "weirdness_constraint": body.get("weirdness_constraint"),
              "gpt_description_prompt": body.get("gpt_description_prompt")},
    )
    if describe and not instrumental:
        params["lyrics_from"] = describe  # the worker writes the lyrics (a language model may take a while)
    if parent is not None:
        params["clip_id"] = parent.id
        params["title"] = params["title"] or parent.title
        params.update(_parent_window(ctx, task_type, body, parent))
    return params


def _lyrics_source(
    ctx: PlanContext, task_type: str, body: dict[str, Any], mv: str, instrumental: bool, parent: Clip | None
) -> tuple[str, str]:
    """(lyrics given, description to write lyrics for): one of them, or neither."""
    problems = ctx.problems
    prompt = (body.get("prompt") or body.get("lyrics") or "").strip()
    described = (body.get("gpt_description_prompt") or "").strip()
    custom = body.get("custom_mode")
    if custom is None:  # not sent: lyrics mean custom mode, a description means description mode
        custom = bool(prompt) or not described
    limit = 3000 if mv in _SHORT_PROMPT_MODELS else 5000
    if len(prompt) > limit:
        problems.add("prompt", f"must be at most {limit} characters for {mv}")
    if custom and body.get("auto_lyrics"):
        return "", _description(ctx, "prompt", prompt)
    if not custom:
        if parent is not None and not described:
            return "", ""  # an edit in description mode keeps the parent's words
        if instrumental and not described and not (body.get("tags") or "").strip():
            problems.add("gpt_description_prompt", "is required in description mode (or tags, for an instrumental)")
        return "", _description(ctx, "gpt_description_prompt", described) if not instrumental else described
    if prompt and not instrumental:
        problems.check(validation.check_lyrics, prompt, "prompt")
    needs_words = task_type in ("create_music", "persona_music", "add_vocals") and not instrumental
    if needs_words and not prompt:
        problems.add("prompt", "is required in custom mode: it holds the lyrics (or set auto_lyrics, "
                               "or custom_mode false with gpt_description_prompt)")
    if task_type == "create_music" and instrumental and not (body.get("tags") or "").strip():
        problems.add("tags", "is required for an instrumental in custom mode: it names the style")
    return prompt, ""


def _parent_window(ctx: PlanContext, task_type: str, body: dict[str, Any], parent: Clip) -> dict[str, Any]:
    duration = float(parent.duration)
    if task_type in ("extend_music", "extend_upload_music"):
        at = duration if body.get("continue_at") is None else float(body["continue_at"])
        ctx.problems.check(validation.check_inside, "continue_at", at, duration)
        return {"starts_at": min(at, duration), "new_part_only": True}
    if task_type in ("add_vocals", "add_instrumental"):
        start = float(body.get("overpainting_start_s") or 0.0)
        end = duration if body.get("overpainting_end_s") is None else float(body["overpainting_end_s"])
        window = ctx.problems.check(validation.check_window, start, end, duration,
                                    ("overpainting_start_s", "overpainting_end_s"))
        if window is not None and (start > 0 or end < duration - 1e-6):
            # the engine places the new part there; the overpaint keeps only that window
            return {"overpaint": [start, window], "starts_at": start, "ends_at": window}
    return {}


def _owned_persona(ctx: PlanContext, persona_id: str | None) -> Persona | None:
    if not persona_id:
        ctx.problems.add("persona_id", "is required when task_type = persona_music")
        return None
    persona = ctx.session.get(Persona, persona_id)
    if persona is None or persona.api_key_id != ctx.api_key_id:
        from openproducer.core.errors import NotFound

        raise NotFound(f"Persona {persona_id} not found.")
    return persona


def _plan_persona(ctx: PlanContext, body: dict[str, Any]) -> Plan:
    clip_id = body.get("clip_id") or body.get("continue_clip_id")
    clip = ctx.owned_clip(clip_id, "clip_id")
    start, end = body.get("vocal_start_s"), body.get("vocal_end_s")
    if clip is not None and (start is not None or end is not None):
        duration = float(clip.duration)
        window = ctx.problems.check(validation.check_window, float(start or 0.0),
                                    duration if end is None else float(end), duration,
                                    ("vocal_start_s", "vocal_end_s"))
        if window is not None:
            start, end = float(start or 0.0), window
    params = {"name": body["name"].strip(), "clip_id": clip.id if clip else None,
              "description": (body.get("describe") or body.get("description") or "").strip(),
              "styles": (body.get("styles") or "").strip(), "vocal_start_s": start, "vocal_end_s": end}
    return Plan(params, "io")


SONIC = SonicFamily()
