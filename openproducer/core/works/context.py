"""What a work is given (the task, its services, its lease) and what it gives back."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openproducer.core.lease import Lease
from openproducer.core.outputs import ClipDraft
from openproducer.core.produce import load_parent
from openproducer.core.services import Services
from openproducer.engines.base import EngineError, ParentClip
from openproducer.engines.registry import EngineRegistry
from openproducer.families.base import TaskSpec
from openproducer.store.tables import Clip, Task

__all__ = ["WORK_FROM", "WORK_TO", "Work", "WorkContext", "WorkOutput", "clip_seed"]

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
    items: list[dict[str, Any]] = field(default_factory=list)  # results that are not clips (lyrics)
    rows: list[Any] = field(default_factory=list)  # other rows committed with the task's SUCCESS (a persona)


Work = Callable[[WorkContext], WorkOutput]


def clip_seed(seed: int, index: int) -> int:
    """The seed of clip ``index`` of a multi-clip task: the task's own seed for the first clip, and
    for the others a seed derived from it (so every clip differs, and all are reproducible)."""
    if index == 0:
        return seed
    digest = hashlib.sha256(f"{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 2**31
