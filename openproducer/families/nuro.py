"""The Nuro family (``/nuro/*``): a sung song (``type`` vocal) or an instrumental (``bgm``), one a task.

The contract is ``sibling-contract.md`` §5 (the vendor has retired Nuro; it keeps working here).
What a field does here:

* ``genre``, ``mood``, ``instrument``, ``theme``: each enumerated value becomes words the composer
  understands (``nuro_words.py``); a value outside the lists is a 400 naming the allowed ones.
* ``gender``: the singer's voice and range (a male singer sings an octave lower); ``timbre``: the
  singer's voice alone (breath, rasp, brightness, vibrato), never the mix.
* ``duration``: seconds (vocal 30-240; bgm 1-60, v2.0 up to 240). Without it a vocal song lasts
  as long as its lyrics need and a bgm 60 s.
* ``version`` "v2.0" with ``segments``: the song's sections, in order, with their seconds; each
  section starts within a beat of where the segments put it (the tempo moves a little for that).
* The poll is the vendor's flat object (no code/message wrapper), with the song as a WAV.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from openproducer.core import validation
from openproducer.engines.base import Operation
from openproducer.families.base import Family, Plan, PlanContext, TaskRow, TaskSpec
from openproducer.families.common import Exact, failure_fields, media_path, render_params
from openproducer.families.nuro_words import (
    BGM_GENRES,
    BGM_INSTRUMENTS,
    BGM_MOODS,
    BGM_THEMES,
    GENDERS,
    VOCAL_GENRES,
    VOCAL_MOODS,
    VOCAL_TIMBRES,
    prompt_words,
)
from openproducer.families.requests import WebhookFields
from openproducer.store.tables import Clip
from openproducer.store.tasks import FAILED, PENDING, RUNNING, SUCCESS

__all__ = ["NURO", "NuroCreate", "NuroFailed", "NuroFamily", "NuroSegment", "NuroTask"]

MODEL = "nuro"  # the mv a Nuro clip reports; settings.models["nuro"], when configured, routes it
MAX_LISTED = 5
MIN_SEGMENT_S = 2.0
_STATES = {PENDING: "pending", RUNNING: "running", SUCCESS: "succeeded", FAILED: "failed"}
# Failure types of the Nuro error table (every one of them is refunded here).
_FAILURE_TYPES = {"failed": "api_error", "timeout": "timeout", "forbidden": "forbidden"}


class NuroSegment(Exact):
    name: str = Field(..., min_length=1, max_length=40, description="intro, verse, chorus, bridge, inst, outro, ...")
    duration: float = Field(..., gt=0, le=240, description="seconds")


class NuroCreate(WebhookFields):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "vocal", "gender": "Female", "genre": "Pop", "mood": "Happy", "timbre": "Warm", "duration": 60,
         "lyrics": "[verse]\nWalking through the city lights\nFeeling the rhythm of the night\nEvery step a new "
                   "surprise\nUnder these electric skies\n[chorus]\nWe're alive, we're free tonight\nDancing till "
                   "the morning light"},
        {"type": "bgm", "description": "bright background music for a travel vlog", "genre": ["travel", "folk"],
         "mood": ["happy"], "instrument": ["acoustic guitar", "ukulele"], "version": "v2.0", "duration": 40,
         "segments": [{"name": "intro", "duration": 8}, {"name": "verse", "duration": 12},
                      {"name": "chorus", "duration": 14}, {"name": "outro", "duration": 6}]},
    ]})

    type: Literal["vocal", "bgm"] | None = Field(None, description="vocal: a sung song; bgm: an instrumental")
    lyrics: str | None = Field(None, max_length=2000, description="vocal: the words, with [verse]/[chorus] tags")
    gender: str | None = Field(None, max_length=16, description="vocal: Female or Male (else chosen)")
    genre: str | list[str] | None = Field(None, description="vocal: one of its genres; bgm: up to five")
    mood: str | list[str] | None = Field(None, description="vocal: one of its moods; bgm: up to five")
    timbre: str | None = Field(None, max_length=40, description="vocal: the singer's timbre")
    instrument: str | list[str] | None = Field(None, description="bgm: up to five instruments")
    theme: str | list[str] | None = Field(None, description="bgm: up to five themes")
    description: str | None = Field(None, max_length=2000, description="bgm: what the music is for")
    duration: float | None = Field(None, description="seconds: vocal 30-240; bgm 1-60 (v2.0: up to 240)")
    version: Literal["v1.0", "v2.0"] | None = Field(None, description="bgm: v2.0 honours segments")
    segments: list[NuroSegment] | None = Field(None, max_length=20, description="bgm v2.0: the sections in order")
    seed: int | str | None = Field(None, description="OpenProducer: same seed + same inputs give the same song")


# Poll answers: the flat object in every state (the model is the answer: no other keys).
class NuroTask(Exact):
    task_id: str
    status: Literal["pending", "running", "succeeded"]
    progress: int
    clip_id: str | None
    audio_url: str | None
    lyrics: str | None
    duration: float | None
    genre: str | None
    mood: str | None
    gender: str | None
    timbre: str | None


class NuroFailed(Exact):
    task_id: str
    status: Literal["failed"] = "failed"
    progress: int
    type: Literal["api_error", "timeout", "forbidden"]
    error: str
    message: str


_PRICE = 10
_EMPTY = {"clip_id": None, "audio_url": None, "lyrics": None, "duration": None, "genre": None, "mood": None,
          "gender": None, "timbre": None}


class NuroFamily(Family):
    name = "nuro"
    poll_models = {PENDING: NuroTask, RUNNING: NuroTask, SUCCESS: NuroTask, FAILED: NuroFailed}
    # One task type: ``type`` (vocal, bgm) is a parameter of it; both cost the same and make one song.
    tasks = {"create_music": TaskSpec("render", _PRICE, Operation.CREATE, clips=1)}

    def plan(self, ctx: PlanContext, task_type: str, body: dict[str, Any]) -> Plan:
        kind = body.get("type") or ("vocal" if (body.get("lyrics") or "").strip() else "bgm")
        params = _vocal(ctx, body) if kind == "vocal" else _bgm(ctx, body)
        route = ctx.settings.models.get(MODEL) or ctx.settings.models[ctx.settings.default_mv]
        params.update(profile=route.profile, mastered=route.mastered)
        return Plan(params, route.engine)

    def result_item(self, task: Any, clip: Clip, index: int) -> dict[str, Any]:
        wire = task.params.get("wire", {})
        meta = clip.meta or {}
        singer = (meta.get("extra") or {}).get("singer") or {}
        gender = wire.get("gender") or (singer.get("gender", "").title() or None if wire["type"] == "vocal" else None)
        return {
            "clip_id": clip.id,
            "audio_url": media_path(clip, "audio.wav"),
            "lyrics": wire.get("lyrics"),
            "duration": round(clip.duration, 2),
            "genre": wire.get("genre") or (meta.get("extra") or {}).get("genre"),
            "mood": wire.get("mood"),
            "gender": gender,
            "timbre": wire.get("timbre"),
        }

    def poll(self, row: TaskRow) -> tuple[int, dict[str, Any]]:
        if row.status == FAILED:
            fields = failure_fields(row.error_type, row.error)
            return 200, {"task_id": row.id, "status": "failed", "progress": row.progress,
                         "type": _FAILURE_TYPES.get(fields["type"], "api_error"), "error": fields["error"],
                         "message": fields["message"]}
        song = (row.result or [_EMPTY])[0] if row.status == SUCCESS else _EMPTY
        progress = 100 if row.status == SUCCESS else row.progress
        return 200, {"task_id": row.id, "status": _STATES[row.status], "progress": progress, **song}

    def webhook_body(self, row: TaskRow) -> dict[str, Any]:
        return self.poll(row)[1]


def _chosen(ctx: PlanContext, field: str, value: str | list[str] | None, table: dict[str, Any],
            most: int) -> list[str]:
    """The allowed values named in ``value`` (matched without regard to case), in their own spelling."""
    if value is None or value == "" or value == []:
        return []
    values = [value] if isinstance(value, str) else list(value)
    if len(values) > most:
        ctx.problems.add(field, f"names at most {most} value{'s' if most > 1 else ''} (found {len(values)})")
    by_fold = {name.casefold(): name for name in table}
    out = []
    for item in values:
        name = by_fold.get(str(item).strip().casefold())
        if name is None:
            ctx.problems.add(field, f"{str(item)[:40]!r} is not one of: {', '.join(table)}")
        elif name not in out:
            out.append(name)
    return out


def _not_for(ctx: PlanContext, body: dict[str, Any], fields: tuple[str, ...], kind: str) -> None:
    for field in fields:
        if body.get(field) not in (None, "", []):
            ctx.problems.add(field, f"is not a field of type {kind}")


def _latin_letters(text: str) -> bool:
    """True when most letters are Latin: the singer (espeak-ng, English) sings those."""
    letters = [c for c in text if c.isalpha()]
    latin = sum(1 for c in letters if c.isascii() or "LATIN" in _char_name(c))
    return not letters or latin / len(letters) >= 0.8


def _char_name(char: str) -> str:
    import unicodedata

    return unicodedata.name(char, "")


def _seconds(ctx: PlanContext, body: dict[str, Any], low: float, high: float) -> float | None:
    duration = body.get("duration")
    if duration is not None and not low <= float(duration) <= high:
        ctx.problems.add("duration", f"must be between {low:g} and {high:g} seconds")
        return None
    return None if duration is None else float(duration)


def _vocal(ctx: PlanContext, body: dict[str, Any]) -> dict[str, Any]:
    problems = ctx.problems
    _not_for(ctx, body, ("description", "instrument", "theme", "version", "segments"), "vocal")
    lyrics = (body.get("lyrics") or "").strip()
    if not lyrics:
        problems.add("lyrics", "is required for type vocal: the words to sing, with [verse]/[chorus] tags")
    elif not _latin_letters(lyrics):
        problems.add("lyrics", "language not supported: the singer sings English (Latin letters)")
    else:
        problems.check(validation.check_lyrics, lyrics)
    genres = _chosen(ctx, "genre", body.get("genre"), VOCAL_GENRES, MAX_LISTED)
    moods = _chosen(ctx, "mood", body.get("mood"), VOCAL_MOODS, MAX_LISTED)
    timbres = _chosen(ctx, "timbre", body.get("timbre"), VOCAL_TIMBRES, 1)
    genders = _chosen(ctx, "gender", body.get("gender"), GENDERS, 1)
    voice: dict[str, Any] = {}
    if genders:
        voice["gender"] = GENDERS[genders[0]]
    if timbres:
        voice["timbre"] = dict(VOCAL_TIMBRES[timbres[0]])
    params = render_params(
        operation="create", sound=prompt_words(genres, moods, [], [], vocal=True), lyrics=_sung_tags(lyrics),
        mv=MODEL, seed=problems.check(validation.normalise_seed, body.get("seed")) or 0,
        length=_seconds(ctx, body, 30, 240), voice=voice or None,
        wire={"type": "vocal", "lyrics": lyrics, "genre": ", ".join(genres) or None,
              "mood": ", ".join(moods) or None, "gender": genders[0] if genders else None,
              "timbre": timbres[0] if timbres else None},
    )
    return params


def _sung_tags(lyrics: str) -> str:
    """Nuro's short tags in the composer's words: [inst] is an instrumental break."""
    return "\n".join("[instrumental]" if line.strip().lower() in ("[inst]", "[instr]") else line
                     for line in lyrics.splitlines())


def _bgm(ctx: PlanContext, body: dict[str, Any]) -> dict[str, Any]:
    problems = ctx.problems
    _not_for(ctx, body, ("lyrics", "gender", "timbre"), "bgm")
    description = (body.get("description") or "").strip()
    words = validation.lyric_words(description)
    if not words:
        problems.add("description", "is required for type bgm: what the music is for and how it feels")
    elif validation.is_placeholder(words):
        problems.add("description", "looks like placeholder text; describe the music's use, mood or style")
    genres = _chosen(ctx, "genre", body.get("genre"), BGM_GENRES, MAX_LISTED)
    moods = _chosen(ctx, "mood", body.get("mood"), BGM_MOODS, MAX_LISTED)
    instruments = _chosen(ctx, "instrument", body.get("instrument"), BGM_INSTRUMENTS, MAX_LISTED)
    themes = _chosen(ctx, "theme", body.get("theme"), BGM_THEMES, MAX_LISTED)
    v2 = body.get("version") == "v2.0"
    duration = _seconds(ctx, body, 1, 240 if v2 else 60)
    form = _form(ctx, body.get("segments"), duration, v2)
    length = duration or (sum(seconds for _, seconds in form) if form else 60.0)
    params = render_params(
        operation="create", sound=prompt_words(genres, moods, instruments, themes, description),
        make_instrumental=True, mv=MODEL, seed=problems.check(validation.normalise_seed, body.get("seed")) or 0,
        length=length,
        wire={"type": "bgm", "lyrics": None, "genre": ", ".join(genres) or None, "mood": ", ".join(moods) or None},
    )
    if form:
        params["form"] = form
    return params


def _form(ctx: PlanContext, segments: list[dict[str, Any]] | None, duration: float | None,
          v2: bool) -> list[list[Any]]:
    if not segments:
        return []
    if not v2:
        ctx.problems.add("segments", 'are honoured by version "v2.0"; send version "v2.0" with them')
        return []
    form = [[s["name"].strip(), float(s["duration"])] for s in segments]
    for i, (_, seconds) in enumerate(form):
        if seconds < MIN_SEGMENT_S:
            ctx.problems.add(f"segments.{i}.duration", f"must be at least {MIN_SEGMENT_S:g} seconds")
    total = sum(seconds for _, seconds in form)
    if total > 240:
        ctx.problems.add("segments", f"last {total:g} s in all; at most 240")
    if duration is not None and abs(total - duration) > 1.0:
        ctx.problems.add("segments", f"last {total:g} s in all but duration is {duration:g} s; make them agree")
    return form


NURO = NuroFamily()
