"""Shared fixtures: a live server with the real composer engine, and loopback helpers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openproducer.core.config import Settings
from openproducer.engines.registry import EngineRegistry
from tests.support.server import LiveServer, start_server


@pytest.fixture(scope="session")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineRegistry]:
    """One warm composer for the whole run (loading the soundfont once)."""
    registry = EngineRegistry(Settings(data_dir=tmp_path_factory.mktemp("engines")))
    registry.get("composer")
    yield registry
    registry.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, engines: EngineRegistry) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("server"), workers=2, engines=engines)
    yield live
    live.stop()


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture()
def fake_server(data_dir: Path):  # type: ignore[no-untyped-def]
    """make(engine=None, **settings): a live server whose composer is a FakeEngine (cheap tasks)."""
    from tests.support.fake_engine import FakeEngine

    started: list[LiveServer] = []

    def make(engine: FakeEngine | None = None, **overrides):  # type: ignore[no-untyped-def]
        fake = engine or FakeEngine()
        registry = EngineRegistry(Settings(data_dir=data_dir), {"composer": lambda _s: fake})
        live = start_server(data_dir, workers=1, engines=registry, **overrides)
        started.append(live)
        return live

    yield make
    for live in started:
        live.stop()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, on the server named by
    OPENPRODUCER_TEST_DATABASE_URL; skipped when that variable is not set."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = _service_url("OPENPRODUCER_TEST_DATABASE_URL", "PostgreSQL")
    name = f"op_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _service_url(variable: str, service: str) -> str:
    """The URL of a test service from the environment; the test skips, saying why, without it."""
    import os

    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"{variable} is not set ({service} tests)")
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    return _service_url("OPENPRODUCER_TEST_REDIS_URL", "Redis")


@pytest.fixture(scope="session")
def amqp_url() -> str:
    return _service_url("OPENPRODUCER_TEST_AMQP_URL", "RabbitMQ")
