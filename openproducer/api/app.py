"""The FastAPI application: routes, middleware, error handlers, and the worker's lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import Response

from openproducer import __version__
from openproducer.api.errors import install_error_handlers
from openproducer.api.fastpath import PollFastPath
from openproducer.api.metrics import Metrics
from openproducer.api.middleware import BodyLimitMiddleware, RequestIdMiddleware
from openproducer.api.routes import account, health, media, producer, sonic, sonic_helpers
from openproducer.core.accounts import KeyResolver
from openproducer.core.limits import RateLimiter
from openproducer.core.queries import TaskPolls
from openproducer.runtime import Runtime

__all__ = ["create_app"]


def create_app(runtime: Runtime, start_workers: bool = True) -> FastAPI:
    """``start_workers``: run ``settings.workers`` worker threads inside this process (embedded)."""
    settings = runtime.settings

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if start_workers and settings.workers > 0:
            runtime.start_workers(settings.workers)
        try:
            yield
        finally:
            runtime.stop()

    app = FastAPI(
        title="OpenProducer",
        version=__version__,
        summary="A self-hostable implementation of the Producer music-generation API.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.services = runtime.services
    keys = app.state.keys = KeyResolver(runtime.services.db)
    polls = app.state.polls = TaskPolls(runtime.services)
    app.state.limiter = RateLimiter(settings)
    app.include_router(producer.router, prefix="/api/v1")
    app.include_router(sonic.router, prefix="/api/v1")
    app.include_router(sonic_helpers.router, prefix="/api/v1")
    app.include_router(sonic_helpers.public)
    app.include_router(account.router, prefix="/api/v1")
    app.include_router(media.router)
    app.include_router(health.router)
    metrics = app.state.metrics = Metrics(runtime.services)

    @app.get("/metrics", include_in_schema=False)
    def prometheus() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, timeout_s=settings.body_timeout_s)
    app.add_middleware(PollFastPath, keys=keys, polls=polls, inline=runtime.services.db.is_sqlite)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(metrics.middleware)
    return app
