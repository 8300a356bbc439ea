"""Read-side services behind the GET routes: polls, balances, media lookups, model listing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from openproducer.core import credits
from openproducer.core.clips import MEDIA_FILES
from openproducer.core.errors import NotFound, TaskNotFound
from openproducer.core.services import Services
from openproducer.core.tasks import poll_body
from openproducer.store.tables import Clip, Task

__all__ = ["balance", "media_file", "models", "task_poll"]


def task_poll(services: Services, api_key_id: int, task_id: str) -> tuple[int, dict[str, Any]]:
    """A task of another key is reported exactly like a task that does not exist."""
    if len(task_id) > 64:
        raise TaskNotFound(task_id[:64])
    with services.db.session(write=False) as session:
        task = session.get(Task, task_id)
        if task is None or task.api_key_id != api_key_id:
            raise TaskNotFound(task_id)
        return poll_body(task)


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
    local = services.blobs.local_path(key)
    return key, str(local) if local is not None else None


def models(services: Services) -> list[dict[str, Any]]:
    settings = services.settings
    return [
        {"mv": name, "engine": route.engine, "profile": route.profile, "mastered": route.mastered,
         "default": name == settings.default_mv}
        for name, route in settings.models.items()
    ]
