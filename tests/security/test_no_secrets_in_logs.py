"""Credentials never reach the logs: API keys (valid, near-miss or inside a malformed header) and
webhook secrets. Logging is set up as ``openproducer serve --verbose`` does it (every logger at
DEBUG), with SQL statement echo switched on as well, and every line of the process collected."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import httpx
import pytest

from openproducer.core.logs import setup_logging
from tests.security.conftest import MakeServer
from tests.security.fuzzing import key_id_of, wait_until_settled
from tests.support.server import LiveServer

SOUND = "gentle acoustic guitar ballad with warm strings"
# uvicorn's loggers do not propagate to the root logger: collect from them directly.
UVICORN = ["uvicorn", "uvicorn.error", "uvicorn.access"]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))  # the formatted text includes any traceback


@pytest.fixture(params=["verbose", "verbose+sql-echo"])
def every_log_line(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    root = logging.getLogger()
    names = ["", *UVICORN, "sqlalchemy", "sqlalchemy.engine", "alembic", "botocore", "urllib3", "httpx", "werkzeug"]
    saved_levels = {name: logging.getLogger(name).level for name in names}
    saved_handlers = list(root.handlers)
    setup_logging("text", verbose=True)  # what `serve --verbose` does
    if request.param == "verbose+sql-echo":  # an operator turning on SQL statement echo as well
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    handler = _Collect()
    for name in ["", *UVICORN]:
        logging.getLogger(name).addHandler(handler)
    for name in UVICORN:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        for name in ["", *UVICORN]:
            logging.getLogger(name).removeHandler(handler)
        root.handlers[:] = saved_handlers
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture(scope="module")
def live(make_server: MakeServer) -> LiveServer:
    # Webhooks to loopback are refused (a warning with the reason is logged on every attempt).
    return make_server(allow_private_urls=False, webhook_max_retries=0, webhook_timeout_s=1)


def test_api_keys_and_webhook_secrets_are_never_logged(
    live: LiveServer, every_log_line: list[str], request: pytest.FixtureRequest
) -> None:
    key = live.new_key(credits=100)
    webhook_secret = "whsec-" + "Zq8" * 10
    near_miss = key[:-1] + ("A" if key[-1] != "A" else "B")
    with live.client(key) as client:
        assert client.get("/get-credits").status_code == 200
        assert client.get("/producer/task/00000000-0000-0000-0000-000000000000").status_code == 404
        assert client.post("/producer/create", json={"sound": "x"}).status_code == 400
        accepted = client.post("/producer/create", json={
            "sound": SOUND, "make_instrumental": True, "length": 1,
            "webhook_url": "http://127.0.0.1:9/hook", "webhook_secret": webhook_secret})
        assert accepted.status_code == 200
        failing = client.post("/producer/upload", json={"audio_url": "http://127.0.0.1:9/song.mp3"})
        assert failing.status_code == 200
        for task_id in (accepted.json()["task_id"], failing.json()["task_id"]):
            live.wait(client, task_id)
    for header in (f"Bearer {near_miss}", f"Basic {key}", f"Bearer {key} extra", key, f"bearer  {key[3:]}"):
        response = httpx.get(f"{live.api}/get-credits", headers={"Authorization": header}, timeout=10)
        assert response.status_code == 401
    wait_until_settled(live, key_id_of(live, key))
    time.sleep(0.5)  # the webhook attempt runs after the task ends

    text = "\n".join(every_log_line)
    assert "webhook" in text and "failed" in text, "the scenario should have logged its failures"
    assert ("SELECT" in text) == ("sql-echo" in request.node.callspec.params["every_log_line"])
    for secret in (key, key[3:], near_miss, webhook_secret):
        assert secret not in text
