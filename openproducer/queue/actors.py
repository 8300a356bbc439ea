"""Dramatiq actors. Messages carry only ids; the database holds the truth, so a message that
arrives twice does nothing the second time (the task claim fails)."""

from __future__ import annotations

from collections.abc import Callable

import dramatiq

__all__ = ["ENGINE_QUEUES_PREFIX", "Actors", "bind_actors"]

ENGINE_QUEUES_PREFIX = "engine."
_RUN_ACTOR = "run_task"
_WEBHOOK_ACTOR = "deliver_webhook"


class Actors:
    """The actors bound to one broker, and the enqueue functions built on them."""

    def __init__(self, broker: dramatiq.Broker, run: dramatiq.Actor, webhook: dramatiq.Actor) -> None:
        self.broker = broker
        self.run = run
        self.webhook = webhook

    def enqueue_task(self, task_id: str, queue_name: str) -> None:
        # One actor serves every engine queue: the worker finds the actor by name, so the
        # message only needs to land on the queue of the engine that must run it.
        self.broker.declare_queue(queue_name)
        message = dramatiq.Message(
            queue_name=queue_name, actor_name=self.run.actor_name, args=(task_id,), kwargs={}, options={}
        )
        self.broker.enqueue(message)

    def enqueue_webhook(self, delivery_id: str) -> None:
        self.webhook.send(delivery_id)


def bind_actors(
    broker: dramatiq.Broker,
    run_task: Callable[[str], None],
    deliver_webhook: Callable[[str], None],
    *,
    time_limit_ms: int,
    webhook_retries: int,
    queues: list[str],
) -> Actors:
    """Declare the actors on ``broker`` and the queues this process may send to or consume."""
    run = dramatiq.Actor(
        run_task, broker=broker, actor_name=_RUN_ACTOR, queue_name="io", priority=0,
        options={"max_retries": 3, "min_backoff": 1000, "max_backoff": 30000, "time_limit": time_limit_ms},
    )
    for queue_name in queues:
        broker.declare_queue(queue_name)
    webhook = dramatiq.Actor(
        deliver_webhook, broker=broker, actor_name=_WEBHOOK_ACTOR, queue_name="webhooks", priority=10,
        options={"max_retries": webhook_retries, "min_backoff": 1000, "max_backoff": 300000,
                 "time_limit": 60000},
    )
    return Actors(broker, run, webhook)
