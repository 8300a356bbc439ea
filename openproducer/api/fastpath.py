"""A direct ASGI answer for the hottest requests, the polls (``GET /api/v1/<family>/task/{id}``).

Clients poll every few seconds, many at once; this path answers a poll without FastAPI's
routing and dependency machinery (several times cheaper per request). It calls the same
services as the documented route (``routes/producer.py``); anything unusual -- an auth error,
an unknown task, a database that is down -- falls through to that route, which renders it.
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from openproducer.api.origin import request_origin
from openproducer.core.accounts import KeyResolver
from openproducer.core.errors import ProducerError
from openproducer.core.queries import TaskPolls

__all__ = ["PollFastPath"]

# Poll path prefix -> the family whose tasks it answers.
POLL_PREFIXES = {
    "/api/v1/producer/task/": "producer",
    "/api/v1/sonic/task/": "sonic",
    "/api/v1/suno/clip/": "sonic",
    "/api/v1/suno/task/": "sonic",
    "/api/v1/riffusion/task/": "riffusion",
    "/api/v1/nuro/task/": "nuro",
    "/api/v1/studio/task/": "studio",
}


class PollFastPath:
    def __init__(self, app: ASGIApp, keys: KeyResolver, polls: TaskPolls, inline: bool) -> None:
        self.app = app
        self.keys = keys
        self.polls = polls
        self.inline = inline  # SQLite answers in microseconds: no thread hop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        family = None
        if scope["type"] == "http" and scope["method"] == "GET":
            for prefix, name in POLL_PREFIXES.items():
                if path.startswith(prefix):
                    family, task_id = name, path[len(prefix):]
                    break
        if family is None or "/" in task_id:
            await self.app(scope, receive, send)
            return
        origin = request_origin(scope, self.polls.services.settings)
        authorization = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
                break
        try:
            if self.inline:
                status, body = self._answer(authorization, task_id, family, origin)
            else:
                status, body = await run_in_threadpool(self._answer, authorization, task_id, family, origin)
        except (ProducerError, OperationalError):  # the documented route renders these
            await self.app(scope, receive, send)
            return
        await send({
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        })
        await send({"type": "http.response.body", "body": body})

    def _answer(self, authorization: str | None, task_id: str, family: str, origin: str) -> tuple[int, bytes]:
        return self.polls.poll(self.keys.resolve(authorization), task_id, family, origin)
