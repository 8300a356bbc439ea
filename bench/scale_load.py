"""Scale-mode load test: API nodes and worker processes on PostgreSQL + Redis.

Starts `--api` API nodes (`serve --no-workers`) and `--workers` worker processes on a fresh
PostgreSQL database and Redis database, then `--clients` concurrent clients submit `--tasks`
tasks (short instrumentals) spread over the API nodes and poll them to the end. Checks: every
task SUCCESS, no duplicate clip, each key's balance equal to the sum of its ledger rows.
Prints tasks per minute.

    python bench/scale_load.py --tasks 1000 --clients 50 --api 2 --workers 3
    python bench/scale_load.py --scaling --tasks 200      # throughput with 1, then 2 workers

Services: OPENPRODUCER_TEST_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test)
and OPENPRODUCER_TEST_REDIS_URL (default redis://127.0.0.1:6379/0; the bench uses database 15 of it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import redis
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openproducer.store.tables import Clip, LedgerEntry, Task  # noqa: E402
from tests.scale.procs import Cluster  # noqa: E402

SOUND = "upbeat funk groove with slap bass, clavinet and tight drums"


def _fresh_database(base: str) -> tuple[str, str]:
    name = f"op_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False), name


def _drop_database(base: str, name: str) -> None:
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _client_loop(
    base_urls: list[str], key: str, count: int, length: float, offset: int, poll_s: float, out: list
) -> None:
    task_ids = []
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
        for i in range(count):
            url = base_urls[(offset + i) % len(base_urls)]
            while True:
                response = client.post(f"{url}/producer/create", json={
                    "sound": SOUND, "make_instrumental": True, "length": length, "seed": offset * 1000 + i})
                if response.status_code == 200:
                    break
                time.sleep(float(response.headers.get("Retry-After", "1")))
            task_ids.append(response.json()["task_id"])
        for task_id in task_ids:
            while True:
                url = base_urls[hash(task_id) % len(base_urls)]
                response = client.get(f"{url}/producer/task/{task_id}")
                if response.status_code == 200:
                    body = response.json()
                    out.append((task_id, body["status"], body.get("error")))
                    break
                time.sleep(poll_s)


def run(tasks: int, clients: int, api_nodes: int, workers: int, length: float, pin: bool,
        poll_s: float) -> dict[str, object]:
    base_db = os.environ.get("OPENPRODUCER_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    redis_base = urlsplit(os.environ.get("OPENPRODUCER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    redis_url = urlunsplit(redis_base._replace(path="/15"))  # a database of its own
    redis.Redis.from_url(redis_url).flushdb()
    database_url, db_name = _fresh_database(base_db)
    with tempfile.TemporaryDirectory(prefix="op-scale-") as tmp:
        cluster = Cluster(Path(tmp), database_url, redis_url, rate_limit="", max_queue_depth="100000",
                          max_active_tasks_per_key="100000")
        try:
            cluster.migrate()
            keys = [cluster.key(10 * tasks) for _ in range(min(clients, 10))]
            urls = [f"http://127.0.0.1:{cluster.api()[1]}/api/v1" for _ in range(api_nodes)]
            for i in range(workers):
                cluster.worker(cpu=i if pin else None)
            time.sleep(3)  # workers boot and load the soundfont
            results: list[tuple[str, str, str | None]] = []
            per_client = [tasks // clients + (1 if i < tasks % clients else 0) for i in range(clients)]
            threads = [
                threading.Thread(target=_client_loop, args=(urls, keys[i % len(keys)], n, length, i, poll_s, results))
                for i, n in enumerate(per_client)
            ]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - start
        finally:
            cluster.stop()
    engine = create_engine(database_url)
    with engine.connect() as connection:
        clips = connection.scalar(select(func.count()).select_from(Clip))
        distinct_tasks = connection.scalar(select(func.count(func.distinct(Clip.task_id))))
        success = connection.scalar(select(func.count()).where(Task.status == "SUCCESS"))
        ledger_sum = connection.scalar(select(func.sum(LedgerEntry.amount)))
        debits = connection.scalar(select(func.count()).where(LedgerEntry.kind == "debit"))
    engine.dispose()
    _drop_database(base_db, db_name)
    return {
        "tasks": tasks, "clients": clients, "api_nodes": api_nodes, "workers": workers, "song_length_s": length,
        "workers_pinned_to_cores": pin, "client_poll_interval_s": poll_s,
        "elapsed_s": round(elapsed, 1), "tasks_per_minute": round(60 * tasks / elapsed, 1),
        "all_success": success == tasks and all(status == "SUCCESS" for _, status, _ in results),
        "errors": sorted({error for _, status, error in results if status != "SUCCESS"})[:5],
        "clips": clips, "duplicate_clips": clips - distinct_tasks, "debits": debits,
        "balance_equals_ledger": ledger_sum == 10 * tasks * len(keys) - 10 * tasks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--api", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--length", type=float, default=3.0, help="seconds of music per task")
    parser.add_argument("--scaling", action="store_true", help="run with 1 and then 2 workers")
    parser.add_argument("--pin", action="store_true", help="pin worker i to CPU core i (worker --cpu i)")
    parser.add_argument("--poll", type=float, default=1.0, help="each client's polling interval, seconds")
    args = parser.parse_args()
    report: dict[str, object] = {"machine": f"{platform.node()} ({os.cpu_count()} cores)",
                                 "date": time.strftime("%Y-%m-%d")}
    if args.scaling:
        one = run(args.tasks, args.clients, args.api, 1, args.length, args.pin, args.poll)
        two = run(args.tasks, args.clients, args.api, 2, args.length, args.pin, args.poll)
        report.update(one_worker=one, two_workers=two,
                      speedup=round(two["tasks_per_minute"] / one["tasks_per_minute"], 2))
    else:
        report["run"] = run(args.tasks, args.clients, args.api, args.workers, args.length, args.pin, args.poll)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
