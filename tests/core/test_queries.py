"""Polls answered from the in-process cache: finished tasks always, running ones only while this
process is the only writer and has committed nothing since the answer was read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openproducer.core.config import Settings
from openproducer.core.errors import TaskNotFound
from openproducer.core.queries import TaskPolls
from openproducer.core.services import Services
from openproducer.media.stores import open_blob_store
from openproducer.store import tasks
from openproducer.store.clock import utcnow
from openproducer.store.db import Database, migrate
from openproducer.store.keys import create_key
from openproducer.store.tables import Task

ORIGIN = "http://test"


@pytest.fixture()
def services(tmp_path: Path) -> Services:
    settings = Settings(data_dir=tmp_path)
    migrate(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    return Services(settings, db, open_blob_store(settings.resolved_storage_url), lambda _task, _queue: None)


def _running_task(services: Services) -> tuple[int, str]:
    with services.db.session() as session:
        key, _ = create_key(session, "polls")
        session.flush()
        session.add(Task(
            id="t-1", api_key_id=key.id, family="producer", task_type="create_music", engine="composer",
            status=tasks.PENDING, params={}, price=10, clip_ids=["c-1"], created_at=utcnow(),
        ))
    with services.db.session() as session:
        assert tasks.claim(session, "t-1", "worker-a", 60, 600) is not None
    return key.id, "t-1"


def _progress(services: Services, value: int, stage: str) -> None:
    with services.db.session() as session:
        assert tasks.set_progress(session, "t-1", "worker-a", value, stage, 60)


def _answer(polls: TaskPolls, key_id: int) -> dict:
    status, body = polls.poll(key_id, "t-1", "producer", ORIGIN)
    return json.loads(body)


class CountingReads:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, after_read=None) -> None:  # type: ignore[no-untyped-def]
        self.count = 0
        self.after_read = after_read
        real = tasks.poll_row

        def counted(db, task_id):  # type: ignore[no-untyped-def]
            self.count += 1
            row = real(db, task_id)
            if self.after_read is not None:
                hook, self.after_read = self.after_read, None
                hook()
            return row

        monkeypatch.setattr(tasks, "poll_row", counted)


def test_a_running_tasks_answer_is_reused_until_a_write_is_committed(services, monkeypatch):
    key_id, _ = _running_task(services)
    polls = TaskPolls(services, live=True)
    reads = CountingReads(monkeypatch)
    first = _answer(polls, key_id)
    assert first["status"] == "RUNNING" and first["stage"] == "starting"
    for _ in range(5):
        assert _answer(polls, key_id) == first
    assert reads.count == 1  # nothing was committed: no new read
    _progress(services, 40, "singing")
    moved = _answer(polls, key_id)
    assert (moved["progress"], moved["stage"]) == (40, "singing")
    assert reads.count == 2


def test_any_commit_of_this_process_invalidates_the_running_answers(services, monkeypatch):
    key_id, _ = _running_task(services)
    polls = TaskPolls(services, live=True)
    reads = CountingReads(monkeypatch)
    _answer(polls, key_id)
    with services.db.session() as session:  # a write that has nothing to do with the task
        create_key(session, "other")
    _answer(polls, key_id)
    assert reads.count == 2


def test_a_write_landing_while_the_row_is_read_is_not_hidden(services, monkeypatch):
    """The commit count is taken before the row: a change committed just after the read (the
    answer cached is already old) must still show on the next poll."""
    key_id, _ = _running_task(services)
    polls = TaskPolls(services, live=True)
    CountingReads(monkeypatch, after_read=lambda: _progress(services, 70, "mixing"))
    assert _answer(polls, key_id)["stage"] == "starting"  # read before the write landed
    assert _answer(polls, key_id)["stage"] == "mixing"


def test_without_live_every_poll_of_a_running_task_reads_the_row(services, monkeypatch):
    key_id, _ = _running_task(services)
    polls = TaskPolls(services, live=False)  # another process may write (scale mode)
    reads = CountingReads(monkeypatch)
    for _ in range(3):
        _answer(polls, key_id)
    assert reads.count == 3


def test_a_finished_task_is_served_from_the_cache_and_other_keys_see_nothing(services, monkeypatch):
    key_id, _ = _running_task(services)
    polls = TaskPolls(services, live=True)
    assert _answer(polls, key_id)["status"] == "RUNNING"
    with services.db.session() as session:
        assert tasks.finish(session, "t-1", "worker-a", tasks.FAILED, error_type="failed", error="no")
    reads = CountingReads(monkeypatch)
    assert _answer(polls, key_id)["status"] == "FAILED"
    with services.db.session() as session:
        create_key(session, "later")
    assert _answer(polls, key_id)["status"] == "FAILED"
    assert reads.count == 1  # final answers stay cached across commits
    with pytest.raises(TaskNotFound):
        polls.poll(key_id + 1, "t-1", "producer", ORIGIN)
    with pytest.raises(TaskNotFound):
        polls.poll(key_id, "t-1", "sonic", ORIGIN)


def test_a_poll_while_a_write_is_open_is_not_kept_past_its_commit(services):
    """The count moves after the commit, not before: an answer read while a write was still open
    (the old row) is not served once that write has committed."""
    key_id, _ = _running_task(services)
    polls = TaskPolls(services, live=True)
    with services.db.session() as session:
        assert tasks.set_progress(session, "t-1", "worker-a", 55, "playing", 60)
        assert _answer(polls, key_id)["stage"] == "starting"  # not committed yet: the old row
    assert _answer(polls, key_id)["stage"] == "playing"
