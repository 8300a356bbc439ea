"""The kinds of work a task can be, found by name (a family's TaskSpec.kind).

A work makes a task's clips: new clips as drafts (the runner stores them and commits them with
the task's SUCCESS), or existing clips the result refers to (a download). Works never write the
database; they report progress through the context.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openproducer.core import uploads
from openproducer.core.lease import Lease
from openproducer.core.outputs import ClipDraft
from openproducer.core.produce import load_parent, produce
from openproducer.core.services import Services
from openproducer.engines.base import EngineError, ParentClip
from openproducer.engines.registry import EngineRegistry
from openproducer.families.base import TaskSpec
from openproducer.store.tables import Clip, Task

__all__ = ["WORKS", "WORK_FROM", "WORK_TO", "Work", "WorkContext", "WorkOutput", "clip_seed"]

# The share of the progress bar the works take; storing the clips takes the rest.
WORK_FROM, WORK_TO = 5, 88


@dataclass
class WorkContext:
    services: Services
    engines: EngineRegistry
    task: Task
    spec: TaskSpec
    lease: Lease

    def report(self, fraction: float, stage: str) -> None:
        """Progress of the whole work, ``fraction`` in [0, 1]."""
        fraction = max(0.0, min(1.0, fraction))
        self.lease.report(WORK_FROM + (WORK_TO - WORK_FROM) * fraction, stage)

    def slice(self, index: int, count: int) -> Callable[[float, str], None]:
        """A progress function for part ``index`` of ``count`` equal parts of the work."""
        def progress(fraction: float, stage: str) -> None:
            self.report((index + max(0.0, min(1.0, fraction))) / count, stage)
        return progress

    def clip(self, clip_id: str | None, missing: str = "The parent clip no longer exists.") -> Clip | None:
        if not clip_id:
            return None
        with self.services.db.session(write=False) as session:
            clip = session.get(Clip, clip_id)
        if clip is None:
            raise EngineError(missing)
        return clip

    def parent(self, clip_id: str | None) -> ParentClip | None:
        clip = self.clip(clip_id)
        return load_parent(self.services, clip) if clip is not None else None


@dataclass
class WorkOutput:
    drafts: list[ClipDraft] = field(default_factory=list)  # new clips, in result order
    existing: list[Clip] = field(default_factory=list)  # clips the result names that exist already


Work = Callable[[WorkContext], WorkOutput]


def clip_seed(seed: int, index: int) -> int:
    """The seed of clip ``index`` of a multi-clip task: the task's own seed for the first clip, and
    for the others a seed derived from it (so every clip differs, and all are reproducible)."""
    if index == 0:
        return seed
    digest = hashlib.sha256(f"{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 2**31


def render(ctx: WorkContext) -> WorkOutput:
    """Every clip of a task from one engine operation; clip i varies the seed."""
    task = ctx.task
    params: dict[str, Any] = task.params
    parent = ctx.parent(params.get("clip_id"))
    count = len(task.clip_ids)
    seeds = params.get("variation_seeds") or [clip_seed(params["seed"], i) for i in range(count)]
    drafts = []
    for index, clip_id in enumerate(task.clip_ids):
        clip_params = {**params, "seed": seeds[index]}
        drafts.append(produce(ctx.services, ctx.engines, task, clip_params, clip_id, parent,
                              ctx.slice(index, count)))
    return WorkOutput(drafts=drafts)


def upload(ctx: WorkContext) -> WorkOutput:
    return WorkOutput(drafts=[uploads.import_upload(ctx.services, ctx.task, ctx.lease)])


def download(ctx: WorkContext) -> WorkOutput:
    clip = ctx.clip(ctx.task.params["clip_id"], "The clip to download no longer exists.")
    return WorkOutput(existing=[clip] if clip is not None else [])


# The one place works are registered: kind -> function.
WORKS: dict[str, Work] = {
    "render": render,
    "upload": upload,
    "download": download,
}
