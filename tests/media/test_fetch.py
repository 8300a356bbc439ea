"""Safe fetching: address rules, pinning, redirects, size caps and the wall deadline, on loopback servers."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from openproducer.media import fetch
from openproducer.media.fetch import FetchError, check_url_allowed, fetch_url, post_bytes

AUDIO = b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 8


class _Handler(BaseHTTPRequestHandler):
    seen_hosts: list[str] = []
    posted: list[bytes] = []

    def log_message(self, format: str, *args: object) -> None:  # silence the test output
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "audio/mpeg", length: bool = True,
              extra: dict[str, str] | None = None) -> None:  # fmt: skip
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        type(self).seen_hosts.append(self.headers.get("Host", ""))
        path = self.path
        try:
            if path == "/audio.mp3":
                self._send(200, AUDIO)
            elif path.startswith("/redirect/"):
                n = int(path.rsplit("/", 1)[1])
                self._send(302, extra={"Location": f"/redirect/{n - 1}" if n > 1 else "/audio.mp3"})
            elif path == "/loop":
                self._send(302, extra={"Location": "/loop"})
            elif path.startswith("/to/"):
                self._send(302, extra={"Location": "http://" + path[len("/to/") :]})
            elif path == "/big":
                self._send(200, b"x" * 5000)
            elif path == "/huge":
                self._send(200, length=False, extra={"Content-Length": str(3 * 1024 * 1024)})
            elif path == "/big-unsized":
                self._send(200, length=False)
                for _ in range(50):
                    self.wfile.write(b"y" * 1000)
            elif path == "/dribble":
                self._send(200, length=False)
                for _ in range(100):
                    self.wfile.write(b"z")
                    self.wfile.flush()
                    time.sleep(0.05)
            elif path == "/dribble-then-stall":
                self._send(200, length=False)
                for _ in range(18):
                    self.wfile.write(b"z")
                    self.wfile.flush()
                    time.sleep(0.05)
                time.sleep(3)
            elif path == "/stall":
                self._send(200, b"", extra={"X-Pad": "1"}, length=False)
                self.wfile.write(b"first bytes")
                self.wfile.flush()
                time.sleep(3)
            elif path == "/page":
                self._send(200, b"<html></html>", ctype="text/html; charset=utf-8")
            else:
                self._send(404, b"missing", ctype="text/plain")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        type(self).seen_hosts.append(self.headers.get("Host", ""))
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).posted.append(body)
        self._send(204 if self.path == "/hook" else 404, b"", ctype="text/plain")


def _serve(tls: ssl.SSLContext | None = None) -> tuple[ThreadingHTTPServer, int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    server, bound = _serve()
    yield bound
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[list[str]]]:
    """Names ending in .test resolve through this table (successive lookups take successive
    answers, the last one repeating); 127.0.0.1 counts as public here."""
    table: dict[str, list[list[str]]] = {}
    real_resolve, real_problem = fetch._resolve, fetch.address_problem

    def resolve(host: str, port: int) -> list[str]:
        if host.endswith(".test"):
            answers = table[host]
            return list(answers.pop(0) if len(answers) > 1 else answers[0])
        return real_resolve(host, port)

    def problem(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        return None if str(ip) == "127.0.0.1" else real_problem(ip)

    monkeypatch.setattr(fetch, "_resolve", resolve)
    monkeypatch.setattr(fetch, "address_problem", problem)
    return table


def _get(url: str, **kw: object) -> fetch.FetchedFile:
    args: dict[str, object] = {"max_bytes": 1024 * 1024, "timeout_s": 5.0, "allow_private": True}
    args.update(kw)
    return fetch_url(url, **args)  # type: ignore[arg-type]


def test_fetches_a_file(port: int) -> None:
    got = _get(f"http://127.0.0.1:{port}/audio.mp3", accept="audio")
    assert got.data == AUDIO
    assert got.content_type == "audio/mpeg"
    assert got.final_url == f"http://127.0.0.1:{port}/audio.mp3"


def test_follows_five_redirects_but_not_six(port: int) -> None:
    got = _get(f"http://127.0.0.1:{port}/redirect/5")
    assert got.data == AUDIO and got.final_url.endswith("/audio.mp3")
    with pytest.raises(FetchError, match="too many redirects"):
        _get(f"http://127.0.0.1:{port}/redirect/6")


def test_redirect_loop(port: int) -> None:
    with pytest.raises(FetchError, match="too many redirects"):
        _get(f"http://127.0.0.1:{port}/loop")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/audio.mp3",
        "http://localhost:{port}/audio.mp3",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://2130706433/",
    ],
)
def test_private_addresses_refused(port: int, url: str) -> None:
    with pytest.raises(FetchError, match="private address"):
        _get(url.format(port=port), allow_private=False)
    with pytest.raises(FetchError, match="private address"):
        check_url_allowed(url.format(port=port), allow_private=False)


def test_public_literal_passes_the_check() -> None:
    check_url_allowed("https://93.184.216.34/x.mp3", allow_private=False)
    check_url_allowed("http://[2606:2800:220:1:248:1893:25c8:1946]/", allow_private=False)


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("ftp://example.com/a.mp3", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("http://user:secret@example.com/a.mp3", "user names or passwords"),
        ("not a url", "only http and https"),
    ],
)
def test_bad_urls(url: str, rule: str) -> None:
    with pytest.raises(FetchError, match=rule):
        _get(url)


def test_redirect_to_a_private_host_is_refused(port: int, fake_dns: dict[str, list[list[str]]]) -> None:
    fake_dns["public.test"] = [["127.0.0.1"]]
    fake_dns["internal.test"] = [["10.0.0.5"]]
    assert _get(f"http://public.test:{port}/audio.mp3", allow_private=False).data == AUDIO
    with pytest.raises(FetchError, match="private address"):
        _get(f"http://public.test:{port}/to/internal.test:{port}/audio.mp3", allow_private=False)


def test_connects_to_the_checked_address(port: int, fake_dns: dict[str, list[list[str]]]) -> None:
    # A rebinding resolver: first answer public, any later answer private. One lookup per hop is pinned.
    fake_dns["rebind.test"] = [["127.0.0.1"], ["10.0.0.5"]]
    _Handler.seen_hosts.clear()
    got = _get(f"http://rebind.test:{port}/audio.mp3", allow_private=False)
    assert got.data == AUDIO
    assert _Handler.seen_hosts == [f"rebind.test:{port}"]  # the Host header keeps the name
    assert fake_dns["rebind.test"] == [["10.0.0.5"]]  # resolved exactly once


def test_every_answer_must_be_public_and_unreachable_ones_are_skipped(
    port: int, fake_dns: dict[str, list[list[str]]]
) -> None:
    fake_dns["mixed.test"] = [["127.0.0.1", "10.0.0.5"]]
    with pytest.raises(FetchError, match="private address"):
        _get(f"http://mixed.test:{port}/audio.mp3", allow_private=False)
    # The server listens on IPv4 only: the IPv6 answer is refused, the next one is used.
    fake_dns["dual.test"] = [["::1", "127.0.0.1"]]
    assert _get(f"http://dual.test:{port}/audio.mp3").data == AUDIO


def test_declared_length_over_the_cap(port: int) -> None:
    with pytest.raises(FetchError, match="larger than 4000 bytes"):
        _get(f"http://127.0.0.1:{port}/big", max_bytes=4000)
    # Refused from the header alone: /huge declares 3 MB and sends none of it.
    start = time.monotonic()
    with pytest.raises(FetchError, match="^audio_url: the file is larger than 1 MB$"):
        _get(f"http://127.0.0.1:{port}/huge", max_bytes=1024 * 1024, field="audio_url")
    assert time.monotonic() - start < 1.0


def test_actual_bytes_over_the_cap(port: int) -> None:
    with pytest.raises(FetchError, match="larger than 20000 bytes"):
        _get(f"http://127.0.0.1:{port}/big-unsized", max_bytes=20000)


def test_slow_dribbling_server_is_cut_off(port: int) -> None:
    start = time.monotonic()
    with pytest.raises(FetchError, match="did not finish within 0.6 s"):
        _get(f"http://127.0.0.1:{port}/dribble", timeout_s=0.6)
    assert time.monotonic() - start < 1.0


def test_stalled_server_is_cut_off_at_the_deadline(port: int) -> None:
    start = time.monotonic()
    with pytest.raises(FetchError, match="did not finish"):
        _get(f"http://127.0.0.1:{port}/stall", timeout_s=0.5)
    assert time.monotonic() - start < 0.9


def test_deadline_holds_when_a_read_blocks_past_it(port: int) -> None:
    # Each read may wait the whole timeout; the watchdog shuts the socket at the deadline instead.
    # Bytes arrive until ~0.9 s, then nothing: a per-read timeout alone would end near 1.9 s.
    start = time.monotonic()
    with pytest.raises(FetchError, match="did not finish within 1 s"):
        _get(f"http://127.0.0.1:{port}/dribble-then-stall", timeout_s=1.0)
    assert time.monotonic() - start < 1.5


def test_wrong_content_type_and_http_errors(port: int) -> None:
    with pytest.raises(FetchError, match="text/html, not audio"):
        _get(f"http://127.0.0.1:{port}/page", accept="audio")
    with pytest.raises(FetchError, match="text/html, not an image"):
        _get(f"http://127.0.0.1:{port}/page", accept="image")
    with pytest.raises(FetchError, match="^audio_url: the server answered HTTP 404$"):
        _get(f"http://127.0.0.1:{port}/nothing", field="audio_url")


def test_post_bytes(port: int, fake_dns: dict[str, list[list[str]]]) -> None:
    fake_dns["hooks.test"] = [["127.0.0.1"]]
    _Handler.posted.clear()
    status = post_bytes(f"http://hooks.test:{port}/hook", b'{"a":1}', headers={"X-Test": "1"}, timeout_s=5)
    assert status == 204 and _Handler.posted == [b'{"a":1}']
    assert post_bytes(f"http://hooks.test:{port}/elsewhere", b"", timeout_s=5) == 404
    with pytest.raises(FetchError, match="private address"):
        post_bytes(f"http://127.0.0.2:{port}/hook", b"", timeout_s=5)


def _self_signed(tmp: Path, name: str) -> tuple[Path, Path]:
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def test_https_is_pinned_and_verified_against_the_host_name(
    tmp_path: Path, fake_dns: dict[str, list[list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = _self_signed(tmp_path, "media.test")
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    server, tls_port = _serve(server_ctx)
    try:
        client_ctx = ssl.create_default_context(cafile=str(cert))
        monkeypatch.setattr(fetch, "TLS_VERIFY", client_ctx)
        fake_dns["media.test"] = [["127.0.0.1"]]
        fake_dns["other.test"] = [["127.0.0.1"]]
        assert _get(f"https://media.test:{tls_port}/audio.mp3", allow_private=False).data == AUDIO
        # Same address, another name: the certificate does not match, so the fetch fails.
        with pytest.raises(FetchError, match="TLS certificate"):
            _get(f"https://other.test:{tls_port}/audio.mp3", allow_private=False)
    finally:
        server.shutdown()
        server.server_close()
