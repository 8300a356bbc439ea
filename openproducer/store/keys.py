"""API keys: stored as SHA-256 hashes; the plaintext is shown once, at creation."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from openproducer.store.clock import utcnow
from openproducer.store.tables import ApiKey

__all__ = ["create_key", "find_by_prefix", "find_key", "hash_key", "list_keys"]

_KEY_PREFIX = "op_"


def hash_key(plaintext: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(plaintext.encode("utf-8", "surrogatepass")).hexdigest()


def create_key(session: Session, name: str) -> tuple[ApiKey, str]:
    plaintext = _KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name, prefix=plaintext[:11], key_hash=hash_key(plaintext), created_at=utcnow())
    session.add(key)
    session.flush()
    return key, plaintext


def find_key(session: Session, plaintext: str) -> ApiKey | None:
    """Look a key up by its hash (an index probe; the comparison happens on digests)."""
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(plaintext)))
    if key is None or key.disabled:
        return None
    return key


def find_by_prefix(session: Session, prefix: str) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).where(ApiKey.prefix.startswith(prefix, autoescape=True))))


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))
