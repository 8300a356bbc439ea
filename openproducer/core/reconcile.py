"""Keeping the queue honest against the database, which is the source of truth.

* On an embedded boot, tasks left RUNNING by a killed process go back to PENDING.
* RUNNING tasks whose lease expired are sent again (their worker vanished).
* RUNNING tasks past their deadline fail with a refund (``timeout``).
* PENDING tasks that the broker may have lost are sent again.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import select, update

from openproducer.core.run import fail_task
from openproducer.core.services import Services
from openproducer.families import queue_of
from openproducer.store import tasks
from openproducer.store.clock import utcnow
from openproducer.store.tables import Task

__all__ = ["Reconciler", "recover_on_boot"]

log = logging.getLogger(__name__)


def _resend(services: Services, found: list[Task]) -> None:
    if not found:
        return
    ids = [t.id for t in found]
    with services.db.session() as session:
        session.execute(update(Task).where(Task.id.in_(ids)).values(enqueued_at=utcnow()))
    for task in found:
        try:
            services.enqueue(task.id, queue_of(task))
        except Exception:  # broker down: enqueued_at was bumped, the next rounds try again
            log.warning("could not re-send task %s", task.id, exc_info=True)
            return


def recover_on_boot(services: Services) -> int:
    """Embedded mode: this process is the only worker, so every RUNNING task is orphaned."""
    with services.db.session() as session:
        reset = tasks.reset_running(session)
        pending = list(session.scalars(select(Task).where(Task.status == tasks.PENDING)))
        for task in pending:
            session.expunge(task)
    if reset:
        log.info("recovered %d task(s) interrupted by the last shutdown", len(reset))
    _resend(services, pending)
    return len(pending)


class Reconciler:
    def __init__(self, services: Services, interval_s: float = 5.0, on_webhook=None) -> None:  # type: ignore[no-untyped-def]
        self.services = services
        self.interval_s = interval_s
        self.on_webhook = on_webhook
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="reconciler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.run_once()
            except Exception:  # the database may be down for a while; try again next round
                log.warning("reconciler round failed", exc_info=True)

    def run_once(self) -> None:
        settings = self.services.settings
        now = utcnow()
        with self.services.db.session(write=False) as session:
            overdue = list(
                session.scalars(
                    select(Task.id).where(
                        Task.status == tasks.RUNNING, Task.deadline_at < now - timedelta(seconds=settings.lease_s)
                    )
                )
            )
            expired = [t for t in tasks.expired_leases(session, now) if t.id not in overdue]
            lost = tasks.pending_unqueued(session, now - timedelta(seconds=settings.requeue_after_s))
            for task in expired + lost:
                session.expunge(task)
        for task_id in overdue:
            limit = settings.task_time_limit_s
            delivery = fail_task(
                self.services, task_id, None, "timeout", f"The task exceeded its time limit of {limit:g} seconds."
            )
            if delivery and self.on_webhook:
                self.on_webhook(delivery)
        if expired:
            log.info("re-sending %d task(s) whose worker stopped renewing its lease", len(expired))
        _resend(self.services, expired + lost)
