"""Webhooks: when a task ends, POST its poll body, signed, retried with backoff by the queue.

Delivery runs as its own queued job, so a slow receiver never holds a render worker.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid

import httpx
from sqlalchemy.orm import Session

from openproducer.core.services import Services
from openproducer.families import family_of
from openproducer.families.base import with_origin
from openproducer.media import fetch
from openproducer.store.clock import utcnow
from openproducer.store.tables import Task, WebhookDelivery
from openproducer.store.tasks import SUCCESS

__all__ = ["WebhookFailed", "deliver", "record_delivery", "sign"]

log = logging.getLogger(__name__)


class WebhookFailed(Exception):
    """The receiver did not take the event; raising makes the queue retry with backoff."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def record_delivery(session: Session, task: Task) -> str | None:
    """Write the delivery row in the transaction that ends the task; None if no webhook."""
    if not task.webhook_url:
        return None
    event = "song.completed" if task.status == SUCCESS else "song.failed"
    delivery = WebhookDelivery(
        id=str(uuid.uuid4()), task_id=task.id, url=task.webhook_url, event=event, created_at=utcnow()
    )
    session.add(delivery)
    return delivery.id


def deliver(services: Services, delivery_id: str) -> None:
    settings = services.settings
    with services.db.session() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.status != "pending":
            return
        task = session.get(Task, delivery.task_id)
        if task is None:
            return
        delivery.attempts += 1
        payload = with_origin(family_of(task.family).webhook_body(task), settings.default_origin())
        body = json.dumps(payload, separators=(",", ":")).encode()
        secret, url, event = task.webhook_secret or "", delivery.url, delivery.event
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "X-Webhook-Id": delivery_id,
        "Idempotency-Key": delivery_id,
        "X-Webhook-Event": event,
        "X-Webhook-Timestamp": str(timestamp),
        "X-Webhook-Signature": sign(secret, timestamp, body),
        "User-Agent": "OpenProducer-Webhook/1",
    }
    error: str | None = None
    try:
        # The checked, pinned path: the address that passed the check is the one connected to
        # (no second DNS answer), and a redirect is never followed (a 3xx counts as a failure).
        status = fetch.post_bytes(
            url, body, headers=headers, timeout_s=settings.webhook_timeout_s, allow_private=settings.allow_private_urls
        )
        if status >= 300:
            error = f"receiver answered HTTP {status}"
    except (httpx.HTTPError, fetch.FetchError) as exc:
        error = str(exc) or type(exc).__name__
    with services.db.session() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            return
        if error is None:
            delivery.status, delivery.delivered_at, delivery.last_error = "delivered", utcnow(), None
        else:
            delivery.last_error = error
            if delivery.attempts > settings.webhook_max_retries:
                delivery.status = "gave_up"
    if error is not None:
        log.warning("webhook %s for task %s failed: %s", delivery_id, delivery.task_id, error)
        if delivery.status == "pending":
            raise WebhookFailed(error)
