"""Helpers to run API nodes and workers as real processes, as a deployment would."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.server import free_port


class Cluster:
    """API nodes and workers sharing one database, one broker and one storage folder."""

    def __init__(self, tmp: Path, database_url: str, broker_url: str, **settings: str) -> None:
        self.tmp = tmp
        # Every node builds result URLs from one public base URL (the load balancer's); here, the first API node.
        self.public_port = free_port()
        self.env = {
            "OPENPRODUCER_PUBLIC_BASE_URL": f"http://127.0.0.1:{self.public_port}",
            **os.environ,
            "OPENPRODUCER_DATA_DIR": str(tmp / "data"),
            "OPENPRODUCER_DATABASE_URL": database_url,
            "OPENPRODUCER_BROKER_URL": broker_url,
            "OPENPRODUCER_STORAGE_URL": f"file://{tmp / 'media'}",
            "OPENPRODUCER_ALLOW_PRIVATE_URLS": "1",
            **{f"OPENPRODUCER_{k.upper()}": v for k, v in settings.items()},
        }
        self.procs: list[subprocess.Popen] = []
        self.ports: list[int] = []

    def _spawn(self, *args: str) -> subprocess.Popen:
        log = open(self.tmp / f"proc-{len(self.procs)}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen([sys.executable, "-m", "openproducer.cli", *args], env=self.env,
                                stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def migrate(self) -> None:
        subprocess.run([sys.executable, "-m", "openproducer.cli", "migrate"], env=self.env, check=True,
                       capture_output=True)

    def key(self, credits: int) -> str:
        out = subprocess.run([sys.executable, "-m", "openproducer.cli", "keys", "create", "--name", "scale",
                              "--credits", str(credits)], env=self.env, check=True, capture_output=True, text=True)
        return out.stdout.strip().splitlines()[-1]

    def api(self, port: int | None = None) -> tuple[subprocess.Popen, int]:
        port = port or (free_port() if self.public_port in self.ports else self.public_port)
        proc = self._spawn("serve", "--no-workers", "--port", str(port))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    self.ports.append(port)
                    return proc, port
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError(f"API node did not start: {(self.tmp / f'proc-{len(self.procs) - 1}.log').read_text()}")

    def worker(self, concurrency: int = 1, cpu: int | None = None) -> subprocess.Popen:
        pin = ["--cpu", str(cpu)] if cpu is not None else []
        return self._spawn("worker", "--concurrency", str(concurrency), *pin)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
