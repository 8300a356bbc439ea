"""A worker's hold on a running task: lease renewal, throttled progress, the time limit."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from openproducer.store import tasks
from openproducer.store.clock import as_utc, utcnow
from openproducer.store.db import Database

__all__ = ["Lease", "TaskLost", "TaskTimeout"]

log = logging.getLogger(__name__)


class TaskTimeout(Exception):
    """The task ran past its time limit."""


class TaskLost(Exception):
    """Another party (the reconciler, another worker) now owns the task: stop, write nothing."""


class Lease:
    """Held while a task runs. A background thread renews the lease even while the engine
    sits in one long native call; ``report`` records progress and enforces the deadline."""

    _MIN_REPORT_INTERVAL_S = 0.2

    def __init__(self, db: Database, task_id: str, owner: str, lease_s: float, deadline: datetime | None):
        self.db = db
        self.task_id = task_id
        self.owner = owner
        self.lease_s = lease_s
        self.deadline = as_utc(deadline) if deadline else None
        self.lost = False
        self._last_report = 0.0
        self._last_progress = -1
        self._last_stage = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew_loop, name=f"lease-{task_id[:8]}", daemon=True)

    def __enter__(self) -> Lease:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                with self.db.session() as session:
                    if not tasks.renew(session, self.task_id, self.owner, self.lease_s):
                        self.lost = True
                        return
            except Exception:  # a database hiccup: try again next round; the lease has slack
                log.warning("lease renewal failed for task %s", self.task_id, exc_info=True)

    def check(self) -> None:
        if self.lost:
            raise TaskLost(self.task_id)
        if self.deadline is not None and utcnow() > self.deadline:
            raise TaskTimeout(self.task_id)

    def report(self, progress: int, stage: str) -> None:
        """Record ``progress`` (0-100) and ``stage``; raises TaskTimeout/TaskLost when it must stop."""
        self.check()
        now = time.monotonic()
        progress = max(1, min(99, int(progress)))
        new_stage = stage != self._last_stage
        # Writes are throttled, except that a new stage is always recorded (and logged).
        if not new_stage and (progress == self._last_progress or now - self._last_report < self._MIN_REPORT_INTERVAL_S):
            return
        self._last_report, self._last_progress = now, progress
        if new_stage:
            self._last_stage = stage
            log.info("task %s: %s (%d%%)", self.task_id, stage, progress)
        with self.db.session() as session:
            if not tasks.set_progress(session, self.task_id, self.owner, progress, stage, self.lease_s):
                self.lost = True
                raise TaskLost(self.task_id)
