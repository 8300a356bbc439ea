"""The same API node + worker deployment with RabbitMQ as the broker."""

from __future__ import annotations

import time

import httpx

from tests.scale.procs import Cluster


def test_rabbitmq_broker(tmp_path, postgres_url, amqp_url):
    cluster = Cluster(tmp_path, postgres_url, amqp_url)
    try:
        cluster.migrate()
        key = cluster.key(50)
        _, port = cluster.api()
        cluster.worker()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", headers={"Authorization": f"Bearer {key}"}) as c:
            task_id = c.post("/producer/create", json={"sound": "lush dream pop with shimmering guitars",
                                                       "make_instrumental": True, "length": 3}).json()["task_id"]
            deadline = time.monotonic() + 90
            while (response := c.get(f"/producer/task/{task_id}")).status_code == 202:
                assert time.monotonic() < deadline
                time.sleep(0.2)
            assert response.json()["status"] == "SUCCESS"
            assert httpx.get(f"http://127.0.0.1:{port}/readyz").json()["checks"]["broker"] == "ok"
    finally:
        cluster.stop()
