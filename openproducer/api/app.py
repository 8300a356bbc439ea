"""The FastAPI application: routes, middleware, error handlers, and the worker's lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from openproducer import __version__
from openproducer.api.errors import install_error_handlers
from openproducer.api.fastpath import PollFastPath, PollFunction
from openproducer.api.metrics import METRICS_EXTRA, HttpLatency, prometheus_metrics
from openproducer.api.middleware import BodyLimitMiddleware, RequestEdge
from openproducer.api.origin import request_origin
from openproducer.api.routes import (
    account,
    docs,
    health,
    media,
    nuro,
    producer,
    riffusion,
    sonic,
    sonic_helpers,
    studio,
    studio_page,
)
from openproducer.core.accounts import KeyResolver
from openproducer.core.limits import RateLimiter
from openproducer.core.queries import TaskPolls
from openproducer.runtime import Runtime

__all__ = ["POLL_PREFIXES", "OpenProducerAPI", "create_app"]

# Every family's poll path -> the family whose tasks it answers (the fast path answers these first).
POLL_PREFIXES = {
    "/api/v1/producer/task/": "producer",
    "/api/v1/sonic/task/": "sonic",
    "/api/v1/suno/clip/": "sonic",
    "/api/v1/suno/task/": "sonic",
    "/api/v1/riffusion/task/": "riffusion",
    "/api/v1/nuro/task/": "nuro",
    "/api/v1/studio/task/": "studio",
}


class OpenProducerAPI(FastAPI):
    """FastAPI behind a thin front (``front``: request ids, latency, the poll fast path) that
    sees every request first, so a poll is answered before any of FastAPI's own layers run."""

    front: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.front is None:
            await super().__call__(scope, receive, send)
        else:
            await self.front(scope, receive, send)

    async def behind_front(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)


def create_app(runtime: Runtime, start_workers: bool = True) -> OpenProducerAPI:
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

    app = OpenProducerAPI(
        title="OpenProducer",
        version=__version__,
        summary="A self-hostable implementation of the Producer music-generation API.",
        lifespan=lifespan,
        docs_url=None,  # served from packaged assets instead of a CDN: routes/docs.py
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.services = runtime.services
    keys = app.state.keys = KeyResolver(runtime.services.db)
    # Embedded mode with workers: this process (holding the data folder) is the only writer of tasks,
    # so running tasks' answers can be cached until it commits a write.
    only_writer = settings.embedded_broker and start_workers and settings.workers > 0
    polls = app.state.polls = TaskPolls(runtime.services, live=only_writer)
    app.state.limiter = RateLimiter(settings)
    for family_router in (producer.router, sonic.router, riffusion.router, nuro.router, studio.router):
        app.include_router(family_router, prefix="/api/v1")
    app.include_router(sonic_helpers.router, prefix="/api/v1")
    app.include_router(sonic_helpers.public)
    app.include_router(account.router, prefix="/api/v1")
    app.include_router(media.router)
    app.include_router(health.router)
    app.include_router(docs.router)
    app.include_router(studio_page.router)
    latency = HttpLatency()
    metrics = app.state.metrics = prometheus_metrics(runtime.services, latency)

    @app.get("/metrics", include_in_schema=False)
    def prometheus() -> Response:
        if metrics is None:
            return JSONResponse(
                {"code": 501, "type": "not_implemented",
                 "error": f"metrics are off: they need prometheus-client ({METRICS_EXTRA})"},
                status_code=501,
            )
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    def family_poll(family: str) -> PollFunction:
        def poll(scope: Scope, authorization: str | None, task_id: str) -> tuple[int, bytes]:
            return polls.poll(keys.resolve(authorization), task_id, family, request_origin(scope, settings))
        return poll

    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, timeout_s=settings.body_timeout_s)
    fast_path = PollFastPath(
        app.behind_front, {prefix: family_poll(family) for prefix, family in POLL_PREFIXES.items()},
        inline=runtime.services.db.is_sqlite,
    )
    app.front = RequestEdge(fast_path, latency if metrics is not None else None)
    return app
