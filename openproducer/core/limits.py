"""Per-key rate limits (the ``limits`` library): memory in one process, Redis across API nodes."""

from __future__ import annotations

import logging
import math
import time

from limits import parse_many, storage, strategies

from openproducer.core.config import Settings
from openproducer.core.errors import RateLimited

__all__ = ["RateLimiter"]

log = logging.getLogger(__name__)


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        url = settings.rate_limit_storage_url
        if url is None and settings.broker_url and settings.broker_url.startswith("redis"):
            url = settings.broker_url
        self.limits = parse_many(settings.rate_limit) if settings.rate_limit else []
        self.storage = storage.storage_from_string(url or "memory://")
        self.strategy = strategies.MovingWindowRateLimiter(self.storage)

    def check(self, api_key_id: int, scope: str = "submit") -> None:
        """Count one request; raises RateLimited (429, Retry-After) when a limit is exhausted.

        If the limit store (Redis) is unreachable the request is let through: the limiter
        protects the service and must not take it down with it.
        """
        for limit in self.limits:
            try:
                allowed = self.strategy.hit(limit, scope, str(api_key_id))
            except Exception:
                log.warning("rate-limit storage unavailable; letting the request through", exc_info=True)
                return
            if not allowed:
                reset = self.strategy.get_window_stats(limit, scope, str(api_key_id)).reset_time
                retry_after = max(1, math.ceil(reset - time.time()))
                raise RateLimited(f"Rate limit exceeded ({limit}); retry in {retry_after} s.", retry_after)
