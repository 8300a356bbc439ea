"""A serve process killed in the middle of a task: after a restart the task ends in SUCCESS, charged once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.support.server import free_port

pytestmark = pytest.mark.slow
SOUND = "Epic orchestral trailer music with choirs, big drums and soaring strings"


def _serve(data_dir, port: int) -> subprocess.Popen:
    env = {**os.environ, "OPENPRODUCER_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "openproducer.cli", "serve", "--data-dir", str(data_dir), "--port", str(port),
         "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("server did not start: " + process.stderr.read().decode()[-2000:])


def test_task_survives_a_killed_server(data_dir):
    key = subprocess.run(
        [sys.executable, "-m", "openproducer.cli", "keys", "create", "--name", "restart", "--credits", "100",
         "--data-dir", str(data_dir)],
        capture_output=True, text=True, check=True,
    ).stdout.strip().splitlines()[-1]
    port = free_port()
    headers = {"Authorization": f"Bearer {key}"}
    api = f"http://127.0.0.1:{port}/api/v1"
    server = _serve(data_dir, port)
    try:
        response = httpx.post(f"{api}/producer/create", headers=headers,
                              json={"sound": SOUND, "make_instrumental": True, "length": 180, "seed": 4})
        task_id = response.json()["task_id"]
        deadline = time.monotonic() + 60
        while httpx.get(f"{api}/producer/task/{task_id}", headers=headers).json().get("status") != "RUNNING":
            assert time.monotonic() < deadline, "task never started"
            time.sleep(0.02)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()

    server = _serve(data_dir, port)
    try:
        deadline = time.monotonic() + 120
        while True:
            response = httpx.get(f"{api}/producer/task/{task_id}", headers=headers)
            if response.status_code == 200:
                break
            assert time.monotonic() < deadline, "task never finished after restart"
            time.sleep(0.2)
        body = response.json()
        assert body["status"] == "SUCCESS", body
        assert abs(body["data"][0]["duration"] - 180) <= 1
        assert httpx.get(f"{api}/get-credits", headers=headers).json() == {"credits": 90, "extra_credits": 0}
    finally:
        server.terminate()
        server.wait(timeout=30)

    from openproducer.core.config import Settings
    from openproducer.store.db import Database
    from openproducer.store.ledger import task_entries
    from openproducer.store.tables import Clip, Task

    db = Database(Settings(data_dir=data_dir).resolved_database_url)
    with db.session(write=False) as session:
        task = session.get(Task, task_id)
        assert task.attempts == 2, "picked up again, not duplicated"
        assert [(e.kind, e.amount) for e in task_entries(session, task_id)] == [("debit", -10)]
        assert session.query(Clip).filter(Clip.task_id == task_id).count() == 1
