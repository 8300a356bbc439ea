"""The engine work: every clip of a task from one engine operation, each with its own seed."""

from __future__ import annotations

from typing import Any

from openproducer.core.produce import produce
from openproducer.core.works.context import WorkContext, WorkOutput, clip_seed

__all__ = ["render", "written_lyrics"]


def written_lyrics(ctx: WorkContext, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with lyrics written for their ``lyrics_from`` description (once for the task, so
    every clip sings the same words; the title is the sheet's unless the request named one)."""
    description = params.get("lyrics_from")
    if not description:
        return params
    from openproducer.lyrics import writer_from_settings

    ctx.report(0.0, "writing lyrics")
    sheet = writer_from_settings(ctx.services.settings.lyrics).write(description, int(params["seed"]))
    return {**params, "lyrics": sheet.lyrics, "title": params["title"] or sheet.title}


def render(ctx: WorkContext) -> WorkOutput:
    task = ctx.task
    params = written_lyrics(ctx, task.params)
    parent = ctx.parent(params.get("clip_id"))
    count = len(task.clip_ids)
    seeds = params.get("variation_seeds") or [clip_seed(params["seed"], i) for i in range(count)]
    drafts = []
    for index, clip_id in enumerate(task.clip_ids):
        clip_params = {**params, "seed": seeds[index]}
        drafts.append(produce(ctx.services, ctx.engines, task, clip_params, clip_id, parent,
                              ctx.slice(index, count)))
    return WorkOutput(drafts=drafts)
