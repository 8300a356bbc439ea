"""No server-side request forgery, through any of the three outbound fetches a user can aim.

The three sites: an upload's ``audio_url``, a song's ``cover_url`` and a task's ``webhook_url``.
Each case runs through the API against a server with the production default
(``allow_private_urls = false``). Two loopback hosts stand in for the world, on the same port:
"outside" on 127.0.0.1 (counted as a public address by the fake resolver) and "internal" on
127.0.0.2 (loopback, private). Both serve every path, so a fetch that went to the wrong one
would succeed: the hosts' request logs prove which one was contacted. The resolver is replaced
under ``socket.getaddrinfo`` itself, so every lookup anyone makes sees the same answers,
including names that answer differently the second time (DNS rebinding).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from openproducer.store.tables import WebhookDelivery
from tests.security import corpus
from tests.security.conftest import FakeDns, MakeServer
from tests.security.hosts import Hit, LoopbackHost, Route
from tests.support.server import LiveServer

SOUND = "gentle acoustic guitar ballad with warm strings"


@dataclass
class World:
    outside: LoopbackHost
    internal: LoopbackHost
    dns: FakeDns
    marker: str  # a query string unique to the test, so its requests are told apart in the hosts' logs

    @property
    def port(self) -> int:
        return self.outside.port

    def outside_hits(self) -> list[Hit]:
        return [hit for hit in self.outside.hits if hit.path.endswith(self.marker)]


@dataclass
class Outcome:
    used: bool  # the URL was fetched / the webhook was delivered
    detail: str  # the reason it was not, as the user (or the delivery log) sees it


@pytest.fixture(scope="module")
def ssrf_server(make_server: MakeServer) -> LiveServer:
    # No webhook retries: a retry landing during a later test would blur the hosts' request logs.
    return make_server(allow_private_urls=False, fetch_timeout_s=3, webhook_timeout_s=2, webhook_max_retries=0)


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LoopbackHost, LoopbackHost]]:
    for _ in range(20):  # the same port on both addresses, so only the address tells them apart
        outside = LoopbackHost("127.0.0.1")
        try:
            internal = LoopbackHost("127.0.0.2", outside.port)
            break
        except OSError:
            outside.close()
    else:
        pytest.skip("could not bind 127.0.0.2 on the same port as 127.0.0.1")
    for host in (outside, internal):
        host.routes.update({
            "/song.wav": Route(corpus.wav(1.5), "audio/wav"),
            "/cover.png": Route(corpus.png(), "image/png"),
            "/hook": Route(b"ok", "text/plain"),
        })
    port = outside.port
    for path in ("/song.wav", "/cover.png", "/hook"):
        for name, target in {
            "name": f"http://internal.test:{port}{path}",
            "ip": f"http://127.0.0.2:{port}{path}",
            "metadata": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        }.items():
            outside.routes[f"/to-{name}{path}"] = Route(status=307, headers={"Location": target})
    yield outside, internal
    outside.close()
    internal.close()


@pytest.fixture
def world(hosts: tuple[LoopbackHost, LoopbackHost], fake_dns: FakeDns) -> World:
    outside, internal = hosts
    outside.hits.clear()
    internal.hits.clear()
    fake_dns.public.add("127.0.0.1")
    fake_dns.answers.update({
        "outside.test": ["127.0.0.1"],
        "internal.test": ["127.0.0.2"],
        "metadata.test": ["169.254.169.254"],
        "private.test": ["10.1.2.3"],
        "mixed.test": ["127.0.0.1,127.0.0.2"],  # two A records, one private
        "rebind.test": ["127.0.0.1", "127.0.0.2"],  # public when checked, private if asked again
        "rebind-first.test": ["127.0.0.2", "127.0.0.1"],
    })
    return World(outside, internal, fake_dns, f"?case={uuid.uuid4().hex}")


# The three fetch sites, each driven through the API. Each returns whether the URL was used.

def _upload(live: LiveServer, url: str) -> Outcome:
    with live.client(live.new_key(credits=2)) as client:
        response = client.post("/producer/upload", json={"audio_url": url})
        assert response.status_code == 200, response.text
        body = live.wait(client, response.json()["task_id"], timeout=60)
        if body["status"] == "FAILED":
            assert client.get("/get-credits").json()["credits"] == 2  # refunded
            return Outcome(False, body["error"])
        return Outcome(True, "")


def _cover(live: LiveServer, url: str) -> Outcome:
    with live.client(live.new_key(credits=10)) as client:
        response = client.post("/producer/create", json={
            "sound": SOUND, "make_instrumental": True, "length": 1, "cover_url": url})
        assert response.status_code == 200, response.text
        body = live.wait(client, response.json()["task_id"], timeout=30)
        assert body["status"] == "SUCCESS", body  # a refused cover never fails the song
        notes = " ".join(body["data"][0]["metadata"]["notes"])
        return Outcome("cover_url was not used" not in notes, notes)


def _webhook(live: LiveServer, url: str) -> Outcome:
    with live.client(live.new_key(credits=10)) as client:
        response = client.post("/producer/create", json={
            "sound": SOUND, "make_instrumental": True, "length": 1, "webhook_url": url, "webhook_secret": "s"})
        assert response.status_code == 200, response.text
        task_id = response.json()["task_id"]
        live.wait(client, task_id, timeout=30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the first delivery attempt runs right after the task ends
        with live.runtime.services.db.session(write=False) as session:
            delivery = session.scalar(select(WebhookDelivery).where(WebhookDelivery.task_id == task_id))
            if delivery is not None and (delivery.status == "delivered" or delivery.last_error):
                return Outcome(delivery.status == "delivered", delivery.last_error or "")
        time.sleep(0.05)
    raise AssertionError("the webhook was never attempted")


Site = Callable[[LiveServer, str], Outcome]
SITES: dict[str, tuple[Site, str]] = {
    "upload": (_upload, "/song.wav"),
    "cover": (_cover, "/cover.png"),
    "webhook": (_webhook, "/hook"),
}
site_names = pytest.mark.parametrize("site", list(SITES))


def _run(site: str, live: LiveServer, url: str) -> Outcome:
    return SITES[site][0](live, url)


@site_names
@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("http://127.0.0.2:{port}{path}", "private address (loopback)"),
        ("http://[::1]:{port}{path}", "private address (loopback)"),
        ("http://[::ffff:127.0.0.2]:{port}{path}", "private address (loopback)"),
        ("http://169.254.169.254{path}", "private address (link-local)"),
        ("http://10.1.2.3{path}", "private address (private)"),
        ("http://0.0.0.0:{port}{path}", "private address"),
        ("http://internal.test:{port}{path}", "private address (loopback)"),
        ("http://metadata.test{path}", "private address (link-local)"),
        ("http://private.test{path}", "private address (private)"),
        ("http://mixed.test:{port}{path}", "private address (loopback)"),
        ("http://rebind-first.test:{port}{path}", "private address (loopback)"),
    ],
)
def test_private_targets_are_refused(ssrf_server: LiveServer, world: World, site: str, target: str, why: str) -> None:
    url = target.format(port=world.port, path=SITES[site][1]) + world.marker
    outcome = _run(site, ssrf_server, url)
    assert not outcome.used and why in outcome.detail, outcome
    assert world.internal.hits == [] and world.outside_hits() == []  # refused before any connection


@site_names
@pytest.mark.parametrize("hop", ["name", "ip", "metadata"])
def test_redirects_to_private_targets_are_refused(ssrf_server: LiveServer, world: World, site: str, hop: str) -> None:
    url = f"http://outside.test:{world.port}/to-{hop}{SITES[site][1]}{world.marker}"
    outcome = _run(site, ssrf_server, url)
    assert not outcome.used, outcome
    if site == "webhook":  # a webhook never follows a redirect at all
        assert "receiver answered HTTP 307" in outcome.detail
    else:
        assert "private address" in outcome.detail, outcome
    assert len(world.outside_hits()) == 1  # the public hop was asked, the private one never
    assert world.internal.hits == []


@site_names
def test_dns_rebinding_cannot_redirect_the_connection(ssrf_server: LiveServer, world: World, site: str) -> None:
    # rebind.test is public when checked and private for any later lookup. The fetch connects to
    # the address it checked (pinned), so the internal host is never reached.
    url = f"http://rebind.test:{world.port}{SITES[site][1]}{world.marker}"
    outcome = _run(site, ssrf_server, url)
    assert outcome.used, outcome
    assert world.internal.hits == []
    assert [hit.headers["host"] for hit in world.outside_hits()] == [f"rebind.test:{world.port}"]
    assert world.dns.lookups["rebind.test"] == 1


@site_names
def test_operator_can_allow_private_targets(
    ssrf_server: LiveServer, world: World, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ssrf_server.runtime.settings, "allow_private_urls", True)
    outcome = _run(site, ssrf_server, f"http://internal.test:{world.port}{SITES[site][1]}{world.marker}")
    assert outcome.used, outcome
    assert len(world.internal.hits) == 1 and world.outside_hits() == []


@site_names
def test_public_targets_work(ssrf_server: LiveServer, world: World, site: str) -> None:
    outcome = _run(site, ssrf_server, f"http://outside.test:{world.port}{SITES[site][1]}{world.marker}")
    assert outcome.used, outcome
    assert len(world.outside_hits()) == 1 and world.internal.hits == []
