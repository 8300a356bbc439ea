"""Fixtures for the hostile-input tests: servers backed by a fake engine (cheap tasks), and resolvers.

Every server here runs the real HTTP stack (uvicorn with the guarded protocol, the middleware,
the routes, the queue and the task runner); only the music engine is replaced, so thousands of
generated requests stay fast.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from openproducer.media import fetch
from openproducer.store import ledger
from openproducer.store.tables import Task
from tests.security.fuzzing import fake_engine_server, key_id_of
from tests.support.fake_engine import FakeEngine
from tests.support.server import LiveServer

MakeServer = Callable[..., LiveServer]
__all__ = ["FakeDns", "MakeServer", "balance_total", "key_id_of", "tasks_of"]


@pytest.fixture(scope="module")
def make_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeServer]:
    """Start fake-engine servers (stopped when the module ends); keyword arguments are settings."""
    started: list[LiveServer] = []

    def make(engine: FakeEngine | None = None, **overrides: Any) -> LiveServer:
        live = fake_engine_server(tmp_path_factory.mktemp("secserver"), engine, **overrides)
        started.append(live)
        return live

    yield make
    for live in started:
        live.stop()


def tasks_of(live: LiveServer, api_key_id: int) -> list[Task]:
    with live.runtime.services.db.session(write=False) as session:
        rows = list(session.scalars(select(Task).where(Task.api_key_id == api_key_id)))
        session.expunge_all()
        return rows


def balance_total(live: LiveServer, api_key_id: int) -> int:
    with live.runtime.services.db.session(write=False) as session:
        return sum(ledger.balances(session, api_key_id).values())


class FakeDns:
    """A resolver for names ending in ``.test``; everything else resolves normally.

    ``answers[name]`` is a list of answers handed out in order (the last one repeats), so a
    rebinding name can answer a public address first and a private one afterwards; one answer
    may hold several addresses, comma-separated (a name with two A records). ``public``
    lists loopback addresses that count as public here (stand-ins for an outside host); every
    other private address keeps being refused. ``lookups`` counts the lookups per name.
    """

    def __init__(self) -> None:
        self.answers: dict[str, list[str]] = {}
        self.public: set[str] = set()
        self.lookups: dict[str, int] = {}

    def resolve(self, host: str) -> str | None:
        if not host.endswith(".test"):
            return None
        self.lookups[host] = self.lookups.get(host, 0) + 1
        queue = self.answers.get(host)
        if not queue:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return queue.pop(0) if len(queue) > 1 else queue[0]


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    """Installs :class:`FakeDns` under ``socket.getaddrinfo`` itself, so any code path that
    resolves a name (ours, httpx's, the webhook sender's) sees the same, possibly changing, answers."""
    dns = FakeDns()
    real_getaddrinfo = socket.getaddrinfo
    real_problem = fetch.address_problem

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        answer = dns.resolve(name) if isinstance(name, str) else None
        if answer is None:
            return real_getaddrinfo(host, port, *args, **kwargs)
        return [info for address in answer.split(",") for info in real_getaddrinfo(address, port, *args, **kwargs)]

    def problem(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        return None if str(ip) in dns.public else real_problem(ip)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(fetch, "address_problem", problem)
    return dns
