"""The composition root: builds the services, broker, actors, worker and reconciler of a process."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import dramatiq

from openproducer.audio import mp3
from openproducer.core.config import Settings
from openproducer.core.outputs import wait_for_pending
from openproducer.core.reconcile import Reconciler, recover_on_boot
from openproducer.core.run import TaskRunner
from openproducer.core.services import Services
from openproducer.core.uploads import load_separator
from openproducer.core.webhooks import deliver
from openproducer.engines.registry import EngineRegistry
from openproducer.extras import check_extras
from openproducer.media.stores import open_blob_store
from openproducer.queue.actors import Actors, bind_actors
from openproducer.queue.broker import make_broker, start_worker
from openproducer.store.db import Database

__all__ = ["Runtime", "build_runtime"]

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    services: Services
    broker: dramatiq.Broker
    actors: Actors
    engines: EngineRegistry
    runner: TaskRunner
    queues: list[str]
    worker: dramatiq.Worker | None = None
    reconciler: Reconciler | None = None
    _started: bool = field(default=False, repr=False)

    def start_workers(self, threads: int, queues: list[str] | None = None) -> None:
        """Consume tasks in this process (embedded mode, or a worker process at scale)."""
        consumed = set(queues or self.queues)
        for name in sorted(q.removeprefix("engine.") for q in consumed if q.startswith("engine.")):
            try:  # warm up before the first task, so it does not pay for loading
                self.engines.get(name)
            except Exception:
                log.warning("engine %s could not be loaded at start-up", name, exc_info=True)
        from openproducer.lyrics import preload

        preload()  # the lyric writer's dictionary and tables (~1 s), before the first description-mode song
        if self.settings.separation_model is not None:
            load_separator(self.settings.separation_model)  # a bad model file fails start-up, clearly
        if self.settings.embedded_broker:
            recover_on_boot(self.services)
        mp3.spare.prepare(44100)  # the first task's MP3 encoder is already started
        self.worker = start_worker(self.broker, consumed, threads)
        self.reconciler = Reconciler(
            self.services, self.settings.reconcile_interval_s, on_webhook=self.actors.enqueue_webhook
        )
        self.reconciler.start()

    def check_broker(self) -> str:
        """"ok", or what is wrong, for /readyz."""
        if self.settings.embedded_broker:
            if self.settings.workers > 0 and self.worker is None:
                return "error: embedded worker not started"
            return "ok"
        try:
            client = getattr(self.broker, "client", None)  # Redis
            if client is not None:
                client.ping()
            else:
                self.broker.get_declared_queues()
            return "ok"
        except Exception as exc:  # any failure means "not ready"
            return f"error: {type(exc).__name__}"

    def stop(self) -> None:
        if self.reconciler is not None:
            self.reconciler.stop()
        if self.worker is not None:
            self.worker.stop(timeout=10000)
            wait_for_pending(30.0)  # stems and MP3s of finished tasks still being stored
        self.broker.close()
        self.engines.close()
        mp3.spare.close()
        self.services.db.dispose()


def build_runtime(settings: Settings, engines: EngineRegistry | None = None) -> Runtime:
    check_extras(settings)
    db = Database(settings.resolved_database_url)
    blobs = open_blob_store(settings.resolved_storage_url, settings.s3)
    broker = make_broker(settings.broker_url)
    engine_names = sorted({route.engine for route in settings.models.values()})
    queues = ["io", "webhooks", *(f"engine.{name}" for name in engine_names)]
    registry = engines or EngineRegistry(settings)

    # The actors call the runner, and the runner enqueues through the actors: the closures
    # below look `runner` and `services` up when a message runs, after both exist.
    def run_task(task_id: str) -> None:
        runner.run(task_id)

    def deliver_webhook(delivery_id: str) -> None:
        deliver(services, delivery_id)

    actors = bind_actors(
        broker, run_task, deliver_webhook,
        time_limit_ms=int((settings.task_time_limit_s + settings.lease_s) * 1000),
        webhook_retries=settings.webhook_max_retries,
        queues=queues,
    )
    services = Services(settings=settings, db=db, blobs=blobs, enqueue=actors.enqueue_task)
    runner = TaskRunner(services, registry, actors.enqueue_webhook)
    return Runtime(settings, services, broker, actors, registry, runner, queues)
