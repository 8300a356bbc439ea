"""Rate limits (429), the queue-depth ceiling (503), a database that goes away, metrics, JSON logs."""

from __future__ import annotations

import json
import logging

from openproducer.core.logs import setup_logging
from tests.support.fake_engine import FakeEngine

BODY = {"sound": "mellow neo soul groove with rhodes piano and soft drums", "make_instrumental": True, "length": 2}


def test_rate_limit_answers_429_with_retry_after(fake_server):
    live = fake_server(rate_limit="3/minute")
    with live.client(live.new_key(credits=100)) as client:
        codes = [client.post("/producer/create", json=BODY).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = client.post("/producer/create", json=BODY)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["type"] == "rate_limited"
        assert client.get("/get-credits").json()["credits"] == 70, "refused submits cost nothing"
    with live.client(live.new_key(credits=100)) as other:
        assert other.post("/producer/create", json=BODY).status_code == 200, "limits are per key"


def test_queue_depth_ceiling_answers_503(fake_server):
    engine = FakeEngine(delay_s=2.0)
    live = fake_server(engine, max_queue_depth=1)
    with live.client(live.new_key(credits=100)) as client:
        assert client.post("/producer/create", json=BODY).status_code == 200
        engine.started.wait(5)  # the first task is RUNNING, so the queue is empty
        assert client.post("/producer/create", json=BODY).status_code == 200  # now one is PENDING
        refused = client.post("/producer/create", json=BODY)
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
        assert client.get("/get-credits").json()["credits"] == 80


def test_database_unreachable_is_503_then_recovers(fake_server, data_dir):
    live = fake_server()
    key = live.new_key(credits=100)
    db_file = data_dir / "openproducer.db"
    with live.client(key) as client:
        assert client.post("/producer/create", json=BODY).status_code == 200
        live.runtime.services.db.engine.dispose()
        hidden = db_file.with_suffix(".gone")
        db_file.rename(hidden)
        db_file.mkdir()  # now the path cannot be opened as a database
        try:
            response = client.post("/producer/create", json=BODY)
            assert response.status_code == 503 and response.headers["Retry-After"] == "5", response.text
        finally:
            db_file.rmdir()
            hidden.rename(db_file)
        live.runtime.services.db.engine.dispose()
        assert client.post("/producer/create", json=BODY).status_code == 200
        assert client.get("/get-credits").json()["credits"] == 80, "no half-written task was charged"


def test_metrics_report_queue_tasks_and_http(fake_server):
    live = fake_server(FakeEngine(fail_with="refused"))
    with live.client(live.new_key(credits=100)) as client:
        task_id = client.post("/producer/create", json=BODY).json()["task_id"]
        live.wait(client, task_id)
        text = client.get(live.base_url + "/metrics").text
    assert 'openproducer_tasks_finished_total{engine="composer",status="FAILED",task_type="create_music"} 1.0' in text
    assert "openproducer_refunds_total 1.0" in text
    assert "openproducer_task_duration_seconds_count" in text
    assert 'openproducer_http_request_duration_seconds_count{method="POST",route="/producer/create"' in text


def test_json_logs_carry_task_ids(fake_server, capfd):
    setup_logging("json")
    try:
        live = fake_server()
        with live.client(live.new_key(credits=100)) as client:
            task_id = client.post("/producer/create", json=BODY).json()["task_id"]
            live.wait(client, task_id)
    finally:
        logging.getLogger().handlers.clear()
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    assert any(entry.get("task_id") == task_id and "SUCCESS" in entry["message"] for entry in lines), lines[-5:]
