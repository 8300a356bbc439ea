"""Schema fuzzing of every documented route, then an audit of the credits it moved.

schemathesis reads our own ``/openapi.json`` and sends examples, boundary cases, random and
schema-violating requests and short stateful sequences (submit, then poll what came back) to
every operation. The stock checks must all pass: no 5xx, every status code documented, every
response body and content type as documented. After the run every task has settled, and the
ledger must show exactly one debit per task the API accepted, a refund for each that failed,
and no row at all for any rejected request. A longer run: ``make fuzz`` (bench/fuzz_api.py).
"""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from openproducer.media import fetch
from tests.security.conftest import MakeServer, key_id_of
from tests.security.fuzzing import audit_credits, run_schemathesis, seed_data, wait_until_settled

pytestmark = pytest.mark.slow
GRANT = 1_000_000


def _no_outbound_dns(host: str, port: int) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, "no outbound lookups during the fuzz run")


@pytest.mark.timeout(240)
def test_fuzzing_every_route_finds_no_error_and_moves_no_credit_wrongly(
    make_server: MakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Production defaults for outbound URLs; generated upload/cover/webhook URLs never leave the machine.
    monkeypatch.setattr(fetch, "_resolve", _no_outbound_dns)
    live = make_server(allow_private_urls=False, rate_limit="", fetch_timeout_s=5, webhook_timeout_s=2)
    key = live.new_key(credits=GRANT)

    data = seed_data(live, key)
    run = run_schemathesis(live, key, tmp_path, max_examples=15, seed=20261125, timeout_s=200, data=data)

    assert run.returncode == 0, run.output[-6000:]
    assert run.entries, "schemathesis sent no requests"
    assert not [s for s in run.statuses if s >= 500], run.statuses
    generated = run.accepted_task_ids()
    assert generated, "no generated request was accepted: the schema examples are not reaching the task path"
    assert sum(n for status, n in run.statuses.items() if 400 <= status < 500) > len(generated)  # mostly refused
    accepted = generated | {data.task_id}
    api_key_id = key_id_of(live, key)
    wait_until_settled(live, api_key_id)
    assert audit_credits(live, api_key_id, GRANT, accepted) == []
    assert httpx.get(f"{live.base_url}/healthz", timeout=10).status_code == 200
