"""A long schema-fuzzing run (``make fuzz``): schemathesis against every documented route.

The same run as ``tests/security/test_fuzz_api.py`` with many more examples and a fresh random
seed each time (printed, so a failure can be replayed with ``--seed``): a server with a fake
music engine starts in this process (outbound URLs refused, no DNS leaves the machine), one
clip is made for the generator to reuse, schemathesis runs every stock check on every
operation, and afterwards the ledger must account for exactly the tasks the API accepted.

Usage: python bench/fuzz_api.py [--max-examples 1000] [--seed N] [--max-time SECONDS] [--keep DIR]
Exit status 0 when schemathesis found nothing and the credits balance; 1 otherwise.
"""

from __future__ import annotations

import argparse
import random
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.security

from openproducer.media import fetch  # noqa: E402
from tests.security.fuzzing import (  # noqa: E402
    audit_credits,
    fake_engine_server,
    key_id_of,
    run_schemathesis,
    seed_data,
    wait_until_settled,
)

GRANT = 10_000_000


def _no_outbound_dns(host: str, port: int) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, "no outbound lookups during the fuzz run")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=1000, help="test cases per operation and phase")
    parser.add_argument("--seed", type=int, default=None, help="replay a run (default: a random seed)")
    parser.add_argument("--max-time", type=int, default=None, help="time budget in seconds (repeats fuzzing)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the server's data and the HAR log here")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**31)

    fetch._resolve = _no_outbound_dns  # this process is the server: nothing it fetches leaves the machine
    work = args.keep or Path(tempfile.mkdtemp(prefix="op-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    live = fake_engine_server(
        work / "data", workers=2, allow_private_urls=False, rate_limit="", fetch_timeout_s=5, webhook_timeout_s=2,
        max_active_tasks_per_key=50,
    )
    try:
        key = live.new_key(credits=GRANT)
        data = seed_data(live, key)
        print(f"fuzzing {live.base_url} with seed {seed}, {args.max_examples} examples per operation", flush=True)
        start = time.monotonic()
        extra = ["--max-time", str(args.max_time)] if args.max_time else []
        run = run_schemathesis(live, key, work, max_examples=args.max_examples, seed=seed,
                               timeout_s=24 * 3600, data=data, extra=extra)
        elapsed = time.monotonic() - start
        print(run.output)
        accepted = run.accepted_task_ids() | {data.task_id}
        api_key_id = key_id_of(live, key)
        wait_until_settled(live, api_key_id, timeout_s=600)
        problems = audit_credits(live, api_key_id, GRANT, accepted)
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(run.statuses.items()))
        print(f"{len(run.entries)} requests in {elapsed:.0f} s ({statuses}); {len(accepted)} tasks accepted")
        server_errors = sum(n for status, n in run.statuses.items() if status >= 500)
        for problem in problems:
            print("CREDIT AUDIT:", problem)
        ok = run.returncode == 0 and server_errors == 0 and not problems
        print("fuzz: OK" if ok else f"fuzz: FAILED (seed {seed}; replay with --seed {seed})")
        return 0 if ok else 1
    finally:
        live.stop()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
