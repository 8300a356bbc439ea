"""The same store, ledger and task machinery on PostgreSQL."""

from __future__ import annotations

import threading

import pytest

from openproducer.core import credits
from openproducer.core.config import Settings
from openproducer.core.errors import NotEnoughCredits
from openproducer.engines.registry import EngineRegistry
from openproducer.store import ledger
from openproducer.store.db import Database, migrate
from openproducer.store.keys import create_key
from tests.support.fake_engine import FakeEngine
from tests.support.server import start_server


@pytest.fixture(scope="module")
def pg(postgres_url):
    migrate(postgres_url)
    db = Database(postgres_url)
    yield db
    db.dispose()


def test_concurrent_charges_never_overspend(pg):
    with pg.session() as session:
        key, _ = create_key(session, "pg")
        credits.grant(session, key.id, 50)
    outcomes: list[str] = []

    def charge(i: int) -> None:
        try:
            with pg.session() as session:
                credits.charge(session, key.id, f"pg-task-{key.id}-{i}", 10)
            outcomes.append("ok")
        except NotEnoughCredits:
            outcomes.append("short")

    threads = [threading.Thread(target=charge, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 5 and outcomes.count("short") == 7
    with pg.session(write=False) as session:
        assert credits.get_balance(session, key.id).total == 0


def test_refund_once_on_postgres(pg):
    with pg.session() as session:
        key, _ = create_key(session, "pg2")
        credits.grant(session, key.id, 10)
        credits.charge(session, key.id, f"pg-refund-{key.id}", 10)
    for expected in (10, 0):
        with pg.session() as session:
            assert ledger.refund_task(session, f"pg-refund-{key.id}", "failed") == expected


def test_api_and_worker_on_postgres(postgres_url, tmp_path):
    engine = FakeEngine()
    registry = EngineRegistry(Settings(data_dir=tmp_path), {"composer": lambda _s: engine})
    live = start_server(tmp_path, workers=1, engines=registry, database_url=postgres_url)
    try:
        with live.client(live.new_key(credits=30)) as client:
            response = client.post("/producer/create", json={"sound": "warm analog synth pads with slow arpeggios",
                                                             "make_instrumental": True, "length": 2})
            body = live.wait(client, response.json()["task_id"])
            assert body["status"] == "SUCCESS" and body["data"][0]["duration"] == 2
            assert client.get("/get-credits").json() == {"credits": 20, "extra_credits": 0}
            assert client.get("/producer/task/does-not-exist").status_code == 404
    finally:
        live.stop()
