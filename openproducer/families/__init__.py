"""The API families, found by name. A family is one module; this table is the one place they are listed."""

from __future__ import annotations

from openproducer.families.base import Family, Plan, PlanContext, TaskSpec, UnknownTaskType, queue_name
from openproducer.families.nuro import NURO
from openproducer.families.producer import PRODUCER
from openproducer.families.riffusion import RIFFUSION
from openproducer.families.sonic import SONIC
from openproducer.families.studio import STUDIO

__all__ = ["FAMILIES", "Family", "Plan", "PlanContext", "TaskSpec", "UnknownTaskType", "family_of", "queue_of"]

FAMILIES: dict[str, Family] = {family.name: family for family in (PRODUCER, SONIC, RIFFUSION, NURO, STUDIO)}


def family_of(name: str) -> Family:
    try:
        return FAMILIES[name]
    except KeyError:
        raise UnknownTaskType(f"no family {name!r}") from None


def queue_of(task) -> str:  # type: ignore[no-untyped-def]
    """The queue a task's message goes to (a Task row: family, task_type, engine)."""
    return queue_name(family_of(task.family).spec(task.task_type), task.engine)
