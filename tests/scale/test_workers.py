"""Scale mode: API nodes and worker processes on PostgreSQL + Redis, and a worker killed mid-task."""

from __future__ import annotations

import os
import signal
import time

import httpx
import pytest
from sqlalchemy import func, select

from openproducer.store.db import Database
from openproducer.store.ledger import task_entries
from openproducer.store.tables import Clip, Task
from tests.scale.procs import Cluster

pytestmark = pytest.mark.slow
SOUND = "driving synthwave with analog bass, gated drums and bright arpeggios"


@pytest.fixture()
def cluster(tmp_path, postgres_url, redis_url):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    made = Cluster(tmp_path, postgres_url, redis_url, lease_s="3", reconcile_interval_s="1")
    made.migrate()
    yield made
    made.stop()


def _wait(client: httpx.Client, task_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(f"/producer/task/{task_id}")
        if response.status_code == 200:
            return response.json()
        time.sleep(0.1)
    raise AssertionError(f"task {task_id} unfinished")


def test_api_node_and_worker_processes(cluster):
    key = cluster.key(100)
    _, port = cluster.api()
    pinned = cluster.worker(cpu=0)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", headers={"Authorization": f"Bearer {key}"}) as c:
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz").json()
        assert ready["checks"]["database"] == "ok" and ready["checks"]["broker"] == "ok", ready
        task_id = c.post("/producer/create", json={"sound": SOUND, "make_instrumental": True, "length": 4}).json()[
            "task_id"]
        body = _wait(c, task_id)
        assert body["status"] == "SUCCESS", body
        assert httpx.get(body["data"][0]["audio_url"]).status_code == 200
        assert os.sched_getaffinity(pinned.pid) == {0}, "worker --cpu pins the process to one core"


def test_worker_killed_mid_task_finishes_elsewhere(cluster, postgres_url):
    key = cluster.key(100)
    _, port = cluster.api()
    doomed = cluster.worker()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", headers={"Authorization": f"Bearer {key}"}) as c:
        task_id = c.post("/producer/create", json={"sound": SOUND, "make_instrumental": True, "length": 150,
                                                   "seed": 2}).json()["task_id"]
        deadline = time.monotonic() + 60
        while c.get(f"/producer/task/{task_id}").json().get("status") != "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
        cluster.worker()
        body = _wait(c, task_id, timeout=180)
        assert body["status"] == "SUCCESS", body
        assert c.get("/get-credits").json()["credits"] == 90
    db = Database(postgres_url)
    with db.session(write=False) as session:
        assert session.get(Task, task_id).attempts == 2
        assert [(e.kind, e.amount) for e in task_entries(session, task_id)] == [("debit", -10)]
        assert session.scalar(select(func.count()).select_from(Clip).where(Clip.task_id == task_id)) == 1
    db.dispose()
