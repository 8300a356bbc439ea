"""Prometheus metrics at ``/metrics``.

Task figures are read from the database when scraped, so any API node reports the whole
fleet (every worker, every machine) without a push gateway; HTTP latency is per process.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openproducer.core.services import Services
from openproducer.store import tasks as task_store

__all__ = ["Metrics"]


class _TaskCollector:
    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[object]:
        with self.services.db.session(write=False) as session:
            stats = task_store.fleet_stats(session)
        depth = GaugeMetricFamily("openproducer_queue_depth", "PENDING tasks per engine", labels=["engine"])
        running = GaugeMetricFamily("openproducer_tasks_running", "RUNNING tasks per engine", labels=["engine"])
        for (engine, status), count in stats.active.items():
            (depth if status == task_store.PENDING else running).add_metric([engine], count)
        finished = CounterMetricFamily(
            "openproducer_tasks_finished", "tasks ended, by type, engine and status",
            labels=["task_type", "engine", "status"],
        )
        duration = SummaryMetricFamily(
            "openproducer_task_duration_seconds", "wall time of the run that ended each task",
            labels=["task_type", "engine"],
        )
        for (task_type, engine, status), count in stats.finished.items():
            finished.add_metric([task_type, engine, status], count)
        for (task_type, engine), (count, seconds) in stats.durations.items():
            duration.add_metric([task_type, engine], count_value=count, sum_value=seconds)
        refunds = CounterMetricFamily("openproducer_refunds", "refund ledger entries")
        refunds.add_metric([], stats.refunds)
        yield from (depth, running, finished, duration, refunds)


class Metrics:
    def __init__(self, services: Services) -> None:
        self.registry = CollectorRegistry()
        self.http_latency = Histogram(
            "openproducer_http_request_duration_seconds", "HTTP latency by route", ["method", "route", "status"],
            registry=self.registry, buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )
        self.registry.register(_TaskCollector(services))

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def middleware(self, app: ASGIApp) -> ASGIApp:
        histogram = self.http_latency

        async def timed(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            start = time.perf_counter()
            status = [500]

            async def record_status(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status[0] = message["status"]
                await send(message)

            try:
                await app(scope, receive, record_status)
            finally:
                route = scope.get("route")
                path = getattr(route, "path", None) or ("poll" if "/producer/task/" in scope["path"] else "other")
                histogram.labels(scope["method"], path, str(status[0])).observe(time.perf_counter() - start)

        return timed
