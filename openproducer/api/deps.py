"""Request dependencies: the process's services and the calling account."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from openproducer.core.accounts import KeyResolver
from openproducer.core.services import Services

__all__ = ["ApiKeyId", "RateLimitedKeyId", "ServicesDep", "call_db"]


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


async def call_db(services: Services, fn, *args):  # type: ignore[no-untyped-def]
    """Run a short database read. SQLite answers in microseconds, so it runs inline on the event
    loop (a thread hop would cost more than the query); a network database goes to a thread."""
    if services.db.is_sqlite:
        return fn(*args)
    return await run_in_threadpool(fn, *args)


async def get_api_key_id(request: Request) -> int:
    resolver: KeyResolver = request.app.state.keys
    return await call_db(request.app.state.services, resolver.resolve, request.headers.get("authorization"))


ApiKeyId = Annotated[int, Depends(get_api_key_id)]


async def check_rate(request: Request, api_key_id: ApiKeyId) -> int:
    """The caller's key id, after counting this request against its submit rate limit."""
    await call_db(request.app.state.services, request.app.state.limiter.check, api_key_id)
    return api_key_id


RateLimitedKeyId = Annotated[int, Depends(check_rate)]
