"""Synchronous work (lyrics, a persona, a tempo reading…): answered in the request, recorded as a task.

The order keeps the database out of the slow part: plan and check the balance (a read), compute
(no transaction held), then charge and record the finished task in one transaction. A request
that fails while computing costs nothing. The recorded task makes every credit spent traceable,
and lets an ``Idempotency-Key`` retry get the first answer back without a second charge.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from openproducer.core import credits
from openproducer.core.errors import BadRequest, InvalidParameter, NotEnoughCredits
from openproducer.core.services import Services
from openproducer.core.submit import request_hash
from openproducer.engines.base import EngineError
from openproducer.families.base import Family, Plan, PlanContext
from openproducer.store.clock import utcnow
from openproducer.store.tables import Task
from openproducer.store.tasks import SUCCESS

__all__ = ["Compute", "Computed", "run_instant", "upload_now"]


@dataclass
class Computed:
    result: list[dict[str, Any]]  # the task's result: what the answer is built from
    rows: list[Any] = field(default_factory=list)  # rows to insert with the charge (a persona)


# compute(plan, task_id) -> what the synchronous work made
Compute = Callable[[Plan, str], Computed]


def run_instant(
    services: Services,
    api_key_id: int,
    family: Family,
    task_type: str,
    body: dict[str, Any],
    compute: Compute,
    idempotency_key: str | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """(task id, result) of a synchronous task of ``family``."""
    spec = family.spec(task_type)
    idempotency_key = idempotency_key or None
    digest = request_hash({"family": family.name, "task_type": task_type, **body})
    with services.db.session(write=False) as session:
        if idempotency_key:
            done = session.scalar(
                select(Task).where(Task.api_key_id == api_key_id, Task.idempotency_key == idempotency_key)
            )
            if done is not None:
                if done.request_hash != digest:
                    raise InvalidParameter("Idempotency-Key", "was already used with a different request body")
                return done.id, list(done.result or [])
        ctx = PlanContext(session, api_key_id, services.settings)
        if body.get("webhook_url"):
            from openproducer.core.validation import check_http_url

            ctx.problems.check(check_http_url, "webhook_url", body["webhook_url"])
        plan = family.plan(ctx, task_type, body)
        ctx.problems.raise_if_any()
        available = credits.get_balance(session, api_key_id).total
        if available < spec.price:
            raise NotEnoughCredits(spec.price, available)
    task_id = str(uuid.uuid4())
    try:
        computed = compute(plan, task_id)
    except EngineError as exc:  # the input's fault (an unusable upload, a clip without a voice): nothing charged
        raise BadRequest(str(exc)) from exc
    result = computed.result
    now = utcnow()
    with services.db.session() as session:
        credits.charge(session, api_key_id, task_id, spec.price)
        for row in computed.rows:
            session.add(row)
        session.add(Task(
            id=task_id, api_key_id=api_key_id, family=family.name, task_type=task_type, engine=plan.engine,
            status=SUCCESS, progress=100, stage="done", params=plan.params, price=spec.price, clip_ids=[],
            result=result, idempotency_key=idempotency_key, request_hash=digest, created_at=now,
            started_at=now, finished_at=now,
        ))
    return task_id, result


def upload_now(
    services: Services, api_key_id: int, family: Family, task_type: str, body: dict[str, Any], url: str,
    idempotency_key: str | None = None,
) -> tuple[str, str]:
    """A synchronous upload (``/sonic/upload``, ``/riffusion/upload``): (task id, the new clip's id), at once."""
    from openproducer.core.outputs import store_clip
    from openproducer.core.uploads import import_audio

    def compute(plan: Plan, task_id: str) -> Computed:
        draft = import_audio(services, url, str(uuid.uuid4()), api_key_id, task_id)
        clip = store_clip(services.blobs, draft)
        return Computed([{"clip_id": clip.id}], rows=[clip])

    task_id, result = run_instant(services, api_key_id, family, task_type, body, compute, idempotency_key)
    return task_id, result[0]["clip_id"]
