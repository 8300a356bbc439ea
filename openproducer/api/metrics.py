"""Metrics: HTTP latency kept cheaply per request, served as Prometheus text at ``/metrics``.

Task figures are read from the database when scraped, so any API node reports the whole
fleet (every worker, every machine) without a push gateway; HTTP latency is per process.
Prometheus output needs ``prometheus-client`` (the ``scale`` extra); without it the server
runs as usual and ``/metrics`` answers 501 saying which extra turns it on.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from openproducer.core.services import Services
from openproducer.extras import SCALE_EXTRA
from openproducer.store import tasks as task_store

__all__ = ["BUCKETS", "METRICS_EXTRA", "HttpLatency", "PrometheusMetrics", "prometheus_metrics"]

log = logging.getLogger(__name__)

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
METRICS_EXTRA = SCALE_EXTRA


class HttpLatency:
    """A latency histogram per (method, route, status) in plain lists.

    Observing is a bisect and two additions, done on the event loop's thread (the only writer),
    so a request pays about a microsecond; the Prometheus histogram is built only when scraped.
    """

    def __init__(self) -> None:
        self.series: dict[tuple[str, str, str], list[float]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, str(status))
        counts = self.series.get(key)
        if counts is None:
            counts = self.series[key] = [0.0] * (len(BUCKETS) + 2)  # one per bucket, +Inf, then the sum
        counts[bisect_left(BUCKETS, seconds)] += 1
        counts[-1] += seconds

    def snapshot(self) -> list[tuple[tuple[str, str, str], list[float]]]:
        """A consistent copy (list() of a dict's items runs without releasing the GIL)."""
        return [(key, list(counts)) for key, counts in list(self.series.items())]


class PrometheusMetrics:
    """The ``/metrics`` document: HTTP latency of this process and the fleet's task figures."""

    def __init__(self, services: Services, latency: HttpLatency) -> None:
        from prometheus_client import CollectorRegistry

        self.registry = CollectorRegistry()
        self.registry.register(_HttpCollector(latency))
        self.registry.register(_TaskCollector(services))

    def render(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def prometheus_metrics(services: Services, latency: HttpLatency) -> PrometheusMetrics | None:
    """The metrics document, or None (logged once, with the extra that enables it) without prometheus-client."""
    try:
        return PrometheusMetrics(services, latency)
    except ImportError:
        log.info("metrics off: /metrics needs prometheus-client (%s)", METRICS_EXTRA)
        return None


class _HttpCollector:
    def __init__(self, latency: HttpLatency) -> None:
        self.latency = latency

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import HistogramMetricFamily

        family = HistogramMetricFamily(
            "openproducer_http_request_duration_seconds", "HTTP latency by route",
            labels=["method", "route", "status"],
        )
        bounds = [*(f"{bound:g}" for bound in BUCKETS), "+Inf"]
        for labels, counts in self.latency.snapshot():
            cumulative, total = [], 0.0
            for bound, count in zip(bounds, counts[:-1], strict=True):
                total += count
                cumulative.append((bound, total))
            family.add_metric(list(labels), cumulative, sum_value=counts[-1])
        yield family


class _TaskCollector:
    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily

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
