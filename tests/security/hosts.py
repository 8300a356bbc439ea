"""Loopback web hosts that misbehave on purpose: redirect loops, dribbling bodies, lying headers.

A :class:`LoopbackHost` serves a table of :class:`Route` objects and records every request it
receives, so a test can also prove that a host was *never* contacted.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/octet-stream"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    declared_length: int | None = None  # a Content-Length that differs from the body (a lie)
    dribble_s: float = 0.0  # > 0: send the body one byte at a time, this long apart


@dataclass
class Hit:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class LoopbackHost:
    """A threaded HTTP server on ``address`` (any 127.x.y.z works on Linux) serving ``routes``."""

    def __init__(self, address: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                host.hits.append(Hit(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                route = host.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    route = Route(b"not here", "text/plain", 404)
                try:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    declared = route.declared_length if route.declared_length is not None else len(route.body)
                    self.send_header("Content-Length", str(declared))
                    self.send_header("Connection", "close")
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if route.dribble_s > 0:
                        for i in range(len(route.body)):
                            self.wfile.write(route.body[i:i + 1])
                            self.wfile.flush()
                            time.sleep(route.dribble_s)
                    else:
                        self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

            do_GET = do_POST = do_PUT = _serve  # noqa: N815 - http.server's naming

        self.server = ThreadingHTTPServer((address, port), Handler)
        self.server.daemon_threads = True
        self.address = address
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.address}:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
