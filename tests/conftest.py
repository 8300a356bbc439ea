"""Shared fixtures: a live server with the real composer engine, and loopback helpers; and the grouping
of tests for parallel runs (pytest-xdist, which `make test` uses)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openproducer.core.config import Settings
from openproducer.engines.registry import EngineRegistry
from tests.support.server import LiveServer, start_server

# Folders whose tests share session-scoped fixtures that are costly to make (a loaded composer and its
# rendered song; the neural engines' tiny weights and pipelines): under xdist each runs whole on one worker.
_SHARED_FOLDERS = ("tests/engines/composer/", "tests/engines/neural/")


def pytest_xdist_make_scheduler(config: pytest.Config, log):  # type: ignore[no-untyped-def]
    """``--dist loadfile`` (what `make test` uses), with each of _SHARED_FOLDERS as one unit of work
    instead of one per file, so their session fixtures are made once."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SharedFolders(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            folder = next((f for f in _SHARED_FOLDERS if nodeid.startswith(f)), None)
            return folder or super()._split_scope(nodeid)

    return SharedFolders(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In an xdist worker, the modules and shared folders that hold a test marked ``slow`` come first,
    so the long ones are handed out at the start rather than ending the run on one worker while the
    other idles (with ``--no-loadscope-reorder``, which keeps this order). A run without xdist keeps
    the collection order."""
    if not hasattr(config, "workerinput"):
        return

    def unit(item: pytest.Item) -> str:
        nodeid = item.nodeid
        return next((f for f in _SHARED_FOLDERS if nodeid.startswith(f)), nodeid.split("::")[0])

    slow = {unit(item) for item in items if item.get_closest_marker("slow") is not None}
    items.sort(key=lambda item: unit(item) not in slow)  # stable: the order within a module is kept


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
    """The test Redis; under xdist each worker gets its own database (the URL's number plus the worker's),
    since the tests flush it."""
    import os
    from urllib.parse import urlsplit

    url = _service_url("OPENPRODUCER_TEST_REDIS_URL", "Redis")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1 ... under xdist
    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + int(worker[2:])
    return parts._replace(path=f"/{database}").geturl()


@pytest.fixture(scope="session")
def amqp_url() -> str:
    return _service_url("OPENPRODUCER_TEST_AMQP_URL", "RabbitMQ")
