"""What a process needs to serve requests or run tasks, built once at start-up and passed on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from openproducer.core.config import Settings
from openproducer.media.base import BlobStore
from openproducer.store.db import Database

__all__ = ["Enqueue", "Services"]

# enqueue(task_id, queue_name): hand a task to the broker (the message carries only the id).
Enqueue = Callable[[str, str], None]


@dataclass
class Services:
    settings: Settings
    db: Database
    blobs: BlobStore
    enqueue: Enqueue
