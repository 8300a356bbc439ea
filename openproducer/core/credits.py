"""The rules for spending credits (extra credits first, never below zero)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from openproducer.core.errors import NotEnoughCredits
from openproducer.store import ledger

__all__ = ["Balance", "charge", "get_balance", "grant"]

# Prices live beside each family's task table (openproducer/families/), never defaulted here.


@dataclass(frozen=True)
class Balance:
    credits: int
    extra_credits: int

    @property
    def total(self) -> int:
        return self.credits + self.extra_credits


def get_balance(session: Session, api_key_id: int) -> Balance:
    pools = ledger.balances(session, api_key_id)
    return Balance(credits=pools["credits"], extra_credits=pools["extra"])


def grant(session: Session, api_key_id: int, amount: int, extra: bool = False, note: str = "") -> None:
    ledger.add_entry(session, api_key_id, "grant", "extra" if extra else "credits", amount, note=note)


def charge(session: Session, api_key_id: int, task_id: str, price: int) -> None:
    """Debit ``price`` for ``task_id``, spending extra credits first.

    Raises NotEnoughCredits (and writes nothing) when the balance is short.
    """
    if price <= 0:
        return
    ledger.lock_key(session, api_key_id)
    pools = ledger.balances(session, api_key_id)
    available = pools["extra"] + pools["credits"]
    if available < price:
        raise NotEnoughCredits(price, available)
    from_extra = min(pools["extra"], price)
    if from_extra:
        ledger.add_entry(session, api_key_id, "debit", "extra", -from_extra, task_id)
    if price - from_extra:
        ledger.add_entry(session, api_key_id, "debit", "credits", -(price - from_extra), task_id)
