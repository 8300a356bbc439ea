"""Pure ASGI middleware (no per-request task switching): the request edge (request ids, latency)
and the body size and time limits."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import time

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openproducer.api.metrics import HttpLatency
from openproducer.core.logs import REQUEST_ID

__all__ = ["BodyLimitMiddleware", "BodyRejected", "RequestEdge"]

_SAFE_ID = re.compile(r"^[A-Za-z0-9._\-]{1,128}$")


class RequestEdge:
    """The first layer every request meets, kept to one wrapper of ``send``: each response carries
    ``x-request-id`` (the caller's, when it sent a sane one) and, with ``latency``, its time is
    recorded under its route (``poll`` for the fast path's answers).

    Our own ids are a random per-process prefix and a counter: unique, and cheaper than a UUID.
    """

    def __init__(self, app: ASGIApp, latency: HttpLatency | None = None, poll_marker: str = "/task/") -> None:
        self.app = app
        self.latency = latency
        self.poll_marker = poll_marker
        self._prefix = os.urandom(8).hex()
        self._counter = itertools.count(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                if _SAFE_ID.match(incoming):
                    request_id = incoming
                break
        if request_id is None:
            request_id = f"{self._prefix}{next(self._counter):016x}"
        token = REQUEST_ID.set(request_id)
        id_header = (b"x-request-id", request_id.encode())
        status = 500
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
            if self.latency is not None:
                route = getattr(scope.get("route"), "path", None)
                if route is None:
                    route = "poll" if self.poll_marker in scope["path"] else "other"
                self.latency.observe(scope["method"], route, status, time.perf_counter() - start)


class BodyLimitMiddleware:
    """Bodies over ``max_bytes`` get 413, whether announced by Content-Length or streamed; a body
    still incomplete ``timeout_s`` after the request began gets 408, so a client that sends its
    headers and then dribbles the body cannot hold a connection and a request open for ever.

    Errors found while the body streams are raised as ``HTTPException`` from ``receive``: FastAPI
    re-raises those from its body reader (anything else there becomes a generic 400), and the one
    error handler renders them with ``Connection: close``.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float = 30.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._reject(send, self._too_large())
            return
        deadline = asyncio.get_running_loop().time() + self.timeout_s
        received = 0
        body_done = False

        async def guarded_receive() -> Message:
            nonlocal received, body_done
            if body_done:  # later calls wait for the disconnect: no deadline on those
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyRejected(408, f"body: did not arrive within {self.timeout_s:g} s") from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()
                body_done = not message.get("more_body", False)
            else:
                body_done = True
            return message

        try:
            await self.app(scope, guarded_receive, send)
        except BodyRejected as exc:  # only when no handler rendered it (the app did not go through FastAPI)
            await self._reject(send, exc)

    def _too_large(self) -> BodyRejected:
        return BodyRejected(413, f"body: must be at most {self.max_bytes} bytes")

    @staticmethod
    async def _reject(send: Send, exc: BodyRejected) -> None:
        body = json.dumps({"code": exc.status_code, "type": exc.type, "error": exc.detail}).encode()
        await send(
            {"type": "http.response.start", "status": exc.status_code,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                         (b"connection", b"close")]}
        )
        await send({"type": "http.response.body", "body": body})


class BodyRejected(HTTPException):
    """The request body broke the size or time limit (413 or 408); the connection is closed after."""

    TYPES = {408: "request_timeout", 413: "payload_too_large"}

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(status_code, detail, headers={"Connection": "close"})
        self.type = self.TYPES[status_code]
