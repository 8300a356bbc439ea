"""Schema fuzzing with schemathesis against a live server, and the credit audit that follows it.

Used by ``tests/security/test_fuzz_api.py`` (a bounded run inside pytest) and by
``bench/fuzz_api.py`` (``make fuzz``: a longer run). schemathesis runs as its command-line tool
against ``GET /openapi.json`` of a server in this process, so the server side can be patched
(no outbound DNS) while the client side is the stock tool with its stock checks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from openproducer.core.config import Settings
from openproducer.engines.registry import EngineRegistry
from openproducer.families import family_of
from openproducer.store import ledger
from openproducer.store.keys import find_key
from openproducer.store.tables import Clip, LedgerEntry, Task
from openproducer.store.tasks import FAILED, PENDING, RUNNING, SUCCESS
from tests.support.fake_engine import FakeEngine
from tests.support.server import LiveServer, start_server

# Every stock check except two about *requests*, which would flag documented leniency:
# positive_data_acceptance expects any schema-valid body to be accepted, but the rules beyond
# types (placeholder prompts, parent clips, URLs) can only answer 400 at run time; and
# negative_data_rejection expects type-violating bodies to be refused, but the wire contract
# accepts every spelling a real client sends ("0.5" for 0.5, "128 bpm"), which pydantic's lax
# mode gives us. Responses are held to the documented schema in full.
EXCLUDED_CHECKS = ("positive_data_acceptance", "negative_data_rejection")


@dataclass
class FuzzRun:
    returncode: int
    output: str
    entries: list[dict[str, Any]]  # HAR entries: every request schemathesis sent, with its response

    @property
    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for entry in self.entries:
            status = entry["response"]["status"]
            counts[status] = counts.get(status, 0) + 1
        return counts

    def accepted_task_ids(self) -> set[str]:
        """Task ids of every POST that answered 200 with one: a submit's ``task_id`` (or the legacy
        ``data.task_id``), or a synchronous answer's ``X-Task-Id`` header (an idempotent replay
        repeats an id)."""
        ids = set()
        for entry in self.entries:
            request, response = entry["request"], entry["response"]
            if request["method"] != "POST" or response["status"] != 200:
                continue
            headers = {h["name"].lower(): h["value"] for h in response.get("headers", [])}
            if "x-task-id" in headers:
                ids.add(headers["x-task-id"])
                continue
            try:
                body = json.loads(response["content"]["text"])
            except (KeyError, ValueError):
                continue
            if isinstance(body, dict) and isinstance(body.get("steps"), dict):  # one call, several tasks
                ids.update(step["task_id"] for step in body["steps"].values()
                           if isinstance(step, dict) and isinstance(step.get("task_id"), str))
            if isinstance(body, dict) and isinstance(body.get("task_id"), str):
                ids.add(body["task_id"])
            elif isinstance(body, dict) and isinstance(body.get("data"), dict) and "task_id" in body["data"]:
                ids.add(body["data"]["task_id"])  # the legacy make-lyrics answer
            elif isinstance(body, dict) and isinstance(body.get("data"), str):
                ids.add(body["data"])  # Studio's create answers the task id as `data`
            elif isinstance(body, dict) and isinstance(body.get("clip_id"), str):
                ids.add("clip:" + body["clip_id"])  # a synchronous upload: its task made the clip
        return ids


@dataclass
class SeedData:
    """Identifiers of one finished task of the fuzzing key, offered to schemathesis half the time
    (dictionaries in its config), so downloads, edits, polls and media reads reach real rows."""

    task_id: str
    clip_id: str
    media_token: str

    def config(self) -> str:
        names = ", ".join(f'"{n}"' for n in ("audio.mp3", "audio.wav", "cover.png", "video.mp4", "stem.flac"))
        return (
            f'[dictionaries.clips]\nvalues = ["{self.clip_id}"]\n'
            f'[dictionaries.tokens]\nvalues = ["{self.media_token}"]\n'
            f'[dictionaries.tasks]\nvalues = ["{self.task_id}"]\n'
            f"[dictionaries.media_names]\nvalues = [{names}]\n"
            "[parameters]\n"
            '"body.clip_id" = { dictionary = "clips", probability = 0.5 }\n'
            '"path.token" = { dictionary = "tokens", probability = 0.5 }\n'
            '"path.name" = { dictionary = "media_names", probability = 0.5 }\n'
            '"path.task_id" = { dictionary = "tasks", probability = 0.5 }\n'
        )


def seed_data(live: LiveServer, key: str) -> SeedData:
    """Make one clip through the API (a short instrumental) and return its identifiers."""
    with live.client(key) as client:
        response = client.post("/producer/create", json={
            "sound": "calm ambient piano with soft strings", "make_instrumental": True, "length": 2})
        assert response.status_code == 200, response.text
        task_id = response.json()["task_id"]
        body = live.wait(client, task_id)
    assert body["status"] == "SUCCESS", body
    clip = body["data"][0]
    token = clip["audio_url"].rstrip("/").split("/")[-2]
    return SeedData(task_id=task_id, clip_id=clip["clip_id"], media_token=token)


def fake_engine_server(data_dir: Path, engine: FakeEngine | None = None, **overrides: Any) -> LiveServer:
    """A live server whose music engine is :class:`FakeEngine` (sine tones, instant): the whole
    HTTP stack, queue and task runner are real, and accepted tasks cost almost nothing."""
    engine = engine or FakeEngine()
    registry = EngineRegistry(Settings(data_dir=data_dir), {"composer": lambda _s: engine})
    overrides.setdefault("workers", 1)
    return start_server(data_dir, engines=registry, **overrides)


def key_id_of(live: LiveServer, key: str) -> int:
    with live.runtime.services.db.session(write=False) as session:
        found = find_key(session, key)
        assert found is not None
        return found.id


def _schemathesis() -> list[str]:
    script = Path(sys.executable).with_name("schemathesis")
    if script.exists():
        return [str(script)]
    found = shutil.which("schemathesis")
    if found is None:
        raise RuntimeError("schemathesis is not installed (pip install -e '.[test]')")
    return [found]


def run_schemathesis(
    live: LiveServer, key: str, workdir: Path, *, max_examples: int, seed: int | None, timeout_s: float,
    data: SeedData | None = None, extra: list[str] | None = None,
) -> FuzzRun:
    har = workdir / "fuzz.har"
    config = workdir / "schemathesis.toml"
    config.write_text(data.config() if data is not None else "")
    command = [
        *_schemathesis(), "--no-color", "--config-file", str(config), "run", f"{live.base_url}/openapi.json",
        "--header", f"Authorization: Bearer {key}",
        "--checks", "all", "--exclude-checks", ",".join(EXCLUDED_CHECKS),
        "--max-examples", str(max_examples),
        "--suppress-health-check", "all",
        "--generation-database", "none",
        "--request-timeout", "30",
        "--report", "har", "--report-har-path", str(har), "--report-dir", str(workdir),
        *(["--seed", str(seed)] if seed is not None else []),
        *(extra or []),
    ]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    proc = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout_s)
    entries = json.loads(har.read_text())["log"]["entries"] if har.exists() else []
    return FuzzRun(proc.returncode, proc.stdout + proc.stderr, entries)


def wait_until_settled(live: LiveServer, api_key_id: int, timeout_s: float = 120.0) -> None:
    """Wait until no task of the key is queued or running."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with live.runtime.services.db.session(write=False) as session:
            active = session.scalars(
                select(Task.id).where(Task.api_key_id == api_key_id, Task.status.in_((PENDING, RUNNING)))
            ).all()
        if not active:
            return
        time.sleep(0.2)
    raise AssertionError(f"{len(active)} tasks still queued or running after {timeout_s:g} s")


def audit_credits(live: LiveServer, api_key_id: int, granted: int, accepted: set[str]) -> list[str]:
    """Every credit movement of the key, checked against the tasks the API said it accepted.

    Returns the problems found (empty when the books balance): only accepted tasks exist and
    were charged, each exactly its price; failed tasks were refunded exactly once; nothing else
    (no rejected request) touched the ledger; the balance is the grant minus succeeded tasks.
    """
    problems: list[str] = []
    with live.runtime.services.db.session(write=False) as session:
        # a synchronous upload answered with its clip: the task is the one that made the clip
        accepted = {session.get(Clip, a[5:]).task_id if a.startswith("clip:") else a for a in accepted}
        tasks = {t.id: t for t in session.scalars(select(Task).where(Task.api_key_id == api_key_id))}
        # Synchronous tasks (lyric sheets, a tempo, a WAV link, …) answer with what they made, not a
        # task id; they are checked below like every other task (charged their price, finished).
        accepted = accepted | {t.id for t in tasks.values()
                               if family_of(t.family).spec(t.task_type).kind == "instant"}
        rows = list(session.scalars(select(LedgerEntry).where(LedgerEntry.api_key_id == api_key_id)))
        balance = sum(ledger.balances(session, api_key_id).values())
        if set(tasks) != accepted:
            problems.append(
                f"tasks in the database {len(tasks)} != accepted by the API {len(accepted)}: "
                f"unannounced {sorted(set(tasks) - accepted)[:5]}, missing {sorted(accepted - set(tasks))[:5]}"
            )
        grants = sum(r.amount for r in rows if r.kind == "grant")
        if grants != granted:
            problems.append(f"grants {grants} != {granted}")
        spent = 0
        for row in rows:
            if row.kind not in ("grant", "debit", "refund"):
                problems.append(f"unexpected ledger row kind {row.kind}")
            if row.kind != "grant" and row.task_id not in tasks:
                problems.append(f"ledger row {row.kind} {row.amount} for a task that was not accepted: {row.task_id}")
        for task in tasks.values():
            debited = -sum(r.amount for r in rows if r.task_id == task.id and r.kind == "debit")
            refunded = sum(r.amount for r in rows if r.task_id == task.id and r.kind == "refund")
            if debited != task.price:
                problems.append(f"task {task.id} debited {debited}, price {task.price}")
            expected_refund = task.price if task.status == FAILED else 0
            if refunded != expected_refund:
                problems.append(f"task {task.id} ({task.status}) refunded {refunded}, expected {expected_refund}")
            if task.status == SUCCESS:
                spent += task.price
            elif task.status != FAILED:
                problems.append(f"task {task.id} still {task.status}")
        if balance != granted - spent:
            problems.append(f"balance {balance} != granted {granted} - spent {spent}")
    return problems
