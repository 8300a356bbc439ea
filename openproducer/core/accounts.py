"""Who is calling: API keys resolved to accounts, with a short in-process cache for hot polls."""

from __future__ import annotations

import hmac
import threading
import time

from openproducer.core.errors import Unauthorized
from openproducer.store import keys
from openproducer.store.db import Database

__all__ = ["KeyResolver", "parse_bearer"]

_MISSING = "Authorization header is missing."
_MALFORMED = "Invalid authorization format."
_UNKNOWN = "Invalid API key."


def parse_bearer(header: str | None) -> str:
    if not header:
        raise Unauthorized(_MISSING)
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token or len(token) > 512:
        raise Unauthorized(_MALFORMED)
    return token


class KeyResolver:
    """Maps a bearer token to its api_key id. Hits are cached for ``ttl_s`` seconds, so a
    disabled key stops working within that time; misses always go to the database."""

    def __init__(self, db: Database, ttl_s: float = 30.0, max_entries: int = 10_000) -> None:
        self.db = db
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._cache: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def resolve(self, header: str | None) -> int:
        token = parse_bearer(header)
        digest = keys.hash_key(token)
        now = time.monotonic()
        hit = self._cache.get(digest)
        if hit is not None and hit[1] > now:
            return hit[0]
        with self.db.session(write=False) as session:
            key = keys.find_key(session, token)
            if key is None or not hmac.compare_digest(key.key_hash, digest):
                raise Unauthorized(_UNKNOWN)
            key_id = key.id
        with self._lock:
            if len(self._cache) >= self.max_entries:
                self._cache.clear()
            self._cache[digest] = (key_id, now + self.ttl_s)
        return key_id
