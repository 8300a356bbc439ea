"""Accepting work of any family: plan (validate), charge, record the task, hand it to the queue. One transaction."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openproducer.core import credits, validation
from openproducer.core.errors import InvalidParameter, RateLimited, ServiceUnavailable
from openproducer.core.services import Services
from openproducer.families.base import Family, Plan, PlanContext, TaskSpec, queue_name
from openproducer.store import ledger
from openproducer.store import tasks as task_store
from openproducer.store.clock import utcnow
from openproducer.store.tables import Task
from openproducer.store.tasks import PENDING

__all__ = ["request_hash", "submit"]

log = logging.getLogger(__name__)


def request_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _existing(session: Session, api_key_id: int, idempotency_key: str, digest: str) -> str | None:
    task = session.scalar(
        select(Task).where(Task.api_key_id == api_key_id, Task.idempotency_key == idempotency_key)
    )
    if task is None:
        return None
    if task.request_hash != digest:
        raise InvalidParameter("Idempotency-Key", "was already used with a different request body")
    return task.id


def submit(
    services: Services,
    api_key_id: int,
    family: Family,
    task_type: str,
    body: dict[str, Any],
    idempotency_key: str | None = None,
) -> str:
    """Create a task of ``family`` for ``body`` (already parsed) and return its id."""
    spec = family.spec(task_type)  # routes accept only the family's task types
    idempotency_key = idempotency_key or None  # an empty header is no key (and must not collide with itself)
    digest = request_hash({"family": family.name, "task_type": task_type, **body})
    try:
        with services.db.session() as session:
            if idempotency_key:
                found = _existing(session, api_key_id, idempotency_key, digest)
                if found:
                    return found
            plan = _plan(services, session, api_key_id, family, task_type, body)
            _check_queue_depth(services, session, spec, plan.engine)
            _check_active_tasks(services, session, api_key_id)
            task_id = str(uuid.uuid4())
            credits.charge(session, api_key_id, task_id, spec.price)
            clips = spec.clips if plan.clips is None else plan.clips
            now = utcnow()
            session.add(
                Task(
                    id=task_id, api_key_id=api_key_id, family=family.name, task_type=task_type,
                    engine=plan.engine, status=PENDING, params=plan.params, price=spec.price,
                    clip_ids=[str(uuid.uuid4()) for _ in range(clips)], idempotency_key=idempotency_key,
                    request_hash=digest, webhook_url=body.get("webhook_url"),
                    webhook_secret=body.get("webhook_secret"), created_at=now, enqueued_at=now,
                )
            )
    except IntegrityError:
        # The same Idempotency-Key raced us; the winner's task is the answer.
        if not idempotency_key:
            raise
        with services.db.session(write=False) as session:
            found = _existing(session, api_key_id, idempotency_key, digest)
        if found is None:
            raise
        return found
    try:
        services.enqueue(task_id, queue_name(spec, plan.engine))
    except Exception:  # the broker is down: the task is safe in the database; the reconciler re-sends it
        log.warning("could not enqueue task %s; it stays PENDING until the reconciler re-sends it", task_id,
                    exc_info=True)
    return task_id


def _plan(
    services: Services, session: Session, api_key_id: int, family: Family, task_type: str, body: dict[str, Any]
) -> Plan:
    """The family's plan; every rule the request breaks is reported in one InvalidParameter."""
    ctx = PlanContext(session, api_key_id, services.settings)
    if body.get("webhook_url"):
        ctx.problems.check(validation.check_http_url, "webhook_url", body["webhook_url"])
    plan = family.plan(ctx, task_type, body)
    ctx.problems.raise_if_any()
    spec = family.spec(task_type)
    if spec.queue == "engine" and plan.engine not in {route.engine for route in services.settings.models.values()}:
        raise RuntimeError(f"{family.name}/{task_type} planned engine {plan.engine!r}, which no worker serves")
    return plan


def _check_queue_depth(services: Services, session: Session, spec: TaskSpec, engine: str) -> None:
    """Refuse work the fleet cannot start in reasonable time, rather than accept it and time out."""
    if spec.queue == "io":
        return
    if task_store.queue_depth(session, engine) >= services.settings.max_queue_depth:
        raise ServiceUnavailable(f"The {engine} queue is full; try again shortly.", retry_after=30)


def _check_active_tasks(services: Services, session: Session, api_key_id: int) -> None:
    """At most ``max_active_tasks_per_key`` tasks of one key queued or running; beyond that a 429 (nothing charged)."""
    cap = services.settings.max_active_tasks_per_key
    ledger.lock_key(session, api_key_id)  # concurrent submits of one key are counted one after the other
    active = task_store.active_count(session, api_key_id)
    if active >= cap:
        raise RateLimited(
            f"This key has {active} tasks queued or running, the most allowed at once; "
            "submit again when one has finished.",
            retry_after=5,
        )
