"""Health, readiness, the OpenAPI page, request ids, and settings from a TOML file."""

from __future__ import annotations

import httpx

from openproducer.core.config import load_settings


def test_health_and_readiness(server):
    assert httpx.get(server.base_url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(server.base_url + "/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "storage": "ok", "broker": "ok"}


def test_openapi_documents_every_route(server):
    spec = httpx.get(server.base_url + "/openapi.json").json()
    for path in ("/api/v1/producer/create", "/api/v1/producer/task/{task_id}", "/api/v1/producer/upload",
                 "/api/v1/producer/download", "/api/v1/get-credits"):
        assert path in spec["paths"], path
    assert httpx.get(server.base_url + "/docs").status_code == 200


def test_request_ids_are_returned_and_echoed(server):
    response = httpx.get(server.base_url + "/healthz")
    assert len(response.headers["x-request-id"]) >= 16
    echoed = httpx.get(server.base_url + "/healthz", headers={"X-Request-Id": "client-abc.1"})
    assert echoed.headers["x-request-id"] == "client-abc.1"


def test_unknown_route_uses_the_error_shape(server):
    response = httpx.get(server.api + "/nothing-here")
    assert response.status_code == 404 and response.json()["type"] == "not_found"


def test_models_listing(server):
    with server.client(server.new_key()) as client:
        models = client.get("/models").json()["data"]
    names = {m["mv"] for m in models}
    assert {"FUZZ-2.0", "FUZZ-2.0 Raw", "FUZZ-0.8"} <= names
    assert next(m for m in models if m["mv"] == "FUZZ-2.0 Raw")["mastered"] is False


def test_settings_from_toml_and_environment(tmp_path, monkeypatch):
    (tmp_path / "openproducer.toml").write_text(
        'public_base_url = "https://music.example.org"\nlease_s = 12\n\n[composer]\nsoundfont = "/x.sf2"\n'
    )
    monkeypatch.setenv("OPENPRODUCER_LEASE_S", "7")
    settings = load_settings(data_dir=tmp_path)
    assert settings.public_base_url == "https://music.example.org"
    assert settings.lease_s == 7, "the environment wins over the file"
    assert str(settings.composer.soundfont) == "/x.sf2"
