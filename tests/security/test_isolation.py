"""Tenant isolation: key B tries every route on key A's tasks, clips, media files and stems.

Every attempt is a 404 that reads exactly like the 404 for an identifier that never existed
(so B cannot even learn that A's item exists), costs B nothing, and no answer B ever receives
carries one of A's identifiers other than the one B itself sent. Media files are reachable only
through their per-clip random token (32 URL-safe characters), and only the four public files:
stems, scores and storage paths are never served. API keys are checked in constant time, and
the plaintext key never reaches the database.
"""

from __future__ import annotations

import hmac
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from openproducer.core.accounts import KeyResolver
from openproducer.core.clips import MEDIA_FILES
from openproducer.families.producer import PRODUCER_TASK_TYPES
from openproducer.store.tables import Clip
from tests.security import corpus
from tests.security.conftest import MakeServer, tasks_of
from tests.security.fuzzing import key_id_of
from tests.security.hosts import LoopbackHost, Route
from tests.support.server import LiveServer

SOUND = "gentle acoustic guitar ballad with warm strings"


@dataclass
class Tenant:
    key: str
    tasks: list[str] = field(default_factory=list)
    clips: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    file_keys: list[str] = field(default_factory=list)  # storage keys of every file, stems included

    def secrets(self) -> list[str]:
        return [*self.tasks, *self.clips, *self.tokens, self.key]


@pytest.fixture(scope="module")
def live(make_server: MakeServer) -> LiveServer:
    return make_server(workers=2, rate_limit="")  # many requests from one key in a second: not the subject here


@pytest.fixture(scope="module")
def tenant_a(live: LiveServer) -> Iterator[Tenant]:
    """Key A with a generated clip, an uploaded clip (stems of both kinds), a download and an
    idempotent submit."""
    host = LoopbackHost()
    host.routes["/mine.wav"] = Route(corpus.wav(2.0), "audio/wav")
    a = Tenant(live.new_key(credits=1000, name="tenant-a"))
    with live.client(a.key) as client:
        submits = [
            client.post("/producer/create", json={"sound": SOUND, "make_instrumental": True, "length": 2},
                        headers={"Idempotency-Key": "order-42"}),
            client.post("/producer/upload", json={"audio_url": host.url("/mine.wav")}),
        ]
        for response in submits:
            assert response.status_code == 200, response.text
            task_id = response.json()["task_id"]
            body = live.wait(client, task_id, timeout=90)
            assert body["status"] == "SUCCESS", body
            a.tasks.append(task_id)
            clip = body["data"][0]
            a.clips.append(clip["clip_id"])
            a.tokens.append(clip["audio_url"].split("/")[-2])
        download = client.post("/producer/download", json={"clip_id": a.clips[0], "format": "wav"})
        a.tasks.append(download.json()["task_id"])
        assert live.wait(client, a.tasks[-1])["status"] == "SUCCESS"
    with live.runtime.services.db.session(write=False) as session:
        for clip_id in a.clips:
            clip = session.get(Clip, clip_id)
            assert clip is not None and any(role.startswith("stem:") for role in clip.files), clip.files
            a.file_keys.extend(clip.files.values())
    yield a
    host.close()


@dataclass
class Seen:
    """Everything key B was told, for the final no-leak check."""

    bodies: list[str] = field(default_factory=list)

    def record(self, response: httpx.Response) -> httpx.Response:
        self.bodies.append(response.text + " " + " ".join(f"{k}: {v}" for k, v in response.headers.items()))
        return response


def _same_as_unknown(response: httpx.Response, unknown: httpx.Response, real_id: str, fake_id: str) -> None:
    """Status and body identical to the answer for an identifier that never existed."""
    assert response.status_code == unknown.status_code == 404, (response.text, unknown.text)
    assert response.text.replace(real_id, "<id>") == unknown.text.replace(fake_id, "<id>")


def test_key_b_gets_404_on_every_route_for_key_a_items(live: LiveServer, tenant_a: Tenant) -> None:
    b_key = live.new_key(credits=1000, name="tenant-b")
    seen = Seen()
    with live.client(tenant_a.key) as a_client:  # A polls first: A's finished tasks are now in the poll cache
        for task_id in tenant_a.tasks:
            assert a_client.get(f"/producer/task/{task_id}").status_code == 200
    with live.client(b_key) as b:
        # Polls (fast path and routed path both end in the same 404).
        for task_id in tenant_a.tasks:
            fake = str(uuid.uuid4())
            for _ in range(2):
                _same_as_unknown(seen.record(b.get(f"/producer/task/{task_id}")),
                                 b.get(f"/producer/task/{fake}"), task_id, fake)
        # Every task type that takes a parent clip, and downloads.
        for clip_id in tenant_a.clips:
            fake = str(uuid.uuid4())
            for task_type in PRODUCER_TASK_TYPES:
                if task_type == "create_music":
                    continue
                body: dict[str, Any] = {"task_type": task_type, "clip_id": clip_id, "sound": SOUND}
                _same_as_unknown(seen.record(b.post("/producer/create", json=body)),
                                 b.post("/producer/create", json={**body, "clip_id": fake}), clip_id, fake)
            for fmt in ("mp3", "wav"):
                _same_as_unknown(seen.record(b.post("/producer/download", json={"clip_id": clip_id, "format": fmt})),
                                 b.post("/producer/download", json={"clip_id": fake, "format": fmt}), clip_id, fake)
        # A's Idempotency-Key with A's exact body: B gets a task of its own, not A's.
        mine = seen.record(b.post("/producer/create", json={"sound": SOUND, "make_instrumental": True, "length": 2},
                                  headers={"Idempotency-Key": "order-42"}))
        assert mine.status_code == 200 and mine.json()["task_id"] not in tenant_a.tasks
        b_task = mine.json()["task_id"]
        assert live.wait(b, b_task)["status"] == "SUCCESS"
        seen.record(b.get(f"/producer/task/{b_task}"))
        credits = seen.record(b.get("/get-credits")).json()
        seen.record(b.get("/models"))
    assert credits == {"credits": 990, "extra_credits": 0}  # only B's own task was charged
    b_id, a_id = key_id_of(live, b_key), key_id_of(live, tenant_a.key)
    assert [t.id for t in tasks_of(live, b_id)] == [b_task]
    assert len(tasks_of(live, a_id)) == len(tenant_a.tasks)
    # Nothing B saw names A's items, except the very identifiers B sent (echoed in "X not found").
    sent = set(tenant_a.tasks) | set(tenant_a.clips)
    for text in seen.bodies:
        for secret in tenant_a.secrets():
            if secret in text:
                assert secret in sent and re.search(rf"(Task|Clip) {re.escape(secret)} not found", text), text


def test_stems_scores_and_storage_paths_are_never_served(live: LiveServer, tenant_a: Tenant) -> None:
    names = ["stem:instrumental", "stem:vocals", "instrumental.flac", "vocals.flac", "stems", "score", "score.json",
             "mix.wav", "files", "audio.MP3", "..", "%2e%2e", "..%2f..%2fopenproducer.db", "audio.flac"]
    names += sorted({key.rsplit("/", 1)[-1] for key in tenant_a.file_keys} - set(MEDIA_FILES))
    for token in tenant_a.tokens:
        for name in names:
            response = httpx.get(f"{live.base_url}/media/{token}/{name}", timeout=10)
            assert response.status_code == 404, (name, response.status_code)
        for path in [f"/media/{token}/../../openproducer.db", f"/media/{token}/%2e%2e/%2e%2e/openproducer.db",
                     f"/media/{token}", f"/media/{token}/"]:
            assert httpx.get(live.base_url + path, timeout=10).status_code == 404, path
        for storage_key in tenant_a.file_keys:  # storage paths are not URLs
            assert httpx.get(f"{live.base_url}/media/{storage_key}", timeout=10).status_code == 404
            assert httpx.get(f"{live.base_url}/{storage_key}", timeout=10).status_code == 404


def test_media_is_reached_only_through_its_random_token(live: LiveServer, tenant_a: Tenant) -> None:
    for token in tenant_a.tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)  # 192 random bits
        assert httpx.get(f"{live.base_url}/media/{token}/audio.mp3", timeout=10).status_code == 200
    assert len(set(tenant_a.tokens)) == len(tenant_a.tokens)
    guesses = [tenant_a.tokens[0][:-1] + ("A" if tenant_a.tokens[0][-1] != "A" else "B"), tenant_a.clips[0],
               tenant_a.tasks[0], "0" * 32, "x" * 64, "x" * 65]
    for guess in guesses:
        assert httpx.get(f"{live.base_url}/media/{guess}/audio.mp3", timeout=10).status_code == 404, guess


def test_without_a_valid_key_nothing_is_revealed(live: LiveServer, tenant_a: Tenant) -> None:
    task_id = tenant_a.tasks[0]
    for headers in ({}, {"Authorization": "Bearer op_not-a-real-key"}, {"Authorization": tenant_a.key},
                    {"Authorization": f"Basic {tenant_a.key}"}):
        response = httpx.get(f"{live.api}/producer/task/{task_id}", headers=headers, timeout=10)
        assert response.status_code == 401 and task_id not in response.text
        response = httpx.post(f"{live.api}/producer/download", json={"clip_id": tenant_a.clips[0]},
                              headers=headers, timeout=10)
        assert response.status_code == 401 and tenant_a.clips[0] not in response.text


def test_keys_are_compared_in_constant_time_and_never_sent_to_the_database(
    live: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = live.new_key(credits=0)
    compared: list[tuple[str, str]] = []
    real_compare = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return real_compare(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        statements.append(f"{statement} {parameters!r}")

    engine = live.runtime.services.db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        resolver = KeyResolver(live.runtime.services.db)  # a fresh cache: the lookup goes to the database
        assert resolver.resolve(f"Bearer {key}") == key_id_of(live, key)
        with pytest.raises(Exception, match="Invalid API key"):
            resolver.resolve(f"Bearer {key[:-1]}{'A' if key[-1] != 'A' else 'B'}")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # The stored hash is compared with the request's hash by hmac.compare_digest (equal-length digests).
    assert compared and all(len(a) == len(b) == 64 for a, b in compared)
    # Only hashes travel to the database: the lookup is an index probe on SHA-256(key).
    assert statements and not any(key in s or key[3:] in s for s in statements)
