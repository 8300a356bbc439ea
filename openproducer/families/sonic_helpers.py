"""The Sonic family's helper task types (stems, MIDI, word timings, voices, mashups, samples,
one-shot uploads): their request models, table rows and planning. ``families/sonic.py`` merges
them into the family's task table and hands their planning here.

Prices are the contract's (``sibling-contract.md`` §3.3-3.10); where it names none (upload-cover,
upload-extend, get-song) the parts are priced as the tasks they are made of (docs/decisions.md).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from openproducer.core import validation
from openproducer.engines.base import Operation
from openproducer.families.base import Plan, PlanContext, TaskSpec, UnknownTaskType
from openproducer.families.requests import RequestBody, WebhookFields
from openproducer.store.tables import Clip

__all__ = [
    "CLIP_TOOLS",
    "HELPER_TASKS",
    "ClipOnly",
    "CreateVoice",
    "GetSong",
    "Mashup",
    "ReplaceSection",
    "Sample",
    "UploadCover",
    "UploadExtend",
    "UploadUrl",
    "UpsampleTags",
    "Vox",
    "plan_helper",
    "stem_fields",
]

VOX_MAX_S = 30.0  # the vendor's limit on a vox window
SAMPLE_MAX_S = 30.0
SAMPLE_MIN_S = 1.0

# The synchronous tools that read one clip and answer at once.
CLIP_TOOLS = ("wav", "midi", "aligned_lyrics", "bpm", "vox")

HELPER_TASKS: dict[str, TaskSpec] = {
    # One clip per stem; how many the work finds (clips=0).
    "stems_basic": TaskSpec("stems", 15, clips=0, parent_field="clip_id"),
    "stems_full": TaskSpec("stems", 75, clips=0, parent_field="clip_id"),
    "wav": TaskSpec("instant", 2, clips=0, parent_field="clip_id"),
    "upload": TaskSpec("instant", 2, clips=0),
    "midi": TaskSpec("instant", 1, clips=0, parent_field="clip_id"),
    "aligned_lyrics": TaskSpec("instant", 1, clips=0, parent_field="clip_id"),
    "bpm": TaskSpec("instant", 1, clips=0, parent_field="clip_id"),
    "vox": TaskSpec("instant", 1, clips=0, parent_field="clip_id"),
    "upsample_tags": TaskSpec("instant", 1, clips=0),
    "create_voice": TaskSpec("voice", 4, clips=0, queue="io"),
    "mashup": TaskSpec("mashup", 10, Operation.COVER, clips=2, parent_field="mashup_clip_ids"),
    "replace_section": TaskSpec("replace_section", 10, Operation.REPLACE, clips=2, parent_field="clip_id"),
    "sample": TaskSpec("sample", 14, Operation.COVER, clips=2, parent_field="sample_clip_id"),
    # The second step of /sonic/upload-cover and /sonic/upload-extend (the upload is a task of its own).
    "upload_cover": TaskSpec("render", 15, Operation.COVER, 2, "continue_clip_id"),
    "upload_extend": TaskSpec("render", 15, Operation.EXTEND, 2, "continue_clip_id"),
}


# --- request bodies (field names and limits as the official client sends them) -------------------
class ClipOnly(RequestBody):
    clip_id: str = Field(..., min_length=1, max_length=64)


class Vox(ClipOnly):
    vocal_start_s: float | None = Field(None, ge=0)
    vocal_end_s: float | None = Field(None, ge=0)


class UploadUrl(RequestBody):
    url: str = Field(..., min_length=1, max_length=2048, description="a public http(s) URL of an audio file")


class UpsampleTags(RequestBody):
    tags: str = Field(..., min_length=1, max_length=500, description="a short style, e.g. 'lofi, chill'")


class CreateVoice(WebhookFields):
    audio_url: str = Field(..., min_length=1, max_length=2048, description="one singer, MP3 or WAV, over 10 s")


class GetSong(RequestBody):
    share_link: str = Field(..., min_length=1, max_length=2048)


class _SongFields(WebhookFields):
    """What the generating helper routes share with ``/sonic/create``."""

    mv: str | None = Field(None, max_length=32)
    custom_mode: bool | None = None
    prompt: str | None = Field(None, max_length=5000)
    gpt_description_prompt: str | None = Field(None, max_length=400)
    make_instrumental: bool = False
    title: str | None = Field(None, max_length=120)
    tags: str | None = Field(None, max_length=200)
    negative_tags: str | None = Field(None, max_length=200)
    style_weight: float | None = Field(None, ge=0, le=1)
    weirdness_constraint: float | None = Field(None, ge=0, le=1)
    audio_weight: float | None = Field(None, ge=0, le=1)
    vocal_gender: str | None = Field(None, pattern="^[fm]$")
    auto_lyrics: bool = False
    seed: int | str | None = None


class Mashup(_SongFields):
    mashup_clip_ids: list[str] = Field(..., description="exactly two: [melody and words, arrangement]")

    @field_validator("mashup_clip_ids")
    @classmethod
    def _two(cls, ids: list[str]) -> list[str]:
        if len(ids) != 2 or any(not i or len(i) > 64 for i in ids):
            raise ValueError("must be exactly two clip ids")
        return ids


class ReplaceSection(WebhookFields):
    clip_id: str = Field(..., min_length=1, max_length=64)
    mv: str | None = Field(None, max_length=32)
    infill_start_s: float = Field(..., ge=0)
    infill_end_s: float = Field(..., ge=0)
    prompt: str | None = Field(None, max_length=5000, description="the style of the new section (tags win)")
    infill_lyrics: str | None = Field(None, max_length=3000, description="the words sung in the window")
    title: str | None = Field(None, max_length=120)
    tags: str | None = Field(None, max_length=200)
    negative_tags: str | None = Field(None, max_length=200)
    style_weight: float | None = Field(None, ge=0, le=1)
    weirdness_constraint: float | None = Field(None, ge=0, le=1)
    vocal_gender: str | None = Field(None, pattern="^[fm]$")
    auto_concat: bool | None = Field(None, description="true or absent: the whole song; false: the window alone")
    seed: int | str | None = None


class Sample(_SongFields):
    chop_sample_start_s: float = Field(..., ge=0)
    chop_sample_end_s: float = Field(..., ge=0)
    url: str | None = Field(None, max_length=2048)
    sample_clip_id: str | None = Field(None, max_length=64)


class UploadCover(_SongFields):
    url: str = Field(..., min_length=1, max_length=2048)
    auto_concat: bool | None = None


class UploadExtend(UploadCover):
    continue_at: float | None = Field(None, ge=0)


# --- planning --------------------------------------------------------------------------------------
def plan_helper(ctx: PlanContext, task_type: str, body: dict[str, Any]) -> Plan:
    if task_type in ("stems_basic", "stems_full"):
        clip = ctx.owned_clip(body.get("clip_id"), "clip_id")
        return Plan({"clip_id": clip.id if clip else None, "full": task_type == "stems_full",
                     "mv": clip.mv if clip else ""}, _composer(ctx), clips=0)
    if task_type in CLIP_TOOLS:
        clip = ctx.owned_clip(body.get("clip_id"), "clip_id")
        params: dict[str, Any] = {"clip_id": clip.id if clip else None}
        if task_type == "vox" and clip is not None:
            params.update(_vox_window(ctx, body, clip))
        return Plan(params, "io", clips=0)
    if task_type == "upload":
        ctx.problems.check(validation.check_http_url, "url", body.get("url") or "")
        return Plan({"url": body.get("url")}, "io", clips=0)
    if task_type == "upsample_tags":
        tags = (body.get("tags") or "").strip()
        if not validation.lyric_words(tags):
            ctx.problems.add("tags", "must name a style (e.g. 'lofi, chill')")
        return Plan({"tags": tags}, "io", clips=0)
    if task_type == "create_voice":
        ctx.problems.check(validation.check_http_url, "audio_url", body.get("audio_url") or "")
        return Plan({"audio_url": body.get("audio_url")}, "io", clips=0)
    if task_type == "replace_section":
        return _plan_replace(ctx, body)
    if task_type == "mashup":
        return _plan_mashup(ctx, body)
    if task_type == "sample":
        return _plan_sample(ctx, body)
    if task_type in ("upload_cover", "upload_extend"):
        from openproducer.families.sonic import SONIC

        plan = SONIC.plan(ctx, "cover_upload_music" if task_type == "upload_cover" else "extend_upload_music", body)
        if task_type == "upload_extend" and body.get("auto_concat") is not False:
            plan.params.pop("new_part_only", None)  # upload + extend + concat: the whole song
        return plan
    raise UnknownTaskType(f"sonic has no helper task type {task_type!r}")


def _vox_window(ctx: PlanContext, body: dict[str, Any], clip: Clip) -> dict[str, Any]:
    duration = float(clip.duration)
    start = float(body.get("vocal_start_s") or 0.0)
    end = float(body["vocal_end_s"]) if body.get("vocal_end_s") is not None else min(duration, start + VOX_MAX_S)
    fields = ("vocal_start_s", "vocal_end_s")
    ctx.problems.check(validation.check_window, start, end, duration, fields)
    if end - start > VOX_MAX_S + 1e-6:
        ctx.problems.add("vocal_end_s", f"must be at most {VOX_MAX_S:g} s after vocal_start_s")
    return {"start": start, "end": min(end, duration)}


def _song_params(ctx: PlanContext, task_type: str, body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Render parameters of a generating helper, from the fields it shares with /sonic/create."""
    from openproducer.families import sonic

    mv = sonic._model(ctx, body.get("mv"))
    params = sonic._render(ctx, task_type, body, mv, None)
    route = ctx.settings.models[mv]
    params.update(profile=route.profile, mastered=route.mastered)
    return params, mv


def _plan_replace(ctx: PlanContext, body: dict[str, Any]) -> Plan:
    from openproducer.families import sonic
    from openproducer.families.common import render_params

    mv = sonic._model(ctx, body.get("mv"))
    clip = ctx.owned_clip(body.get("clip_id"), "clip_id")
    start, end = float(body["infill_start_s"]), float(body["infill_end_s"])
    if end <= start:
        ctx.problems.add("infill_end_s", "must be greater than infill_start_s")
    elif clip is not None:
        end = ctx.problems.check(validation.check_window, start, end, float(clip.duration),
                                 ("infill_start_s", "infill_end_s")) or end
    if clip is not None and not ctx.problems.found:
        start, end = _whole_bars(clip, start, end)
    lyrics = (body.get("infill_lyrics") or "").strip()
    if lyrics:
        if validation.is_placeholder(validation.lyric_words(lyrics)):
            ctx.problems.add("infill_lyrics", "looks like placeholder text; write the words to sing")
    route = ctx.settings.models[mv]
    tags = (body.get("tags") or "").strip()
    params = render_params(
        operation=Operation.REPLACE.value, sound=tags or (body.get("prompt") or "").strip()[:500],
        lyrics=lyrics, mv=mv, title=(body.get("title") or "").strip() or (clip.title if clip else ""),
        seed=ctx.problems.check(validation.normalise_seed, body.get("seed")) or 0,
        sound_strength=0.5 if body.get("style_weight") is None else 0.2 + 0.8 * float(body["style_weight"]),
        weirdness=0.5 if body.get("weirdness_constraint") is None else float(body["weirdness_constraint"]),
        clip_id=clip.id if clip else None, starts_at=start, ends_at=end, profile=route.profile,
        mastered=route.mastered, avoid=sonic.avoid_words(body.get("negative_tags")),
        voice={"gender": {"f": "female", "m": "male"}[body["vocal_gender"]]} if body.get("vocal_gender") else None,
        wire={"tags": tags or None, "negative_tags": body.get("negative_tags"), "mv": body.get("mv") or mv,
              "style_weight": body.get("style_weight"), "weirdness_constraint": body.get("weirdness_constraint"),
              "gpt_description_prompt": None},
    )
    if body.get("auto_concat") is False:
        params["window_only"] = True
    return Plan(params, route.engine)


def _whole_bars(clip: Clip, start: float, end: float) -> tuple[float, float]:
    """The whole bars inside [start, end) on the clip's grid (bar 1 at the start of its song), when
    there is at least one: the composer recomposes whole bars, so the window it rewrites and the
    window spliced into the song are the same, and no sung phrase is cut at an edge."""
    import math

    meta = clip.meta or {}
    bpm = float(meta.get("bpm") or 0.0)
    beats = {"3/4": 3, "6/8": 3}.get(str(meta.get("time_signature", "4/4")), 4)
    if bpm <= 0:
        return start, end
    bar = beats * 60.0 / bpm
    offset = float(meta.get("offset_s") or 0.0)
    first = math.ceil((start + offset) / bar - 1e-6) * bar - offset
    last = math.floor((end + offset) / bar + 1e-6) * bar - offset
    return (round(first, 6), round(last, 6)) if last - first >= bar - 1e-6 else (start, end)


def _plan_mashup(ctx: PlanContext, body: dict[str, Any]) -> Plan:
    ids = list(body.get("mashup_clip_ids") or [])
    melody = ctx.owned_clip(ids[0] if ids else None, "mashup_clip_ids")
    arrangement = ctx.owned_clip(ids[1] if len(ids) > 1 else None, "mashup_clip_ids")
    if melody is not None and arrangement is not None and melody.id == arrangement.id:
        ctx.problems.add("mashup_clip_ids", "must name two different clips")
    params, _mv = _song_params(ctx, "mashup", body)
    params["mashup"] = [melody.id if melody else None, arrangement.id if arrangement else None]
    return Plan(params, _composer(ctx))


def _plan_sample(ctx: PlanContext, body: dict[str, Any]) -> Plan:
    start, end = float(body["chop_sample_start_s"]), float(body["chop_sample_end_s"])
    if end <= start:
        ctx.problems.add("chop_sample_end_s", "must be greater than chop_sample_start_s")
    elif end - start > SAMPLE_MAX_S:
        ctx.problems.add("chop_sample_end_s", f"must be at most {SAMPLE_MAX_S:g} s after chop_sample_start_s")
    elif end - start < SAMPLE_MIN_S:
        ctx.problems.add("chop_sample_end_s", f"must be at least {SAMPLE_MIN_S:g} s after chop_sample_start_s")
    clip = None
    if body.get("sample_clip_id"):
        clip = ctx.owned_clip(body["sample_clip_id"], "sample_clip_id")
        if clip is not None and end > float(clip.duration) + 1e-6:
            ctx.problems.add("chop_sample_end_s", f"must be inside the sample clip (at most {clip.duration:.2f} s)")
    else:
        ctx.problems.add("sample_clip_id", "or url is required: the audio to build the song around")
    params, _mv = _song_params(ctx, "sample", body)
    params["sample"] = {"clip_id": clip.id if clip else None, "start": start, "end": end}
    return Plan(params, _composer(ctx))


def _composer(ctx: PlanContext) -> str:
    """Stems, mashups and samples run on the composer's queue: they render with its soundfont and
    compose with its score. The composer is every route's fallback, so its queue always exists."""
    return "composer"


# --- what a stem clip says about itself in the poll answer -----------------------------------------
def stem_fields(clip: Clip) -> dict[str, Any]:
    """``stem`` and ``stem_method`` of a stem clip (none for other clips)."""
    extra = (clip.meta or {}).get("extra") or {}
    if "stem" not in extra:
        return {}
    return {"stem": extra["stem"], "stem_method": extra.get("stem_method")}
