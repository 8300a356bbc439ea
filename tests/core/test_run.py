"""The task machinery with a controllable engine: failures refund once, time limits, lost workers."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from openproducer.store import ledger, tasks
from openproducer.store.tables import Clip, Task
from tests.support.fake_engine import FakeEngine

SOUND = "gentle acoustic guitar ballad with warm strings"


def _submit(client, **extra):
    response = client.post("/producer/create", json={"sound": SOUND, "make_instrumental": True, "length": 2, **extra})
    assert response.status_code == 200, response.text
    return response.json()["task_id"]


def test_engine_failure_fails_task_and_refunds_once(fake_server):
    live = fake_server(FakeEngine(fail_with="the engine refused this prompt"))
    with live.client(live.new_key(credits=30)) as client:
        task_id = _submit(client)
        body = live.wait(client, task_id)
        assert body["status"] == "FAILED" and body["type"] == "failed"
        assert body["error"] == "the engine refused this prompt"
        assert body["message"].endswith("credits refunded.")
        assert client.get("/get-credits").json()["credits"] == 30
    with live.runtime.services.db.session(write=False) as session:
        kinds = sorted(e.kind for e in ledger.task_entries(session, task_id))
        assert kinds == ["debit", "refund"]


def test_time_limit_fails_with_timeout_and_refund(fake_server):
    live = fake_server(FakeEngine(delay_s=3.0), task_time_limit_s=0.5)
    with live.client(live.new_key(credits=30)) as client:
        body = live.wait(client, _submit(client))
        assert body["status"] == "FAILED" and body["type"] == "timeout", body
        assert client.get("/get-credits").json()["credits"] == 30


def test_vanished_worker_task_runs_again_elsewhere(fake_server):
    engine = FakeEngine()
    live = fake_server(engine, lease_s=0.5)
    live.runtime.worker.stop()  # nobody consumes: we play the worker that dies
    with live.client(live.new_key(credits=30)) as client:
        task_id = _submit(client)
        with live.runtime.services.db.session() as session:
            assert tasks.claim(session, task_id, "dead-worker", 0.2, 60) is not None
        time.sleep(0.4)  # the dead worker's lease runs out
        live.runtime.reconciler.run_once()  # re-sends it
        live.runtime.runner.run(task_id)  # another worker takes it
        body = live.wait(client, task_id)
        assert body["status"] == "SUCCESS"
        live.runtime.runner.run(task_id)  # a duplicate message does nothing
        assert client.get("/get-credits").json()["credits"] == 20
    with live.runtime.services.db.session(write=False) as session:
        assert session.get(Task, task_id).attempts == 2
        assert session.scalar(select(func.count()).select_from(Clip).where(Clip.task_id == task_id)) == 1
    assert engine.calls == 1
