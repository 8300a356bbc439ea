"""The task state machine as database operations: PENDING -> RUNNING -> SUCCESS | FAILED.

Every transition is one conditional UPDATE, so two workers can never both own a task:
a claim succeeds only on a PENDING task or a RUNNING one whose lease has expired, and a
finish succeeds only for the worker that still holds the lease.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, func, or_, select, update
from sqlalchemy.orm import Session

from openproducer.store.clock import utcnow
from openproducer.store.db import Database
from openproducer.store.tables import LedgerEntry, Task

__all__ = [
    "FAILED",
    "PENDING",
    "RUNNING",
    "SUCCESS",
    "active_count",
    "claim",
    "expired_leases",
    "fleet_stats",
    "queue_depth",
    "finish",
    "get_task",
    "is_final",
    "pending_unqueued",
    "poll_row",
    "renew",
    "reset_running",
    "set_progress",
]

PENDING, RUNNING, SUCCESS, FAILED = "PENDING", "RUNNING", "SUCCESS", "FAILED"


def is_final(status: str) -> bool:
    return status in (SUCCESS, FAILED)


def get_task(session: Session, task_id: str) -> Task | None:
    return session.get(Task, task_id)


def poll_row(db: Database, task_id: str) -> Row[Any] | None:
    """The few columns a poll needs, read on a bare connection (no ORM session: polls are hot)."""
    query = select(
        Task.id, Task.api_key_id, Task.family, Task.task_type, Task.status, Task.progress, Task.stage, Task.result,
        Task.error_type, Task.error, Task.created_at, Task.started_at, Task.finished_at,
    ).where(Task.id == task_id)
    with db.engine.connect() as connection:
        return connection.execute(query).first()


def claim(session: Session, task_id: str, owner: str, lease_s: float, time_limit_s: float) -> Task | None:
    """Take the lease on a task; None when it is finished or another worker holds it."""
    now = utcnow()
    claimable = or_(
        Task.status == PENDING, and_(Task.status == RUNNING, Task.lease_expires_at < now)
    )
    result = session.execute(
        update(Task)
        .where(Task.id == task_id, claimable)
        .values(
            status=RUNNING,
            lease_owner=owner,
            lease_expires_at=now + timedelta(seconds=lease_s),
            deadline_at=now + timedelta(seconds=time_limit_s),
            attempts=Task.attempts + 1,
            started_at=now,
            stage="starting",
            progress=1,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    session.expire_all()
    return session.get(Task, task_id)


def renew(session: Session, task_id: str, owner: str, lease_s: float) -> bool:
    result = session.execute(
        update(Task)
        .where(Task.id == task_id, Task.status == RUNNING, Task.lease_owner == owner)
        .values(lease_expires_at=utcnow() + timedelta(seconds=lease_s))
    )
    return result.rowcount == 1


def set_progress(session: Session, task_id: str, owner: str, progress: int, stage: str, lease_s: float) -> bool:
    """Record progress and renew the lease; False when this worker lost the task."""
    result = session.execute(
        update(Task)
        .where(Task.id == task_id, Task.status == RUNNING, Task.lease_owner == owner)
        .values(progress=progress, stage=stage, lease_expires_at=utcnow() + timedelta(seconds=lease_s))
    )
    return result.rowcount == 1


def finish(
    session: Session,
    task_id: str,
    owner: str | None,
    status: str,
    *,
    result: list[Any] | None = None,
    error_type: str | None = None,
    error: str | None = None,
    run_s: float | None = None,
) -> bool:
    """End a task. With ``owner`` the update is fenced on the lease; None is the reconciler's override."""
    condition = [Task.id == task_id, Task.status.in_((PENDING, RUNNING))]
    if owner is not None:
        condition += [Task.status == RUNNING, Task.lease_owner == owner]
    values: dict[str, Any] = {
        "status": status,
        "result": result,
        "error_type": error_type,
        "error": error,
        "finished_at": utcnow(),
        "lease_owner": None,
        "lease_expires_at": None,
        "stage": "done" if status == SUCCESS else "failed",
        "run_s": run_s,
    }
    if status == SUCCESS:
        values["progress"] = 100
    updated = session.execute(update(Task).where(*condition).values(**values))
    return updated.rowcount == 1


def reset_running(session: Session) -> list[str]:
    """Embedded-mode boot: nothing else can be running these, so they go back to PENDING."""
    ids = list(session.scalars(select(Task.id).where(Task.status == RUNNING)))
    if ids:
        session.execute(
            update(Task)
            .where(Task.id.in_(ids), Task.status == RUNNING)
            .values(status=PENDING, lease_owner=None, lease_expires_at=None, stage="requeued")
        )
    return ids


def expired_leases(session: Session, now: datetime | None = None) -> list[Task]:
    now = now or utcnow()
    return list(session.scalars(select(Task).where(Task.status == RUNNING, Task.lease_expires_at < now)))


def pending_unqueued(session: Session, older_than: datetime) -> list[Task]:
    """PENDING tasks not (re-)sent to the broker since ``older_than``: the broker may have lost them."""
    return list(
        session.scalars(
            select(Task).where(
                Task.status == PENDING,
                or_(Task.enqueued_at.is_(None), Task.enqueued_at < older_than),
            )
        )
    )


def active_count(session: Session, api_key_id: int) -> int:
    """Tasks of one key that are queued or running."""
    query = select(func.count()).where(Task.api_key_id == api_key_id, Task.status.in_((PENDING, RUNNING)))
    return session.scalar(query) or 0


def queue_depth(session: Session, engine: str) -> int:
    return session.scalar(select(func.count()).where(Task.status == PENDING, Task.engine == engine)) or 0


@dataclass
class FleetStats:
    active: dict[tuple[str, str], int]  # (engine, status) -> count, for PENDING and RUNNING
    finished: dict[tuple[str, str, str], int]  # (task_type, engine, status) -> count
    durations: dict[tuple[str, str], tuple[int, float]]  # (task_type, engine) -> (count, total seconds)
    refunds: int


def fleet_stats(session: Session) -> FleetStats:
    """Aggregates for metrics, across every worker: the database sees the whole fleet."""
    active = {
        (engine, status): count
        for engine, status, count in session.execute(
            select(Task.engine, Task.status, func.count())
            .where(Task.status.in_((PENDING, RUNNING)))
            .group_by(Task.engine, Task.status)
        )
    }
    finished: dict[tuple[str, str, str], int] = {}
    durations: dict[tuple[str, str], tuple[int, float]] = {}
    rows = session.execute(
        select(Task.task_type, Task.engine, Task.status, func.count(), func.count(Task.run_s), func.sum(Task.run_s))
        .where(Task.status.in_((SUCCESS, FAILED)))
        .group_by(Task.task_type, Task.engine, Task.status)
    )
    for task_type, engine, status, count, timed, seconds in rows:
        finished[(task_type, engine, status)] = count
        n, total = durations.get((task_type, engine), (0, 0.0))
        durations[(task_type, engine)] = (n + timed, total + float(seconds or 0.0))
    refunds = session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "refund")) or 0
    return FleetStats(active, finished, durations, refunds)
