"""The contract every API family keeps. A family's test class inherits FamilyContract and names
the family, its submit model and a request for each task type that needs no parent."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any, ClassVar, get_args

import pytest
from pydantic import BaseModel
from sqlalchemy import func, select

from openproducer.core.errors import InvalidParameter
from openproducer.core.submit import submit
from openproducer.core.works import WORKS
from openproducer.families import FAMILIES
from openproducer.families.base import Family, with_origin
from openproducer.store.clock import utcnow
from openproducer.store.keys import find_key
from openproducer.store.tables import Clip, Task
from openproducer.store.tasks import FAILED, PENDING, RUNNING, SUCCESS

_DONE_CLIP = {"clip_id": "c1", "state": "succeeded"}


def _row(status: str, result: list[dict[str, Any]] | None = None, **extra: Any) -> SimpleNamespace:
    now = utcnow()
    return SimpleNamespace(id="t-1", api_key_id=1, family="x", task_type="create_music", status=status,
                           progress=40 if status == RUNNING else 0, stage="singing" if status == RUNNING else "queued",
                           result=result, error_type=extra.get("error_type"), error=extra.get("error"),
                           created_at=now, started_at=now, finished_at=now, params={})


def _services_and_key(fake_server) -> tuple[Any, int]:  # type: ignore[no-untyped-def]
    """A FakeEngine server's services, and the id of a new key with credits."""
    live = fake_server()
    key = live.new_key(credits=1000)
    with live.runtime.services.db.session(write=False) as session:
        return live.runtime.services, find_key(session, key).id


class FamilyContract:
    family: ClassVar[Family]
    submit_model: ClassVar[type[BaseModel]]
    # task type -> a request body that needs no parent clip, for the N-clips check
    requests: ClassVar[dict[str, dict[str, Any]]]
    # a finished clip of this family's shape, for the poll-body check
    done_item: ClassVar[dict[str, Any]]

    def accepted_task_types(self) -> tuple[str, ...]:
        """The task types the submit model accepts; a family whose requests have no ``task_type``
        field (Nuro, Studio) names its own."""
        return get_args(self.submit_model.model_fields["task_type"].annotation)

    def test_registered(self):
        assert FAMILIES[self.family.name] is self.family

    def test_every_accepted_task_type_has_a_spec_and_a_price(self):
        accepted = self.accepted_task_types()
        assert accepted, "the submit model names its task types"
        for task_type in accepted:
            spec = self.family.spec(task_type)
            assert isinstance(spec.price, int) and spec.price > 0, task_type
        for task_type, spec in self.family.tasks.items():
            assert spec.kind in WORKS or spec.kind == "instant", (task_type, spec.kind)
            assert spec.price >= 0 and spec.clips >= 0
            if spec.kind == "render":
                assert spec.operation is not None, task_type

    def test_each_state_polls_as_its_model(self):
        rows = {
            PENDING: _row(PENDING),
            RUNNING: _row(RUNNING),
            SUCCESS: _row(SUCCESS, [self.done_item, self.done_item]),
            FAILED: _row(FAILED, error_type="timeout", error="The task exceeded its time limit."),
        }
        for state, row in rows.items():
            status, body = self.family.poll(row)
            model = self.family.poll_models[state]
            model.model_validate(body)  # extra keys are refused: the model is the answer
            if state in (PENDING, RUNNING):
                assert status == 202 or body.get("code") != 200, "an unfinished task must not look finished"
            if state == FAILED:
                assert body.get("type") in ("failed", "timeout", "forbidden", "api_error")

    def test_webhook_body_is_the_poll_body(self):
        row = _row(SUCCESS, [self.done_item])
        poll = self.family.poll(row)[1]
        webhook = self.family.webhook_body(row)
        assert webhook == (poll if "task_id" in poll else {"task_id": row.id, **poll})

    def test_media_paths_get_the_origin(self):
        item = {**self.done_item}
        body = with_origin({"data": [item]}, "http://h:1")
        for key, value in body["data"][0].items():
            if isinstance(value, str) and key.endswith("_url"):
                assert not value.startswith("/media/"), key

    def test_n_clip_task_stores_n_clips(self, fake_server):
        services, key_id = _services_and_key(fake_server)
        for task_type, body in self.requests.items():
            spec = self.family.spec(task_type)
            task_id = submit(services, key_id, self.family, task_type, body)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with services.db.session(write=False) as session:
                    task = session.get(Task, task_id)
                    if task.status in (SUCCESS, FAILED):
                        break
                time.sleep(0.05)
            with services.db.session(write=False) as session:
                task = session.get(Task, task_id)
                assert task.status == SUCCESS, (task_type, task.error)
                stored = session.scalar(select(func.count()).select_from(Clip).where(Clip.task_id == task_id))
                assert stored == spec.clips == len(task.result), task_type
                assert task.family == self.family.name

    def test_idempotency_hash_includes_the_family(self, fake_server):
        services, key_id = _services_and_key(fake_server)
        task_type, body = next(iter(self.requests.items()))
        first = submit(services, key_id, self.family, task_type, body, idempotency_key="same-key")
        assert submit(services, key_id, self.family, task_type, body, idempotency_key="same-key") == first
        other = next(f for name, f in FAMILIES.items() if name != self.family.name and task_type in f.tasks)
        with pytest.raises(InvalidParameter) as refused:
            submit(services, key_id, other, task_type, body, idempotency_key="same-key")
        assert refused.value.field == "Idempotency-Key"
