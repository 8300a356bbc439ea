"""HTTP latency figures, and a server without prometheus-client: it runs, /metrics says which extra to install."""

from __future__ import annotations

import logging
import sys

import httpx
import pytest

from openproducer.api.metrics import BUCKETS, HttpLatency

BODY = {"sound": "calm ambient piano with soft strings", "make_instrumental": True, "length": 4}


def test_latency_histogram_is_cumulative_with_sum_and_count():
    pytest.importorskip("prometheus_client")
    latency = HttpLatency()
    for seconds in (0.0005, 0.001, 0.003, 0.3, 7.0):
        latency.observe("GET", "poll", 200, seconds)
    latency.observe("POST", "/api/v1/producer/create", 400, 0.02)

    from prometheus_client import CollectorRegistry, generate_latest

    from openproducer.api.metrics import _HttpCollector

    registry = CollectorRegistry()
    registry.register(_HttpCollector(latency))
    text = generate_latest(registry).decode()
    poll = 'method="GET",route="poll",status="200"'
    assert f'openproducer_http_request_duration_seconds_bucket{{le="0.001",{poll}}} 2.0' in text
    assert f'openproducer_http_request_duration_seconds_bucket{{le="0.005",{poll}}} 3.0' in text
    assert f'openproducer_http_request_duration_seconds_bucket{{le="2.5",{poll}}} 4.0' in text
    assert f'openproducer_http_request_duration_seconds_bucket{{le="+Inf",{poll}}} 5.0' in text
    assert f"openproducer_http_request_duration_seconds_count{{{poll}}} 5.0" in text
    assert f"openproducer_http_request_duration_seconds_sum{{{poll}}} 7.3045" in text
    assert 'route="/api/v1/producer/create",status="400"' in text
    assert len(BUCKETS) == 11


def test_polls_are_timed_under_the_poll_route(fake_server):
    pytest.importorskip("prometheus_client")
    live = fake_server()
    with live.client(live.new_key(credits=100)) as client:
        task_id = client.post("/producer/create", json=BODY).json()["task_id"]
        live.wait(client, task_id)
        for _ in range(3):
            client.get(f"/producer/task/{task_id}")
        text = httpx.get(live.base_url + "/metrics").text
    series = 'openproducer_http_request_duration_seconds_count{method="GET",route="poll",status="200"}'
    count = [line for line in text.splitlines() if line.startswith(series)]
    assert count and float(count[0].split()[-1]) >= 4


def test_without_prometheus_client_the_server_runs_and_metrics_answer_501(fake_server, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "prometheus_client", None)  # import prometheus_client now fails
    with caplog.at_level(logging.INFO, logger="openproducer.api.metrics"):
        live = fake_server()
    assert any("metrics off" in r.message and "openproducer[scale]" in r.message for r in caplog.records)
    response = httpx.get(live.base_url + "/metrics")
    assert response.status_code == 501
    assert response.json() == {
        "code": 501, "type": "not_implemented",
        "error": "metrics are off: they need prometheus-client (pip install 'openproducer[scale]')",
    }
    with live.client(live.new_key(credits=100)) as client:  # the rest of the API is unaffected
        task_id = client.post("/producer/create", json=BODY).json()["task_id"]
        assert live.wait(client, task_id)["status"] == "SUCCESS"
        assert client.get(f"/producer/task/{task_id}").headers["x-request-id"]
