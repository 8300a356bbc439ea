"""A real OpenProducer server on a loopback port, in a thread of the test process."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from openproducer.api.app import create_app
from openproducer.api.server import uvicorn_options
from openproducer.core.config import Settings
from openproducer.core.credits import grant
from openproducer.engines.registry import EngineRegistry
from openproducer.runtime import Runtime, build_runtime
from openproducer.store.db import migrate
from openproducer.store.keys import create_key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    base_url: str
    runtime: Runtime
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def api(self) -> str:
        return self.base_url + "/api/v1"

    def new_key(self, credits: int = 1000, extra: int = 0, name: str = "test") -> str:
        with self.runtime.services.db.session() as session:
            key, plaintext = create_key(session, name)
            if credits:
                grant(session, key.id, credits)
            if extra:
                grant(session, key.id, extra, extra=True)
        return plaintext

    def client(self, key: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.api, headers=headers, timeout=60)

    def wait(self, client: httpx.Client, task_id: str, timeout: float = 90.0) -> dict[str, Any]:
        """Poll until the task ends; returns the final body."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            response = client.get(f"/producer/task/{task_id}")
            assert response.status_code in (200, 202), response.text
            if response.status_code == 200:
                return response.json()
            time.sleep(0.05)
        raise AssertionError(f"task {task_id} did not finish in {timeout} s")

    def wait_for(self, task_id: str, timeout: float = 90.0) -> str:
        """Wait, without HTTP, until the task ends; returns its status (any family)."""
        from openproducer.store.tables import Task

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.runtime.services.db.session(write=False) as session:
                status = session.get(Task, task_id).status
            if status in ("SUCCESS", "FAILED"):
                return status
            time.sleep(0.05)
        raise AssertionError(f"task {task_id} did not finish in {timeout} s")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def start_server(
    data_dir: Path, workers: int = 2, engines: EngineRegistry | None = None, **overrides: Any
) -> LiveServer:
    port = free_port()
    # Loopback test hosts, unless a test says otherwise; public_base_url=None: URLs follow each request.
    overrides = {"allow_private_urls": True, "public_base_url": f"http://127.0.0.1:{port}", **overrides}
    settings = Settings(data_dir=data_dir, port=port, workers=workers, **overrides)
    migrate(settings.resolved_database_url)
    runtime = build_runtime(settings, engines=engines)
    app = create_app(runtime)
    # The serve command's protocol and limits, on loopback.
    options = {**uvicorn_options(settings), "host": "127.0.0.1", "port": port}
    config = uvicorn.Config(app, **options, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    return LiveServer(f"http://127.0.0.1:{port}", runtime, server, thread)
