"""The ledger: balances are sums of rows, extra first, never negative, refunds exactly once."""

from __future__ import annotations

import pytest

from openproducer.core import credits
from openproducer.core.errors import NotEnoughCredits
from openproducer.families import UnknownTaskType
from openproducer.families.producer import PRODUCER
from openproducer.store import ledger
from openproducer.store.db import Database, migrate
from openproducer.store.keys import create_key


@pytest.fixture()
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    migrate(url)
    return Database(url)


def _key(db, amount=0, extra=0):
    with db.session() as session:
        key, _ = create_key(session, "k")
        if amount:
            credits.grant(session, key.id, amount)
        if extra:
            credits.grant(session, key.id, extra, extra=True)
        return key.id


def test_extra_credits_are_spent_first_and_split(db):
    key_id = _key(db, amount=30, extra=4)
    with db.session() as session:
        credits.charge(session, key_id, "t1", 10)
        assert credits.get_balance(session, key_id) == credits.Balance(credits=24, extra_credits=0)
        entries = sorted((e.pool, e.amount) for e in ledger.task_entries(session, "t1"))
        assert entries == [("credits", -6), ("extra", -4)]


def test_short_balance_raises_and_writes_nothing(db):
    key_id = _key(db, amount=5)
    with pytest.raises(NotEnoughCredits), db.session() as session:
        credits.charge(session, key_id, "t1", 10)
    with db.session() as session:
        assert ledger.task_entries(session, "t1") == []
        assert credits.get_balance(session, key_id).credits == 5


def test_refund_happens_once(db):
    key_id = _key(db, amount=20, extra=3)
    with db.session() as session:
        credits.charge(session, key_id, "t1", 10)
    with db.session() as session:
        assert ledger.refund_task(session, "t1", "failed") == 10
    with db.session() as session:
        assert ledger.refund_task(session, "t1", "failed again") == 0
        assert credits.get_balance(session, key_id) == credits.Balance(credits=20, extra_credits=3)


def test_prices_follow_the_contract_and_are_never_guessed():
    assert PRODUCER.price("create_music") == 10
    assert PRODUCER.price("replace_upload_music") == 10
    assert PRODUCER.price("upload") == 2
    assert PRODUCER.price("download") == 2
    with pytest.raises(UnknownTaskType):
        PRODUCER.price("make_coffee")
