"""Webhooks: signed with HMAC-SHA256 over "<timestamp>.<body>", retried until the receiver takes them."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []
    failures_left = 1

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        cls = type(self)
        if cls.failures_left > 0:  # the first attempt fails: the server must retry
            cls.failures_left -= 1
            self.send_response(503)
            self.end_headers()
            return
        cls.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_webhook_signed_and_retried(server):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    try:
        with server.client(server.new_key(credits=50)) as client:
            response = client.post("/producer/create", json={
                "sound": "warm jazz trio with brushed drums and upright bass", "make_instrumental": True,
                "length": 4, "webhook_url": url, "webhook_secret": "s3cret"})
            task_id = response.json()["task_id"]
            server.wait(client, task_id)
        deadline = time.monotonic() + 30
        while not _Receiver.received and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _Receiver.received, "webhook never delivered"
        headers, body = _Receiver.received[0]
        expected = hmac.new(b"s3cret", headers["x-webhook-timestamp"].encode() + b"." + body, hashlib.sha256)
        assert headers["x-webhook-signature"] == "sha256=" + expected.hexdigest()
        assert headers["x-webhook-event"] == "song.completed"
        assert headers["x-webhook-id"] == headers["idempotency-key"]
        payload = json.loads(body)
        assert payload["task_id"] == task_id and payload["status"] == "SUCCESS" and payload["data"]
    finally:
        httpd.shutdown()
