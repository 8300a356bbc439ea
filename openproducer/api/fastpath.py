"""A direct ASGI answer for the hottest requests: the polls, ``GET <prefix>{task_id}``.

Clients poll every few seconds, many at once; this path answers a poll before FastAPI's own
layers, routing and dependency machinery run (several times cheaper per request). Each path
prefix has a poll function that calls the same services as the documented route; anything
unusual -- an auth error, an unknown task, a database that is down, any exception -- falls
through to that route, which renders it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["PollFastPath", "PollFunction"]

# (scope, Authorization header or None, task id) -> (HTTP status, encoded JSON body).
# Raising anything means "let the documented route answer".
PollFunction = Callable[[Scope, str | None, str], tuple[int, bytes]]

_JSON = (b"content-type", b"application/json")


class PollFastPath:
    """``polls`` maps a path prefix (``/api/v1/producer/task/``) to its poll function. ``inline``:
    call them on the event loop (SQLite answers in microseconds) rather than in a thread."""

    def __init__(self, app: ASGIApp, polls: Mapping[str, PollFunction], inline: bool) -> None:
        self.app = app
        self.polls = tuple(polls.items())
        self.inline = inline

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path = scope["path"]
            for prefix, poll in self.polls:
                if path.startswith(prefix):
                    task_id = path[len(prefix):]
                    if task_id and "/" not in task_id and await self._answer(poll, scope, task_id, send):
                        return
                    break
        await self.app(scope, receive, send)

    async def _answer(self, poll: PollFunction, scope: Scope, task_id: str, send: Send) -> bool:
        authorization = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
                break
        try:
            if self.inline:
                status, body = poll(scope, authorization, task_id)
            else:
                status, body = await run_in_threadpool(poll, scope, authorization, task_id)
        except Exception:  # the documented route answers (and renders the error) instead
            return False
        await send({
            "type": "http.response.start",
            "status": status,
            "headers": [_JSON, (b"content-length", str(len(body)).encode())],
        })
        await send({"type": "http.response.body", "body": body})
        return True
