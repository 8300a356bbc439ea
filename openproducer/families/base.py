"""What every API family is made of: a table of task types, request planning, and its wire shapes.

A family is one module (``families/producer.py``, ``families/sonic.py``, …). It owns:

* ``tasks``: task type -> :class:`TaskSpec` (kind of work, engine operation, price, clips per task,
  parent field). The table is the contract: a task type without a spec is not accepted, and a
  price is never guessed.
* ``plan``: a parsed request body -> normalised task parameters and the engine (or I/O work) that
  runs it; every rule a request breaks is collected and reported at once.
* ``result_item``: a finished clip -> the object a client reads in the task's result.
* ``poll``: a task row -> (HTTP status, body), for each state; webhooks send the same body.

Stored results carry media paths (``/media/<token>/<file>``), never an origin: the origin the
client used is added when a result is answered (:func:`with_origin`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from openproducer.core.config import Settings
from openproducer.core.errors import NotFound, Problems
from openproducer.engines.base import Operation
from openproducer.store.tables import Clip

__all__ = [
    "Family",
    "Plan",
    "PlanContext",
    "TaskSpec",
    "UnknownTaskType",
    "queue_name",
    "with_origin",
]

# The task state a poll reads: a Task row or a row of the same columns (store.tasks.poll_row).
TaskRow = Any


class UnknownTaskType(LookupError):
    """A (family, task type) with no spec: a programming error, never priced by default."""


@dataclass(frozen=True)
class TaskSpec:
    """One row of a family's task table."""

    kind: str  # the work that runs it: "render", "upload", "download", "concat", "stems", ...
    price: int  # credits, as the family's contract lists them
    operation: Operation | None = None  # the engine operation of a "render"
    clips: int = 1  # clips a task makes (0: as many as the work finds, e.g. one per stem)
    parent_field: str | None = None  # the request field that names the parent clip
    queue: str = "engine"  # "engine": the engine's queue; "io": quick work beside renders


def queue_name(spec: TaskSpec, engine: str) -> str:
    return "io" if spec.queue == "io" else f"engine.{engine}"


@dataclass
class Plan:
    """What ``Family.plan`` decided: the task's parameters and who runs it."""

    params: dict[str, Any]
    engine: str
    clips: int | None = None  # None: the spec's count


@dataclass
class PlanContext:
    """What planning may look at: settings, and the caller's clips and personas."""

    session: Session
    api_key_id: int
    settings: Settings
    problems: Problems = field(default_factory=Problems)

    def owned_clip(self, clip_id: str | None, field_name: str) -> Clip | None:
        """The caller's clip. A missing id is recorded as a problem (None); an unknown clip, or
        another key's, is a 404 that does not reveal which."""
        if not clip_id:
            self.problems.add(field_name, "is required for this task type")
            return None
        clip = self.session.get(Clip, clip_id)
        if clip is None or clip.api_key_id != self.api_key_id:
            raise NotFound(f"Clip {clip_id} not found.")
        return clip


class Family(ABC):
    """Base of every family. Subclasses fill the class attributes, plan, answer polls and name their
    clips' result objects, and override what else differs."""

    name: ClassVar[str]
    tasks: ClassVar[Mapping[str, TaskSpec]]
    # The response model of a poll in each task state (PENDING, RUNNING, SUCCESS, FAILED).
    poll_models: ClassVar[Mapping[str, type[BaseModel]]]

    def spec(self, task_type: str) -> TaskSpec:
        try:
            return self.tasks[task_type]
        except KeyError:
            raise UnknownTaskType(f"{self.name} has no task type {task_type!r}") from None

    def price(self, task_type: str) -> int:
        return self.spec(task_type).price

    @abstractmethod
    def plan(self, ctx: PlanContext, task_type: str, body: dict[str, Any]) -> Plan:
        """What a valid request of ``task_type`` runs (problems go to ``ctx.problems``)."""

    @abstractmethod
    def result_item(self, task: Any, clip: Clip, index: int) -> dict[str, Any]:
        """The object of one finished clip in the task's result (media as paths, no origin)."""

    @abstractmethod
    def poll(self, row: TaskRow) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body) of a poll of ``row``, before the origin is added."""

    def webhook_body(self, row: TaskRow) -> dict[str, Any]:
        """The webhook payload: the poll body, with the task id where the poll body has none."""
        body = self.poll(row)[1]
        return body if "task_id" in body else {"task_id": row.id, **body}


_URL_KEYS = ("_url", "_path", "cover_image")


def with_origin(value: Any, origin: str) -> Any:
    """``value`` with every media path (``/media/...`` under a key ending ``_url`` or ``_path``,
    or ``cover_image``) made an absolute URL on ``origin``."""
    if isinstance(value, dict):
        return {
            k: origin + v if isinstance(v, str) and v.startswith("/media/") and k.endswith(_URL_KEYS)
            else with_origin(v, origin)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [with_origin(v, origin) for v in value]
    return value
