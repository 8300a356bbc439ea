"""The origin (scheme://host[:port]) a client reached us at, for the URLs in its answers.

``public_base_url`` wins when set. Otherwise the Host header, except that a trusted proxy's
``Forwarded`` (RFC 7239) or ``X-Forwarded-Host`` / ``X-Forwarded-Proto`` name the public side;
without a usable Host, the address the server is bound to.
"""

from __future__ import annotations

import re

from starlette.types import Scope

from openproducer.core.config import Settings

__all__ = ["request_origin"]

_HOST = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-_]+)(:\d{1,5})?$")
_SCHEMES = ("http", "https")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1").strip()
    return None


def _forwarded(scope: Scope) -> tuple[str | None, str | None]:
    """(host, proto) a trusted proxy says the client used; the first (client-most) hop counts."""
    header = _header(scope, b"forwarded")
    if header:
        first = header.split(",")[0]
        pairs = dict(
            (k.strip().lower(), v.strip().strip('"')) for k, _, v in (p.partition("=") for p in first.split(";"))
        )
        return pairs.get("host"), pairs.get("proto")
    host = _header(scope, b"x-forwarded-host")
    proto = _header(scope, b"x-forwarded-proto")
    return (host.split(",")[0].strip() if host else None), (proto.split(",")[0].strip() if proto else None)


def request_origin(scope: Scope, settings: Settings) -> str:
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/")
    scheme = scope.get("scheme", "http")
    host = _header(scope, b"host")
    client = scope.get("client")
    if client and client[0] in settings.trusted_proxies:
        forwarded_host, forwarded_proto = _forwarded(scope)
        host = forwarded_host or host
        if forwarded_proto and forwarded_proto.lower() in _SCHEMES:
            scheme = forwarded_proto.lower()
    if not host or not _HOST.match(host):
        server = scope.get("server")
        if server:
            address, port = server
            host = f"[{address}]" if ":" in address else address
            host = f"{host}:{port}"
        else:
            return settings.default_origin()
    return f"{scheme}://{host}"
