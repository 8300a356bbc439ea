"""Safe outbound HTTP for user-supplied URLs (uploads, cover images, webhooks).

Rules, each with a user-facing :class:`FetchError` message:

* only ``http``/``https``, no credentials in the URL;
* every address the host resolves to must be public (no private, loopback,
  link-local incl. 169.254.169.254, multicast, reserved, unspecified, CGNAT
  100.64/10, IPv6 ULA/link-local, or IPv4-mapped/NAT64/6to4 forms of those)
  unless ``allow_private``;
* the connection goes to the address that was checked (see :func:`_pinned_request`);
* redirects are followed by hand, at most :data:`MAX_REDIRECTS`, each hop checked again;
* the body is capped (declared Content-Length first, then the bytes actually read);
* one wall-clock deadline covers the whole exchange, redirects included.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

import httpx

__all__ = [
    "MAX_REDIRECTS",
    "FetchError",
    "FetchedFile",
    "address_problem",
    "check_url_allowed",
    "fetch_url",
    "post_bytes",
]

MAX_REDIRECTS = 5
USER_AGENT = "OpenProducer/0.1"
# Certificate verification for https; tests swap in a context that trusts their own CA.
TLS_VERIFY: ssl.SSLContext | bool = True

_REDIRECTS = {301, 302, 303, 307, 308}
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream", "application/x-download"}
_ACCEPTED = {
    "audio": ("audio/", {"application/ogg", "application/mp4", "video/mp4", "video/webm", "video/ogg",
                         "video/quicktime", "video/x-matroska"}),
    "image": ("image/", set()),
}  # fmt: skip

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """A URL could not be fetched; ``message`` names the rule and is safe to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FetchedFile:
    data: bytes
    content_type: str  # media type without parameters, lower case; "" when absent
    final_url: str  # after redirects


def _size(n: int) -> str:
    mb = 1024 * 1024
    return f"{n // mb} MB" if n % mb == 0 else f"{n} bytes"


def address_problem(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be contacted (a short phrase), or None when it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return address_problem(ip.ipv4_mapped)
        if any(ip in net for net in _NAT64):
            return address_problem(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None and address_problem(ip.sixtofour):
            return "private"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "shared (CGNAT)"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private or not ip.is_global:
        return "private"
    return None


def _resolve(host: str, port: int) -> list[str]:
    """All addresses of ``host`` (tests replace this to simulate DNS)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _parse(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError("not a valid URL") from exc
    if parsed.scheme not in ("http", "https"):
        raise FetchError("only http and https URLs are allowed")
    if not parsed.raw_host:
        raise FetchError("the URL has no host")
    if parsed.userinfo:
        raise FetchError("URLs with user names or passwords are not allowed")
    return parsed


def _checked_ips(url: httpx.URL, allow_private: bool) -> list[str]:
    """Resolve once and return the addresses to try, in resolver order, refusing non-public ones."""
    host = url.raw_host.decode("ascii")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        candidates = _resolve(host, port)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise FetchError("the host name could not be resolved") from exc
    addresses: list[IPAddress] = []
    for text in candidates:
        try:
            ip = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError as exc:
            raise FetchError("the host name could not be resolved") from exc
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise FetchError("the host name could not be resolved")
    if not allow_private:
        for ip in addresses:  # every answer must be public: an attacker may not pick which one we use
            problem = address_problem(ip)
            if problem:
                raise FetchError(f"host resolves to a private address ({problem})")
    return [str(ip) for ip in addresses]


def check_url_allowed(url: str, allow_private: bool = False) -> None:
    """Raise :class:`FetchError` unless ``url`` is http(s) and its host resolves to allowed addresses."""
    _checked_ips(_parse(url), allow_private)


class _Deadline:
    """One wall-clock deadline for a whole exchange.

    httpx timeouts bound each read, not the total, so a server dribbling a byte
    a second would never time out. A timer shuts down the sockets at the
    deadline, which wakes any blocked read at once; sockets are learnt from
    httpcore's documented ``trace`` extension as connections open.
    """

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.end = time.monotonic() + timeout_s
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(max(timeout_s, 0.0), self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0 or self.expired:
            raise self.error()
        return left

    def error(self) -> FetchError:
        return FetchError(f"the server did not finish within {self.timeout_s:g} s")

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._sockets.append(sock)
            if not self.expired:
                return
        self._shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            self._shutdown(sock)

    @staticmethod
    def _shutdown(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _client(deadline: _Deadline) -> httpx.Client:
    # trust_env=False: a proxy from the environment would make the pinning moot.
    # No keep-alive: a pooled TLS connection must never serve another host name.
    return httpx.Client(
        timeout=httpx.Timeout(deadline.remaining()),
        follow_redirects=False,
        trust_env=False,
        verify=TLS_VERIFY,
        limits=httpx.Limits(max_keepalive_connections=0),
    )


def _pinned_request(
    client: httpx.Client,
    method: str,
    url: httpx.URL,
    ip: str,
    deadline: _Deadline,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
) -> httpx.Request:
    """A request that connects to the already-checked ``ip`` but still speaks to ``url``'s host.

    The URL's host is replaced by the address, the ``Host`` header keeps the
    original name, and for https the ``sni_hostname`` request extension makes
    httpcore send that name as SNI and verify the certificate against it. So
    no second DNS lookup happens between the check and the connect (a DNS
    answer that changes in between cannot point us at a private address), and
    TLS still authenticates the real host.
    """
    host = url.raw_host.decode("ascii")
    extensions: dict[str, Any] = {"trace": deadline.trace}
    if url.scheme == "https":
        extensions["sni_hostname"] = host
    merged = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **(headers or {})}
    merged["Host"] = url.netloc.decode("ascii")
    return client.build_request(
        method, url.copy_with(host=ip, fragment=None), headers=merged, content=content, extensions=extensions
    )


def _send_pinned(
    client: httpx.Client,
    method: str,
    url: httpx.URL,
    ips: list[str],
    deadline: _Deadline,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
) -> httpx.Response:
    """Send to the first address that accepts the connection (a host may publish an
    IPv6 address this machine cannot reach), as ``socket.create_connection`` would."""
    failure: httpx.ConnectError | None = None
    for ip in ips:
        request = _pinned_request(client, method, url, ip, deadline, headers=headers, content=content)
        try:
            return client.send(request, stream=True)
        except httpx.ConnectError as exc:
            failure = exc
            deadline.remaining()
    assert failure is not None  # ips is never empty
    raise failure


def _content_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _check_type(ctype: str, accept: str | None) -> None:
    if accept is None or ctype in _GENERIC_TYPES:
        return
    prefix, extra = _ACCEPTED[accept]
    if not (ctype.startswith(prefix) or ctype in extra):
        raise FetchError(f"the URL returned {ctype}, not {'an image' if accept == 'image' else accept}")


def _read_capped(response: httpx.Response, max_bytes: int, deadline: _Deadline) -> bytes:
    declared = response.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > max_bytes:
        raise FetchError(f"the file is larger than {_size(max_bytes)}")
    buf = bytearray()
    for chunk in response.iter_bytes():
        buf += chunk
        if len(buf) > max_bytes:
            raise FetchError(f"the file is larger than {_size(max_bytes)}")
        deadline.remaining()
    if deadline.expired:  # a shut-down socket can look like a normal end of a close-delimited body
        raise deadline.error()
    return bytes(buf)


def _translate(exc: httpx.HTTPError, deadline: _Deadline) -> FetchError:
    if deadline.expired or isinstance(exc, httpx.TimeoutException) or time.monotonic() >= deadline.end:
        return deadline.error()
    text = str(exc)
    if isinstance(exc, httpx.ConnectError):
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
            return FetchError("the host's TLS certificate is not valid")
        return FetchError("could not connect to the host")
    return FetchError("the download failed (the connection broke off)")


def fetch_url(
    url: str,
    *,
    max_bytes: int,
    timeout_s: float,
    allow_private: bool = False,
    accept: Literal["audio", "image"] | None = None,
    field: str | None = None,
) -> FetchedFile:
    """GET a user-supplied URL under the module's rules (see the module docstring).

    ``accept`` refuses a response whose Content-Type is clearly something else
    (an HTML page, JSON); generic types such as application/octet-stream pass,
    so callers must still sniff the content. ``field`` prefixes messages
    ("audio_url: ..."); leave it None when the caller adds its own prefix.
    """
    try:
        return _fetch(url, max_bytes, timeout_s, allow_private, accept)
    except FetchError as exc:
        if field:
            raise FetchError(f"{field}: {exc.message}") from exc
        raise


def _fetch(
    url: str, max_bytes: int, timeout_s: float, allow_private: bool, accept: Literal["audio", "image"] | None
) -> FetchedFile:
    current = _parse(url)
    with _Deadline(timeout_s) as deadline:
        for _ in range(MAX_REDIRECTS + 1):
            ips = _checked_ips(current, allow_private)
            try:
                with _client(deadline) as client:
                    response = _send_pinned(client, "GET", current, ips, deadline)
                    try:
                        location = response.headers.get("location")
                        if response.status_code in _REDIRECTS and location:
                            current = _parse(str(current.join(location)))
                            continue
                        if response.status_code >= 300:
                            raise FetchError(f"the server answered HTTP {response.status_code}")
                        ctype = _content_type(response)
                        _check_type(ctype, accept)
                        data = _read_capped(response, max_bytes, deadline)
                        return FetchedFile(data=data, content_type=ctype, final_url=str(current))
                    finally:
                        response.close()
            except httpx.HTTPError as exc:
                raise _translate(exc, deadline) from exc
    raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")


def post_bytes(
    url: str,
    body: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    timeout_s: float,
    allow_private: bool = False,
) -> int:
    """POST ``body`` once to a checked, pinned address (for webhooks) and return the status code.

    Redirects are not followed (a 3xx is returned as is); at most 64 KB of the
    answer is read. Raises :class:`FetchError` when the URL is refused or the
    exchange fails or runs past ``timeout_s``.
    """
    current = _parse(url)
    with _Deadline(timeout_s) as deadline:
        ips = _checked_ips(current, allow_private)
        try:
            with _client(deadline) as client:
                response = _send_pinned(client, "POST", current, ips, deadline, headers=headers, content=body)
                try:
                    received = 0
                    for chunk in response.iter_raw():
                        received += len(chunk)
                        if received > 65536:
                            break
                        deadline.remaining()
                    return response.status_code
                finally:
                    response.close()
        except httpx.HTTPError as exc:
            raise _translate(exc, deadline) from exc
