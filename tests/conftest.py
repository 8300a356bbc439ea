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
