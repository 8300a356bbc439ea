"""The broker behind the task queue: Dramatiq in-process (embedded) or Redis/RabbitMQ (scale)."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker

__all__ = ["make_broker", "start_worker"]


def make_broker(broker_url: str | None) -> dramatiq.Broker:
    """An in-memory broker when no URL is set; messages then live only as long as the process,
    which is safe because every task is in the database and is re-sent after a restart."""
    if not broker_url:
        broker: dramatiq.Broker = StubBroker()
    elif broker_url.startswith(("redis://", "rediss://", "unix://")):
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=broker_url)
    elif broker_url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=broker_url)
    else:
        raise ValueError(f"broker_url: unsupported scheme in {broker_url!r} (use redis:// or amqp://)")
    return broker


def start_worker(broker: dramatiq.Broker, queues: set[str] | None, threads: int) -> dramatiq.Worker:
    """Start consuming in this process (background threads); call ``.stop()`` to end."""
    broker.emit_after("process_boot")
    worker = dramatiq.Worker(broker, queues=queues, worker_threads=threads, worker_timeout=100)
    worker.start()
    return worker
