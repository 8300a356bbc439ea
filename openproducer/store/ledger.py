"""The credit ledger. Every movement is a row; balances are sums of rows."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openproducer.store.clock import utcnow
from openproducer.store.tables import ApiKey, LedgerEntry

__all__ = ["POOLS", "add_entry", "balances", "lock_key", "refund_task", "task_entries"]

POOLS = ("extra", "credits")  # spending order: extra credits first


def lock_key(session: Session, api_key_id: int) -> None:
    """Serialise credit decisions per key (FOR UPDATE on PostgreSQL; SQLite holds the write lock)."""
    session.execute(select(ApiKey.id).where(ApiKey.id == api_key_id).with_for_update())


def balances(session: Session, api_key_id: int) -> dict[str, int]:
    rows = session.execute(
        select(LedgerEntry.pool, func.coalesce(func.sum(LedgerEntry.amount), 0))
        .where(LedgerEntry.api_key_id == api_key_id)
        .group_by(LedgerEntry.pool)
    )
    result = dict.fromkeys(POOLS, 0)
    result.update({pool: int(total) for pool, total in rows})
    return result


def add_entry(
    session: Session, api_key_id: int, kind: str, pool: str, amount: int, task_id: str | None = None, note: str = ""
) -> None:
    session.add(
        LedgerEntry(
            api_key_id=api_key_id, task_id=task_id, kind=kind, pool=pool, amount=amount, note=note,
            created_at=utcnow(),
        )
    )


def task_entries(session: Session, task_id: str) -> list[LedgerEntry]:
    return list(session.scalars(select(LedgerEntry).where(LedgerEntry.task_id == task_id)))


def refund_task(session: Session, task_id: str, note: str) -> int:
    """Give back what a task was debited, once. Returns the credits refunded (0 if already done)."""
    entries = task_entries(session, task_id)
    refunded = {e.pool for e in entries if e.kind == "refund"}
    total = 0
    for entry in entries:
        if entry.kind == "debit" and entry.pool not in refunded:
            try:
                with session.begin_nested():
                    add_entry(session, entry.api_key_id, "refund", entry.pool, -entry.amount, task_id, note)
            except IntegrityError:  # a concurrent refund got there first
                continue
            total += -entry.amount
    return total
