"""How uvicorn runs the app: the HTTP protocol with limits on request heads, shared by ``serve`` and tests.

uvicorn's fast parser (httptools) puts no bound on the size of a request's headers and no time
limit on receiving them: one client could send an endless header (memory) or a byte every few
seconds (a slowloris, holding a connection for ever; uvicorn's keep-alive timer only runs
between requests). :func:`guarded_http_protocol` closes both:

* more than ``max_header_bytes`` of request line and headers → ``431`` and the connection closes;
* headers not complete ``header_timeout_s`` after the connection opened or the request's first
  byte arrived → ``408`` and the connection closes (silently when nothing arrived at all).

The body has its own size and time limits in :mod:`openproducer.api.middleware`.

A connection closed while its client is still sending a request (a refused head, a body too slow
or too large) closes gracefully (:class:`_LingeringClose`): closing a socket with unread input makes
the kernel answer with a reset, which can wipe out the error answer before the client reads it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from openproducer.core.config import Settings

__all__ = ["guarded_http_protocol", "uvicorn_options"]

_REASONS = {408: "Request Timeout", 431: "Request Header Fields Too Large"}


def _raw_error(status: int, type_: str, message: str) -> bytes:
    body = json.dumps({"code": status, "type": type_, "error": message}).encode()
    head = (
        f"HTTP/1.1 {status} {_REASONS[status]}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


_LINGER_S = 1.0  # how long a connection closed mid-request still reads (and drops) its client's input


class _LingeringClose:
    """A transport whose ``close()``, while ``mid_request()`` holds, half-closes instead: the answer is
    flushed and the write side shut (the client reads it, then end of stream), what the client still
    sends is read and dropped, and the socket closes when the client closes its side (asyncio does,
    on end of input) or :data:`_LINGER_S` later. Any other close is immediate. Everything else is
    the wrapped transport's."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop,
                 mid_request: Callable[[], bool]) -> None:
        self._transport = transport
        self._loop = loop
        self._mid_request = mid_request
        self._timer: asyncio.TimerHandle | None = None
        self.lingering = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)

    def is_closing(self) -> bool:
        return self.lingering or self._transport.is_closing()

    def close(self) -> None:
        if self.lingering or self._transport.is_closing():
            return
        if not self._mid_request() or not self._transport.can_write_eof():
            self._transport.close()
            return
        self.lingering = True
        try:
            self._transport.write_eof()
        except (OSError, RuntimeError):
            self.end()
            return
        self._transport.resume_reading()
        self._timer = self._loop.call_later(_LINGER_S, self.end)

    def end(self) -> None:
        """Close now (the linger's end, or the connection is gone)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._transport.close()


def guarded_http_protocol(max_header_bytes: int, header_timeout_s: float) -> type[asyncio.Protocol]:
    """uvicorn's httptools protocol with a size and a time limit on each request's headers."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    too_large = _raw_error(431, "header_too_large", f"headers: must be at most {max_header_bytes} bytes")
    too_slow = _raw_error(408, "request_timeout", f"headers: did not arrive within {header_timeout_s:g} s")

    class GuardedHttpToolsProtocol(HttpToolsProtocol):
        # Two measures of a head: while it streams in, the bytes of every read in which no head
        # ended (so at most one read, 64-256 KB, is held beyond the limit); once parsed, its
        # request line and headers (a head that arrived whole in one read; only counted when
        # that read was large enough to hold too big a head).
        # The timer runs only while a head is incomplete at the end of a read: a head that arrives
        # in one read -- nearly every request -- costs no timer at all.
        _in_head = True  # between a request's first byte (or the connection's start) and its headers' end
        _began = False  # a request's first byte has arrived and its headers have not ended
        _head_bytes = 0
        _read_bytes = 0
        _heads_done = 0
        _refused = False
        _mid_request = False  # a request's first byte has arrived and its last has not
        _head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
            super().connection_made(transport)  # type: ignore[arg-type]
            self.transport = _LingeringClose(self.transport, self.loop,
                                             lambda: self._mid_request or self._refused)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            self.transport.end()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._refused or self.transport.lingering:
                return
            heads_before = self._heads_done
            self._read_bytes = len(data)
            super().data_received(data)
            if self._in_head and not self._refused:
                if self._heads_done == heads_before:
                    self._head_bytes += len(data)
                    if self._head_bytes > max_header_bytes and not self.transport.is_closing():
                        self._refuse(too_large)
                        return
                if self._head_timer is None:
                    self._arm()  # a head still incomplete: from now it has header_timeout_s

        def on_message_begin(self) -> None:
            if self._refused:
                return
            super().on_message_begin()
            self._in_head, self._began, self._head_bytes, self._mid_request = True, True, 0, True
            self._disarm()  # the connection's idle timer; data_received arms one if this head is split

        def on_headers_complete(self) -> None:
            if self._refused:
                return
            self._in_head, self._began = False, False
            self._heads_done += 1
            self._disarm()
            if self._head_bytes + self._read_bytes > max_header_bytes and (
                len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers) > max_header_bytes
            ):
                self._refuse(too_large)
                return
            self._head_bytes = 0
            super().on_headers_complete()

        def on_body(self, body: bytes) -> None:
            if not self._refused:
                super().on_body(body)

        def on_message_complete(self) -> None:
            self._mid_request = False
            if not self._refused:
                super().on_message_complete()

        def _arm(self) -> None:
            self._disarm()
            self._head_timer = self.loop.call_later(header_timeout_s, self._head_timeout)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_timeout(self) -> None:
            self._head_timer = None
            if not self._in_head or self._refused or self.transport.is_closing():
                return
            if self._began:
                self._refuse(too_slow)  # part of a request arrived: say why it was dropped
            else:
                self.transport.close()  # an idle connection that never sent a byte

        def _refuse(self, response: bytes) -> None:
            """Answer with ``response`` and close; the rest of this connection's input is ignored."""
            self._refused = True
            self._disarm()
            self.transport.write(response)
            self.transport.close()

    return GuardedHttpToolsProtocol


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` / ``uvicorn.Config`` (besides the app and logging)."""
    try:
        http: Any = guarded_http_protocol(settings.max_header_bytes, settings.header_timeout_s)
    except ImportError:  # no httptools: h11 bounds the head by size (it has no time limit of its own)
        http = "h11"
    return {
        "host": settings.host,
        "port": settings.port,
        "http": http,
        # Used when uvicorn runs h11 (no httptools installed); the same bound as the guarded protocol.
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "timeout_keep_alive": 5,
        # Forwarded / X-Forwarded-* are read by the app itself, from its trusted proxies only
        # (settings.trusted_proxies); uvicorn's own rewriting of the client address would hide
        # which peer sent them.
        "proxy_headers": False,
    }
