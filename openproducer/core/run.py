"""Running one task on a worker: claim, work under a lease, commit the outcome once."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

from dramatiq.middleware import TimeLimitExceeded

from openproducer.audio.artwork import ArtworkError
from openproducer.audio.encode import AudioDecodeError
from openproducer.core.lease import Lease, TaskLost, TaskTimeout
from openproducer.core.logs import TASK_ID
from openproducer.core.outputs import store_clip
from openproducer.core.services import Services
from openproducer.core.webhooks import record_delivery
from openproducer.core.works import WORK_TO, WORKS, WorkContext
from openproducer.engines.base import EngineError
from openproducer.engines.registry import EngineRegistry
from openproducer.families import family_of
from openproducer.media.fetch import FetchError
from openproducer.store import ledger, tasks
from openproducer.store.tables import Clip, Task

__all__ = ["TaskRunner", "fail_task", "worker_identity"]

log = logging.getLogger(__name__)

# Errors whose message is meant for the user (bad upload, unusable parent, engine refusal).
_USER_ERRORS = (EngineError, FetchError, AudioDecodeError, ArtworkError)


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def fail_task(
    services: Services, task_id: str, owner: str | None, error_type: str, error: str, run_s: float | None = None
) -> str | None:
    """Mark a task FAILED and refund it, in one transaction. Returns a webhook delivery id to send."""
    with services.db.session() as session:
        if not tasks.finish(session, task_id, owner, tasks.FAILED, error_type=error_type, error=error, run_s=run_s):
            return None
        refunded = ledger.refund_task(session, task_id, note=f"{error_type}: {error}"[:200])
        log.info("task %s failed (%s): %s; %d credits refunded", task_id, error_type, error, refunded)
        task = session.get(Task, task_id)
        return record_delivery(session, task) if task is not None else None


class TaskRunner:
    def __init__(
        self,
        services: Services,
        engines: EngineRegistry,
        enqueue_webhook: Callable[[str], None],
        owner: str | None = None,
    ) -> None:
        self.services = services
        self.engines = engines
        self.enqueue_webhook = enqueue_webhook
        self.owner = owner or worker_identity()

    def run(self, task_id: str) -> None:
        """The actor body. Safe to call twice for one task: only one claim can succeed."""
        token = TASK_ID.set(task_id)
        try:
            self._run(task_id)
        finally:
            TASK_ID.reset(token)

    def _run(self, task_id: str) -> None:
        settings = self.services.settings
        started = time.monotonic()
        with self.services.db.session() as session:
            task = tasks.claim(session, task_id, self.owner, settings.lease_s, settings.task_time_limit_s)
            if task is None:
                return
            session.expunge(task)
        if task.attempts > settings.max_attempts:
            self._fail(task_id, "failed", f"The task was interrupted {task.attempts - 1} times and gave up.", started)
            return
        log.info("task %s: started %s (attempt %d)", task_id, task.task_type, task.attempts)
        lease = Lease(self.services.db, task_id, self.owner, settings.lease_s, task.deadline_at)
        try:
            with lease:
                clips, result = self._execute(task, lease)
                lease.check()
                self._succeed(task, clips, result, started)
        except TaskLost:
            log.warning("task %s: lease lost, leaving it to its new owner", task_id)
        except (TaskTimeout, TimeLimitExceeded):
            limit = settings.task_time_limit_s
            self._fail(task_id, "timeout", f"The task exceeded its time limit of {limit:g} seconds.", started)
        except _USER_ERRORS as exc:
            self._fail(task_id, "failed", str(exc) or type(exc).__name__, started)
        except Exception:
            log.exception("task %s: unexpected error", task_id)
            self._fail(task_id, "api_error", "Internal error while producing the music.", started)

    def _execute(self, task: Task, lease: Lease) -> tuple[list[Clip], list[dict[str, Any]]]:
        """Run the task's work; store its new clips. Returns (clip rows to commit, the result list)."""
        family = family_of(task.family)
        spec = family.spec(task.task_type)
        output = WORKS[spec.kind](WorkContext(self.services, self.engines, task, spec, lease))
        stored = []
        for index, draft in enumerate(output.drafts):
            lease.report(WORK_TO + (98 - WORK_TO) * index / max(1, len(output.drafts)), "storing")
            stored.append(store_clip(self.services.blobs, draft))
        clips = [*output.existing, *stored]
        result = [*output.items, *(family.result_item(task, clip, index) for index, clip in enumerate(clips))]
        return [*stored, *output.rows], result

    def _succeed(self, task: Task, clips: list[Clip], result: list[dict[str, Any]], started: float) -> None:
        with self.services.db.session() as session:
            for clip in clips:
                session.merge(clip)
            run_s = time.monotonic() - started
            if not tasks.finish(session, task.id, self.owner, tasks.SUCCESS, result=result, run_s=run_s):
                raise TaskLost(task.id)  # rolls the clip rows back with it
            fresh = session.get(Task, task.id)
            delivery = record_delivery(session, fresh) if fresh is not None else None
        log.info("task %s: SUCCESS", task.id)
        if delivery:
            self.enqueue_webhook(delivery)

    def _fail(self, task_id: str, error_type: str, error: str, started: float) -> None:
        delivery = fail_task(self.services, task_id, self.owner, error_type, error, time.monotonic() - started)
        if delivery:
            self.enqueue_webhook(delivery)
