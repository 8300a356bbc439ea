"""Progress reports: throttled writes, but every new stage is recorded."""

from __future__ import annotations

from openproducer.core.lease import Lease
from openproducer.store import tasks
from openproducer.store.clock import utcnow
from openproducer.store.db import Database, migrate
from openproducer.store.keys import create_key
from openproducer.store.tables import Task


def test_every_stage_is_recorded_even_in_quick_succession(tmp_path):
    url = f"sqlite:///{tmp_path / 'lease.db'}"
    migrate(url)
    db = Database(url)
    with db.session() as session:
        key, _ = create_key(session, "k")
        session.add(Task(id="t1", api_key_id=key.id, task_type="create_music", engine="composer", status="PENDING",
                         params={}, price=10, clip_ids=["c1"], created_at=utcnow()))
    with db.session() as session:
        assert tasks.claim(session, "t1", "me", 30, 60) is not None
    lease = Lease(db, "t1", "me", 30, None)
    seen = []
    for progress, stage in ((5, "composing"), (6, "composing"), (20, "rendering"), (80, "mastering")):
        lease.report(progress, stage)
        with db.session(write=False) as session:
            task = session.get(Task, "t1")
            seen.append((task.progress, task.stage))
    assert seen == [(5, "composing"), (5, "composing"), (20, "rendering"), (80, "mastering")]
