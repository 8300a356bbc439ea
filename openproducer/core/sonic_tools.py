"""The Sonic family's synchronous services: lyric sheets, personas, and the legacy lyrics job."""

from __future__ import annotations

import json
from typing import Any

from openproducer.core.errors import TaskNotFound
from openproducer.core.instant import Computed, run_instant
from openproducer.core.personas import make_persona
from openproducer.core.services import Services
from openproducer.core.works.context import clip_seed
from openproducer.families.base import Plan
from openproducer.families.sonic import SONIC
from openproducer.store.clock import as_utc
from openproducer.store.tables import Clip, Task
from openproducer.store.tasks import FAILED, SUCCESS

__all__ = ["create_persona", "lyrics_job", "write_two_sheets"]


def write_two_sheets(services: Services, api_key_id: int, body: dict[str, Any],
                     idempotency_key: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """(task id, two titled lyric sheets) for a description (``POST /sonic/lyrics``)."""
    from openproducer.lyrics import writer_from_settings

    def compute(plan: Plan, _task_id: str) -> Computed:
        writer = writer_from_settings(services.settings.lyrics)
        seed = int(plan.params["seed"])
        sheets = [writer.write(plan.params["description"], clip_seed(seed, i)) for i in range(2)]
        return Computed([{"title": s.title, "lyrics": s.lyrics} for s in sheets])

    return run_instant(services, api_key_id, SONIC, "lyrics", body, compute, idempotency_key)


def create_persona(services: Services, api_key_id: int, body: dict[str, Any],
                   idempotency_key: str | None = None) -> tuple[str, str]:
    """A persona from a clip (``POST /sonic/persona``): (task id, persona id)."""
    def compute(plan: Plan, _task_id: str) -> Computed:
        with services.db.session(write=False) as session:
            clip = session.get(Clip, plan.params["clip_id"])
        persona = make_persona(services, api_key_id, plan.params, clip)
        return Computed([{"persona_id": persona.id}], rows=[persona])

    task_id, result = run_instant(services, api_key_id, SONIC, "persona", body, compute, idempotency_key)
    return task_id, result[0]["persona_id"]


def _time(value: Any) -> str | None:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def lyrics_job(services: Services, api_key_id: int, task_id: str) -> dict[str, Any]:
    """The legacy ``GET /suno/get-lyrics/{id}`` answer: always ``{code, data, message}``, with
    ``data.status`` "processing" until the sheet is written (the client does not poll 202s here)."""
    with services.db.session(write=False) as session:
        task = session.get(Task, task_id) if len(task_id) <= 64 else None
        if task is None or task.api_key_id != api_key_id or task.task_type != "make_lyrics":
            raise TaskNotFound(task_id[:64])
        sheet = (task.result or [{}])[0] if task.status == SUCCESS else {}
        status = {SUCCESS: "completed", FAILED: "failed"}.get(task.status, "processing")
        data = {
            "task_id": task.id,
            "input": json.dumps({"prompt": task.params.get("description", "")}),
            "status": status,
            "title": sheet.get("title", ""),
            "text": sheet.get("text", ""),
            "metadata": {"created_at": _time(task.created_at), "started_at": _time(task.started_at),
                         "ended_at": _time(task.finished_at), "quota_frozen": 0,
                         "quota_usage": task.price if task.status == SUCCESS else 0},
        }
        if task.status == FAILED:
            data["error"] = task.error
    return {"code": 200, "data": data, "message": "failed" if status == "failed" else "success"}
