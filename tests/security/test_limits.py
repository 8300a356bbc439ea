"""Limits on what one client can make the server hold: body and header sizes, field lengths,
tasks in flight per key, and time to send a request (slow clients are cut off).

Raw sockets play the misbehaving clients, against the same uvicorn protocol and settings that
``openproducer serve`` uses (``openproducer.api.server.uvicorn_options``).
"""

from __future__ import annotations

import select
import socket
import threading
import time
from typing import Any

import httpx
import pytest
import uvicorn

from openproducer.api.server import uvicorn_options
from openproducer.core.run import fail_task
from tests.security.conftest import MakeServer, balance_total, tasks_of
from tests.security.fuzzing import key_id_of
from tests.support.server import LiveServer, free_port

SOUND = "gentle acoustic guitar ballad with warm strings"
CAP = 3
HEADER_TIMEOUT_S = 1.5
BODY_TIMEOUT_S = 1.0
MAX_HEADER_BYTES = 16 * 1024


@pytest.fixture(scope="module")
def live(make_server: MakeServer) -> LiveServer:
    # No workers: accepted tasks stay PENDING, so the per-key cap can be reached on purpose.
    return make_server(workers=0, max_active_tasks_per_key=CAP, header_timeout_s=HEADER_TIMEOUT_S,
                       body_timeout_s=BODY_TIMEOUT_S, max_header_bytes=MAX_HEADER_BYTES, rate_limit="")


def _port(live: LiveServer) -> int:
    return int(live.base_url.rsplit(":", 1)[1])


def _healthy(live: LiveServer) -> None:
    assert httpx.get(f"{live.base_url}/healthz", timeout=5).status_code == 200


def _slow_client(live: LiveServer, head: bytes, drip: bytes, every_s: float, give_up_s: float) -> tuple[bytes, float]:
    """Send ``head`` at once, then ``drip`` one byte every ``every_s``; return what the server
    answered (read until it closed the connection) and when it closed."""
    start = time.monotonic()
    answer = b""
    with socket.create_connection(("127.0.0.1", _port(live)), timeout=give_up_s) as sock:
        if head:
            sock.sendall(head)
        i = 0
        while time.monotonic() - start < give_up_s:
            ready, _, _ = select.select([sock], [], [], every_s)
            if ready:
                chunk = sock.recv(65536)
                if not chunk:
                    return answer, time.monotonic() - start
                answer += chunk
                continue
            if i < len(drip):
                try:
                    sock.sendall(drip[i:i + 1])
                except OSError:
                    pass
                i += 1
    raise AssertionError(f"the server kept the connection open for {give_up_s} s; it answered {answer!r}")


# Sizes

def test_announced_oversized_body_is_413_and_charges_nothing(live: LiveServer) -> None:
    key = live.new_key(credits=100)
    with live.client(key) as client:
        response = client.post("/producer/create", content=b"{" + b" " * 1_000_001 + b"}",
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 413
        assert response.json() == {"code": 413, "type": "payload_too_large",
                                   "error": "body: must be at most 1000000 bytes"}
        assert client.get("/get-credits").json()["credits"] == 100
    assert tasks_of(live, key_id_of(live, key)) == []


def test_streamed_oversized_body_is_413_too(live: LiveServer) -> None:
    # No Content-Length (chunked): the limit trips while the body streams. FastAPI turns any other
    # exception raised while it reads a body into a 400, so this must stay a 413.
    def chunks() -> Any:
        yield b'{"sound": "'
        for _ in range(120):
            yield b"a" * 10_000
        yield b'"}'

    key = live.new_key(credits=100)
    with live.client(key) as client:
        response = client.post("/producer/create", content=chunks(), headers={"Content-Type": "application/json"})
        assert response.status_code == 413, response.text
        assert response.json()["type"] == "payload_too_large"
        assert client.get("/get-credits").json()["credits"] == 100
    _healthy(live)


@pytest.mark.parametrize("size", [MAX_HEADER_BYTES + 1024, 10 * 1024 * 1024])
def test_oversized_headers_get_431_not_a_hang(live: LiveServer, size: int) -> None:
    start = time.monotonic()
    answer = b""
    with socket.create_connection(("127.0.0.1", _port(live)), timeout=10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ")
        try:
            for offset in range(0, size, 64 * 1024):  # a server that stops reading makes this fail: fine
                sock.sendall(b"a" * min(64 * 1024, size - offset))
            sock.sendall(b"\r\n\r\n")
        except OSError:
            pass
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError:
            pass
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert b'"type": "header_too_large"' in answer
    assert time.monotonic() - start < 5
    _healthy(live)


def test_h11_fallback_also_bounds_the_head(live: LiveServer) -> None:
    # Without httptools uvicorn runs h11; serve's options bound its head buffer the same way.
    options = {**uvicorn_options(live.runtime.settings), "http": "h11", "host": "127.0.0.1", "port": free_port()}
    assert options["h11_max_incomplete_event_size"] == MAX_HEADER_BYTES
    server = uvicorn.Server(uvicorn.Config(live.server.config.app, **options, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        answer = b""
        with socket.create_connection(("127.0.0.1", options["port"]), timeout=10) as sock:
            try:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (4 * MAX_HEADER_BYTES))
                while chunk := sock.recv(65536):
                    answer += chunk
            except OSError:
                pass
        assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_headers_within_the_limit_still_work(live: LiveServer) -> None:
    response = httpx.get(f"{live.base_url}/healthz", headers={"X-Padding": "p" * (MAX_HEADER_BYTES // 2)}, timeout=5)
    assert response.status_code == 200


def test_large_bodies_and_pipelined_requests_are_not_taken_for_large_headers(live: LiveServer) -> None:
    key = live.new_key(credits=100)
    body = b'{"sound": "' + b"a" * 2900 + b'", "title": "x", "padding": "' + b"p" * 900_000 + b'"}'
    head = (f"POST /api/v1/producer/create HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", _port(live)), timeout=10) as sock:
        sock.sendall(head + body)  # the head and the first part of the body arrive in the same reads
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:300]  # the body was read and judged (placeholder sound)
    pipelined = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 20
    with socket.create_connection(("127.0.0.1", _port(live)), timeout=10) as sock:
        sock.sendall(pipelined + b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.count(b"HTTP/1.1 200 OK") == 21


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lyrics", "word " * 4000 + "x"),  # 20001 characters
        ("sound", "s" * 3001),
        ("title", "t" * 81),
        ("instruction", "i" * 2001),
        ("webhook_url", "https://example.com/" + "w" * 2029),
        ("cover_url", "https://example.com/" + "c" * 2029),
        ("webhook_secret", "k" * 201),
        ("mv", "m" * 65),
        ("clip_id", "c" * 65),
    ],
)
def test_text_fields_over_their_length_are_400_naming_the_field(live: LiveServer, field: str, value: str) -> None:
    key = live.new_key(credits=100)
    with live.client(key) as client:
        response = client.post("/producer/create", json={"sound": SOUND, "make_instrumental": True, field: value})
        assert response.status_code == 400, response.text
        assert response.json()["error"].startswith(f"{field}:"), response.text
        assert client.get("/get-credits").json()["credits"] == 100


def test_lyrics_at_their_limit_are_accepted_and_an_oversized_idempotency_key_is_refused(live: LiveServer) -> None:
    syllables = ("ka", "lo", "mi", "ren", "sa", "tu", "vel", "no", "ri", "dan")
    words = [a + b + c for a in syllables for b in syllables for c in syllables]  # 1000 distinct words
    lyrics = ("[Verse]\n" + " ".join(words * 3))[:20000]
    assert len(lyrics) == 20000
    with live.client(live.new_key(credits=100)) as client:
        assert client.post("/producer/create", json={"sound": SOUND, "lyrics": lyrics}).status_code == 200
        response = client.post("/producer/create", json={"sound": SOUND, "make_instrumental": True},
                               headers={"Idempotency-Key": "k" * 201})
        assert response.status_code == 400 and response.json()["error"].startswith("Idempotency-Key:")


# Tasks in flight per key

def _submit(client: httpx.Client, **headers: str) -> httpx.Response:
    return client.post("/producer/create", json={"sound": SOUND, "make_instrumental": True, "length": 2},
                       headers=headers)


def test_tasks_in_flight_per_key_are_capped_with_429_and_no_charge(live: LiveServer) -> None:
    key, other = live.new_key(credits=1000), live.new_key(credits=1000)
    with live.client(key) as client:
        accepted = [_submit(client, **{"Idempotency-Key": f"order-{i}"}) for i in range(CAP)]
        assert [r.status_code for r in accepted] == [200] * CAP
        refused = _submit(client)
        assert refused.status_code == 429, refused.text
        assert refused.headers["Retry-After"].isdigit() and int(refused.headers["Retry-After"]) > 0
        assert refused.json()["type"] == "rate_limited"
        assert client.get("/get-credits").json()["credits"] == 1000 - 10 * CAP
        # A client retrying an accepted submit gets its task back, not a 429.
        replay = _submit(client, **{"Idempotency-Key": "order-0"})
        assert replay.status_code == 200 and replay.json()["task_id"] == accepted[0].json()["task_id"]
        # Uploads and downloads count too.
        assert client.post("/producer/upload", json={"audio_url": "https://example.com/a.mp3"}).status_code == 429
    with live.client(other) as client:  # other keys are not affected
        assert _submit(client).status_code == 200
    api_key_id = key_id_of(live, key)
    assert len(tasks_of(live, api_key_id)) == CAP
    fail_task(live.runtime.services, accepted[0].json()["task_id"], None, "failed", "freed for the test")
    with live.client(key) as client:  # a finished task frees its slot
        assert _submit(client).status_code == 200
        assert _submit(client).status_code == 429
    assert balance_total(live, api_key_id) == 1000 - 10 * CAP  # one refunded, one more charged


def test_the_cap_holds_under_concurrent_submits(live: LiveServer) -> None:
    key = live.new_key(credits=1000)
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def one() -> None:
        with live.client(key) as client:
            barrier.wait()
            statuses.append(_submit(client).status_code)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * CAP + [429] * (8 - CAP)
    api_key_id = key_id_of(live, key)
    assert len(tasks_of(live, api_key_id)) == CAP
    assert balance_total(live, api_key_id) == 1000 - 10 * CAP


# Slow clients

def test_a_client_dribbling_its_body_is_cut_off_with_408(live: LiveServer) -> None:
    key = live.new_key(credits=100)
    body = b'{"sound": "' + b"a" * 200 + b'"}'
    head = (f"POST /api/v1/producer/create HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    answer, closed_after = _slow_client(live, head, body, every_s=0.1, give_up_s=10)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:300]
    assert b'"type":"request_timeout"' in answer.replace(b" ", b"")
    assert BODY_TIMEOUT_S - 0.1 <= closed_after < BODY_TIMEOUT_S + 2
    with live.client(key) as client:
        assert client.get("/get-credits").json()["credits"] == 100
    _healthy(live)


def test_a_client_dribbling_its_headers_is_cut_off_with_408(live: LiveServer) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
    answer, closed_after = _slow_client(live, head, b"X-Slow: " + b"s" * 200, every_s=0.1, give_up_s=10)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:300]
    assert HEADER_TIMEOUT_S - 0.1 <= closed_after < HEADER_TIMEOUT_S + 2
    _healthy(live)


def test_an_idle_connection_is_closed(live: LiveServer) -> None:
    answer, closed_after = _slow_client(live, b"", b"", every_s=0.1, give_up_s=10)
    assert answer == b""
    assert HEADER_TIMEOUT_S - 0.1 <= closed_after < HEADER_TIMEOUT_S + 2


def test_slow_but_steady_keep_alive_clients_are_not_cut_off(live: LiveServer) -> None:
    # Several requests on one connection, each well within the limits, spread over more than
    # the header timeout: the timer restarts with each request.
    with httpx.Client(base_url=live.base_url, timeout=5) as client:
        for _ in range(4):
            assert client.get("/healthz").status_code == 200
            time.sleep(HEADER_TIMEOUT_S / 2)


class _FakeTransport:
    """What _LingeringClose does to a socket, recorded."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.closing = False

    def is_closing(self) -> bool:
        return self.closing

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        self.calls.append("write_eof")

    def resume_reading(self) -> None:
        self.calls.append("resume_reading")

    def close(self) -> None:
        self.calls.append("close")
        self.closing = True


def test_a_connection_closed_mid_request_half_closes_and_lingers() -> None:
    import asyncio

    from openproducer.api import server

    loop = asyncio.new_event_loop()
    try:
        mid = [True]
        raw = _FakeTransport()
        lingering = server._LingeringClose(raw, loop, lambda: mid[0])
        lingering.close()  # the client is still sending: answer flushed, write side shut, input still read
        assert raw.calls == ["write_eof", "resume_reading"] and lingering.is_closing() and lingering.lingering
        lingering.close()
        assert raw.calls == ["write_eof", "resume_reading"]
        loop.run_until_complete(asyncio.sleep(server._LINGER_S + 0.2))  # nobody closed it: the linger ends
        assert raw.calls[-1] == "close"
        idle = _FakeTransport()
        mid[0] = False
        server._LingeringClose(idle, loop, lambda: mid[0]).close()  # between requests: closed at once
        assert idle.calls == ["close"]
    finally:
        loop.close()
