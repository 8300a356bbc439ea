"""Result URLs work wherever the server is reached: the Host used, a trusted proxy's forwarded
origin, or public_base_url when it is set; stored results never freeze an origin."""

from __future__ import annotations

import httpx
import pytest

from openproducer.api.origin import request_origin
from openproducer.core.config import Settings

SOUND = "gentle acoustic guitar ballad with warm strings"


def _scope(host: str | None = None, client: str = "10.0.0.9", **headers: str) -> dict:
    raw = [(b"host", host.encode())] if host else []
    raw += [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return {"type": "http", "scheme": "http", "headers": raw, "client": (client, 5555), "server": ("10.0.0.1", 9000)}


def test_origin_rules():
    plain = Settings(public_base_url=None)
    assert request_origin(_scope("music.lan:9000"), plain) == "http://music.lan:9000"
    # Forwarded headers count only from a trusted proxy.
    assert request_origin(_scope("music.lan:9000", x_forwarded_host="evil.example"), plain) == "http://music.lan:9000"
    trusted = Settings(public_base_url=None, trusted_proxies=["10.0.0.9"])
    proxied = _scope("backend:9000", x_forwarded_host="music.example.org", x_forwarded_proto="https")
    assert request_origin(proxied, trusted) == "https://music.example.org"
    rfc = _scope("backend:9000", forwarded='for=1.2.3.4;host="radio.example";proto=https, for=10.0.0.9')
    assert request_origin(rfc, trusted) == "https://radio.example"
    # No usable Host: the address the server is bound to.
    assert request_origin(_scope(None), plain) == "http://10.0.0.1:9000"
    assert request_origin(_scope("bad host/with path"), plain) == "http://10.0.0.1:9000"
    # public_base_url wins.
    fixed = Settings(public_base_url="https://cdn.example.com/")
    assert request_origin(proxied, fixed) == "https://cdn.example.com"


def test_default_origin_for_webhooks():
    assert Settings(public_base_url=None, host="127.0.0.1", port=8765).default_origin() == "http://127.0.0.1:8765"
    assert Settings(public_base_url="https://x.example/", port=1).default_origin() == "https://x.example"


@pytest.fixture()
def unpinned(fake_server):
    return fake_server(public_base_url=None)


def _finished_clip(live, client, host: str | None = None) -> dict:
    headers = {"Host": host} if host else {}
    response = client.post("/producer/create", json={"sound": SOUND, "make_instrumental": True, "length": 2},
                           headers=headers)
    assert response.status_code == 200, response.text
    task_id = response.json()["task_id"]
    body = live.wait(client, task_id)
    assert body["status"] == "SUCCESS"
    return task_id, body["data"][0]


def test_urls_follow_the_host_the_client_used(unpinned):
    live = unpinned
    port = live.base_url.rsplit(":", 1)[1]
    key = live.new_key(credits=100)
    with live.client(key) as client:
        task_id, clip = _finished_clip(live, client)
        assert clip["audio_url"].startswith(f"http://127.0.0.1:{port}/media/")
        # The same finished task reached as "localhost": its URLs say localhost, and they answer.
        with httpx.Client(base_url=f"http://localhost:{port}/api/v1",
                          headers={"Authorization": f"Bearer {key}"}) as other:
            again = other.get(f"/producer/task/{task_id}").json()["data"][0]
        assert again["audio_url"].startswith(f"http://localhost:{port}/media/")
        for field in ("audio_url", "wav_url", "image_url"):
            assert httpx.get(again[field]).status_code == 200, field
        assert httpx.get(clip["audio_url"]).status_code == 200
        # A reverse proxy on this machine (trusted by default) names the public origin.
        proxied = client.get(f"/producer/task/{task_id}",
                             headers={"X-Forwarded-Host": "music.example.org", "X-Forwarded-Proto": "https"})
        assert proxied.json()["data"][0]["audio_url"].startswith("https://music.example.org/media/")


def test_non_default_port_urls_answer(unpinned):
    live = unpinned
    with live.client(live.new_key(credits=100)) as client:
        _, clip = _finished_clip(live, client)
    assert clip["audio_url"].startswith(live.base_url + "/media/")
    assert httpx.get(clip["audio_url"]).status_code == 200
