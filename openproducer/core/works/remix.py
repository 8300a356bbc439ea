"""Mashups and songs from samples: a score made from other clips (``core/remix.py``), covered by
the composer once per clip of the task (each with its own seed)."""

from __future__ import annotations

from typing import Any

import numpy as np

from openproducer.core.produce import produce
from openproducer.core.remix import mashup_score, sample_score, synthetic_parent, tune_of
from openproducer.core.works.context import WorkContext, WorkOutput, clip_seed
from openproducer.core.works.render import written_lyrics
from openproducer.engines.base import EngineError, ParentClip

__all__ = ["mashup", "sample"]

_INSTRUMENTAL_SAMPLE_S = 45.0


def _render_all(ctx: WorkContext, params: dict[str, Any], parent: ParentClip, facts: dict[str, Any],
                title: str) -> WorkOutput:
    task = ctx.task
    count = len(task.clip_ids)
    drafts = []
    for index, clip_id in enumerate(task.clip_ids):
        clip_params = {**params, "operation": "cover", "seed": clip_seed(int(params["seed"]), index),
                       "title": params["title"] or title, "clip_id": parent.clip_id}
        draft = produce(ctx.services, ctx.engines, task, clip_params, clip_id, parent, ctx.slice(index, count))
        extra = dict(draft.meta.get("extra") or {})
        extra[task.task_type] = facts
        draft.meta = {**draft.meta, "extra": extra}
        drafts.append(draft)
    return WorkOutput(drafts=drafts)


def mashup(ctx: WorkContext) -> WorkOutput:
    """The first clip's melody and words over the second clip's arrangement, in its key and tempo."""
    params = written_lyrics(ctx, ctx.task.params)
    first, second = params["mashup"]
    melody, arrangement = ctx.parent(first), ctx.parent(second)
    if melody is None or arrangement is None:
        raise EngineError("A clip of the mashup no longer exists.")
    ctx.report(0.02, "reading both songs")
    rng = np.random.default_rng(int(params["seed"]))
    score, facts = mashup_score(melody, arrangement, rng, profile=params.get("profile", "full"),
                                seed=int(params["seed"]))
    lyrics = "" if params["make_instrumental"] else (params["lyrics"] or melody.lyrics)
    if params["make_instrumental"] and score.get("melody"):
        score["melody"].update(stem="instrumental", voice=None, singer=None, harmony=[])
    parent = synthetic_parent(melody.clip_id, score, arrangement.sample_rate, "", lyrics, int(params["seed"]))
    a = ctx.clip(first)
    b = ctx.clip(second)
    title = f"{(a.title if a else '') or 'Untitled'} x {(b.title if b else '') or 'Untitled'}"[:80]
    return _render_all(ctx, {**params, "lyrics": lyrics}, parent, facts, title)


def sample(ctx: WorkContext) -> WorkOutput:
    """A song around the sample's melody (looped through every phrase of its lead)."""
    params = written_lyrics(ctx, ctx.task.params)
    window = params["sample"]
    source = ctx.parent(window["clip_id"])
    if source is None:
        raise EngineError("The sample clip no longer exists.")
    ctx.report(0.02, "hearing the sample")
    tune = tune_of(source, float(window["start"]), float(window["end"]))
    lyrics = "" if params["make_instrumental"] else params["lyrics"]
    gender = (params.get("voice") or {}).get("gender")
    rng = np.random.default_rng(int(params["seed"]))
    score, facts = sample_score(tune, params["sound"], lyrics, rng, profile=params.get("profile", "full"),
                                seed=int(params["seed"]), gender=gender,
                                length=None if lyrics.strip() else _INSTRUMENTAL_SAMPLE_S)
    facts.update(sample_clip_id=source.clip_id, window=[window["start"], window["end"]])
    parent = synthetic_parent(source.clip_id, score, source.sample_rate, "", lyrics, int(params["seed"]))
    clip = ctx.clip(source.clip_id)
    title = f"{(clip.title if clip else '') or 'Sample'} (sampled)"[:80]
    return _render_all(ctx, {**params, "lyrics": lyrics}, parent, facts, title)


def _sung_lines(meta: dict[str, Any], gap_s: float = 0.6) -> str:
    """The words the song sings, a line per phrase (words closer than ``gap_s`` share a line)."""
    lines: list[list[str]] = []
    last_end = None
    for word in meta.get("lyrics_timing", []):
        if last_end is None or word["start"] - last_end > gap_s:
            lines.append([])
        lines[-1].append(word["word"])
        last_end = word["end"]
    return "\n".join(" ".join(line) for line in lines)


def _window_only(draft: Any, start: float, end: float) -> None:
    """The clip becomes the replaced window alone, on its own clock (no score, no timeline)."""
    sr = draft.sample_rate
    a, b = int(round(start * sr)), int(round(end * sr))
    draft.mix = draft.mix[a:b]
    draft.stems = {name: stem[a:b] for name, stem in draft.stems.items()}
    draft.score = None
    draft.extra_files.pop("timeline", None)
    meta = {k: v for k, v in draft.meta.items() if k not in ("timeline", "offset_s")}
    meta["sections"] = [
        {**s, "start": round(max(0.0, s["start"] - start), 3), "end": round(min(end, s["end"]) - start, 3)}
        for s in meta.get("sections", []) if s["end"] > start and s["start"] < end]
    meta["lyrics_timing"] = [{**w, "start": round(w["start"] - start, 3), "end": round(w["end"] - start, 3)}
                             for w in meta.get("lyrics_timing", []) if start <= w["start"] < end]
    meta["duration"] = round(len(draft.mix) / sr, 3)
    meta["extra"] = {**(meta.get("extra") or {}), "window_of": draft.parent_clip_id, "window": [start, end]}
    draft.meta = meta


def replace_section(ctx: WorkContext) -> WorkOutput:
    """``/sonic/replace-section``: a replace render; the clip's lyrics are the words it now sings,
    and with ``auto_concat`` false the clip is the window alone."""
    from openproducer.core.works.render import render

    params = ctx.task.params
    output = render(ctx)
    for draft in output.drafts:
        sung = _sung_lines(draft.meta)
        if params.get("lyrics") and sung:
            draft.lyrics = sung
        if params.get("window_only"):
            _window_only(draft, float(params["starts_at"]), float(params["ends_at"]))
    return output
