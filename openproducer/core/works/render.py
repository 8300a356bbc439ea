"""The engine work: every clip of a task from one engine operation, each with its own seed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from openproducer.core.produce import produce
from openproducer.core.works.context import WorkContext, WorkOutput, clip_seed
from openproducer.engines.base import EngineError, Operation

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


class _Together:
    """Progress of clips made at the same time: the work's share is the mean of theirs (each only
    moves forward); the stage is the one last reported."""

    def __init__(self, ctx: WorkContext, count: int) -> None:
        self.ctx, self.done, self.lock = ctx, [0.0] * count, threading.Lock()

    def part(self, index: int) -> Callable[[float, str], None]:
        def progress(fraction: float, stage: str) -> None:
            with self.lock:
                self.done[index] = max(self.done[index], max(0.0, min(1.0, fraction)))
                self.ctx.report(sum(self.done) / len(self.done), stage)
        return progress


def _at_once(ctx: WorkContext, params: dict[str, Any], count: int) -> int:
    """How many clips of the task to render at the same time: the engine says (``clips_at_once``;
    one when it does not, as for the neural engines, whose pipelines batch on their own)."""
    if count < 2:
        return 1
    try:
        engine = ctx.engines.for_operation(ctx.task.engine, Operation(params["operation"]))
    except (EngineError, KeyError, ValueError):
        return 1
    return max(1, min(count, int(getattr(engine, "clips_at_once", 1))))


def render(ctx: WorkContext) -> WorkOutput:
    task = ctx.task
    params = written_lyrics(ctx, task.params)
    parent = ctx.parent(params.get("clip_id"))
    count = len(task.clip_ids)
    seeds = params.get("variation_seeds") or [clip_seed(params["seed"], i) for i in range(count)]
    jobs = [({**params, "seed": seeds[index]}, clip_id) for index, clip_id in enumerate(task.clip_ids)]
    at_once = _at_once(ctx, params, count)
    if at_once == 1:
        drafts = [produce(ctx.services, ctx.engines, task, clip_params, clip_id, parent, ctx.slice(index, count))
                  for index, (clip_params, clip_id) in enumerate(jobs)]
        return WorkOutput(drafts=drafts)
    together = _Together(ctx, count)
    with ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="clip") as pool:
        futures = [pool.submit(produce, ctx.services, ctx.engines, task, clip_params, clip_id, parent,
                               together.part(index)) for index, (clip_params, clip_id) in enumerate(jobs)]
        return WorkOutput(drafts=[future.result() for future in futures])
