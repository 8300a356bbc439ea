"""Read-side services behind the GET routes: polls, balances, media lookups, model listing."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import select

from openproducer.core import credits
from openproducer.core.clips import MEDIA_FILES
from openproducer.core.errors import NotFound, TaskNotFound
from openproducer.core.services import Services
from openproducer.engines.registry import engine_status
from openproducer.families import family_of
from openproducer.families.base import with_origin
from openproducer.media.base import BlobNotFound
from openproducer.store import tasks
from openproducer.store.tables import Clip

__all__ = ["TaskPolls", "balance", "media_file", "models"]


class TaskPolls:
    """Answers polls from a bounded in-process cache where it can.

    A finished task never changes again, so its encoded answer is kept (per origin): repeated polls
    of done tasks cost no database work at all. With ``live`` (this process is the only writer of
    tasks: embedded mode, its worker threads in the same process) a queued or running task's answer
    is kept too, until this process commits any write (``Database.commits``): a client polling every
    few milliseconds while its song renders then costs the render almost nothing, and never sees an
    answer older than the last change.
    """

    def __init__(self, services: Services, max_entries: int = 20_000, live: bool = False) -> None:
        self.services = services
        self.max_entries = max_entries
        self.live = live
        self._done: OrderedDict[tuple[str, str], tuple[int, str, int, bytes]] = OrderedDict()
        self._running: dict[tuple[str, str], tuple[int, tuple[int, str, int, bytes]]] = {}
        self._lock = threading.Lock()

    def poll(self, api_key_id: int, task_id: str, family: str, origin: str) -> tuple[int, bytes]:
        """(HTTP status, JSON body) of a task of ``family`` as its family answers a poll, with media
        URLs on ``origin``. Another key's task, or another family's, is reported like a missing one."""
        key = (task_id, origin)
        cached = self._done.get(key)
        if cached is None:
            cached = self._read(key) if len(task_id) <= 64 else None
        owner, task_family, status, encoded = cached or (None, None, 0, b"")
        if owner != api_key_id or task_family != family:
            raise TaskNotFound(task_id[:64])
        return status, encoded

    def _read(self, key: tuple[str, str]) -> tuple[int, str, int, bytes] | None:
        db = self.services.db
        commits = db.commits  # read before the row: a write committed after this moves the count
        if self.live:
            running = self._running.get(key)
            if running is not None and running[0] == commits:
                return running[1]
        task_id, origin = key
        row = tasks.poll_row(db, task_id)
        if row is None:
            return None
        status, body = family_of(row.family).poll(row)
        encoded = json.dumps(with_origin(body, origin), separators=(",", ":")).encode()
        cached = (row.api_key_id, row.family, status, encoded)
        with self._lock:
            if tasks.is_final(row.status):
                self._running.pop(key, None)
                self._done[key] = cached
                if len(self._done) > self.max_entries:
                    self._done.popitem(last=False)
            elif self.live:
                if len(self._running) >= self.max_entries:
                    self._running.clear()
                self._running[key] = (commits, cached)
        return cached


def balance(services: Services, api_key_id: int) -> dict[str, int]:
    with services.db.session(write=False) as session:
        found = credits.get_balance(session, api_key_id)
    return {"credits": found.credits, "extra_credits": found.extra_credits}


def media_file(services: Services, token: str, name: str) -> tuple[str, str | None]:
    """(blob key, local path or None) of a clip's public file, by its unguessable token."""
    role = MEDIA_FILES.get(name)
    if role is None or len(token) > 64:
        raise NotFound("No such file.")
    with services.db.session(write=False) as session:
        files = session.scalar(select(Clip.files).where(Clip.media_token == token))
    if not files or role not in files:
        raise NotFound("No such file.")
    key = files[role]
    try:
        local = services.blobs.local_path(key)
    except BlobNotFound:
        raise NotFound("No such file.") from None
    return key, str(local) if local is not None else None


def models(services: Services) -> list[dict[str, Any]]:
    """Each mv with its engine, and whether that engine is configured and can be served here
    (weights folder complete, gpu extra installed; checked on disk, nothing is loaded)."""
    settings = services.settings
    status = {name: engine_status(settings, name) for name in {route.engine for route in settings.models.values()}}
    return [
        {"mv": name, "engine": route.engine, "profile": route.profile, "mastered": route.mastered,
         "default": name == settings.default_mv, "engine_configured": status[route.engine].configured,
         "available": status[route.engine].available, "unavailable_reason": status[route.engine].reason,
         "fallback": status[route.engine].fallback}
        for name, route in settings.models.items()
    ]
