"""API load benchmark: poll throughput and latency, submit latency, create -> SUCCESS time.

Starts `openproducer serve` (embedded mode, one process) on a fresh data folder, then:
  1. create -> SUCCESS wall time of a 30 s instrumental on an idle server (polling every 20 ms);
  2. submit latency of POST /producer/create (p50/p99 over N submits);
  3. GET /producer/task/{id} with 64 concurrent connections for D seconds, driven by `wrk`
     (a C load generator, so the client costs little of the 2 cores) -- polls/s, p50, p99.

Usage: python bench/api_load.py [--duration 10] [--connections 64] [--submits 30]
Needs `wrk` (Debian package) for step 3; without it that step is skipped with a message.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

SOUND = "upbeat pop song with electronic synths and catchy melody"


def _start(data_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "OPENPRODUCER_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "OPENPRODUCER_RATE_LIMIT": "",
           "OPENPRODUCER_MAX_ACTIVE_TASKS_PER_KEY": "100000"}
    process = subprocess.Popen(
        [sys.executable, "-m", "openproducer.cli", "serve", "--data-dir", str(data_dir), "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit("server did not start")


def _key(data_dir: Path) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "openproducer.cli", "keys", "create", "--name", "bench", "--credits", "1000000",
         "--data-dir", str(data_dir)], capture_output=True, text=True, check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def _wait(client: httpx.Client, task_id: str, interval: float = 0.02) -> dict:
    while True:
        response = client.get(f"/producer/task/{task_id}")
        if response.status_code == 200:
            return response.json()
        time.sleep(interval)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _wrk(url: str, key: str, connections: int, duration: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{duration}s", "--latency",
         "-H", f"Authorization: Bearer {key}", url], capture_output=True, text=True, check=True,
    ).stdout

    def ms(label: str) -> float:
        match = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if match is None:
            raise ValueError(f"no {label} in wrk output:\n{out}")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"polls_per_s": rps, "p50_ms": ms("50%"), "p99_ms": ms("99%"),
            "non_2xx": int(non2xx.group(1)) if non2xx else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--submits", type=int, default=30)
    parser.add_argument("--port", type=int, default=18765)
    args = parser.parse_args()
    results: dict[str, object] = {"machine": f"{platform.node()} ({os.cpu_count()} cores)",
                                  "date": time.strftime("%Y-%m-%d")}
    with tempfile.TemporaryDirectory(prefix="op-bench-") as tmp:
        data_dir = Path(tmp)
        key = _key(data_dir)
        server = _start(data_dir, args.port)
        try:
            api = f"http://127.0.0.1:{args.port}/api/v1"
            with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
                # Warm the engine (first task loads the soundfont) before timing anything.
                warm = client.post("/producer/create", json={"sound": SOUND, "make_instrumental": True, "length": 5})
                _wait(client, warm.json()["task_id"])

                timings = []
                for seed in range(3):
                    start = time.perf_counter()
                    task = client.post("/producer/create", json={"sound": SOUND, "make_instrumental": True,
                                                                 "length": 30, "seed": seed, "bpm": 120})
                    body = _wait(client, task.json()["task_id"])
                    timings.append(time.perf_counter() - start)
                    assert body["status"] == "SUCCESS", body
                results["create_to_success_30s_instrumental_s"] = {
                    "runs": [round(t, 3) for t in timings], "median": round(statistics.median(timings), 3)}
                done_task = task.json()["task_id"]

                latencies = []
                submitted = []
                for i in range(args.submits):
                    start = time.perf_counter()
                    response = client.post("/producer/create", json={"sound": SOUND, "make_instrumental": True,
                                                                     "length": 2, "seed": i})
                    latencies.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, response.text
                    submitted.append(response.json()["task_id"])
                results["submit_latency_ms"] = {"p50": round(_percentile(latencies, 0.5), 2),
                                                "p99": round(_percentile(latencies, 0.99), 2), "n": len(latencies)}
                for task_id in submitted:
                    _wait(client, task_id, interval=0.1)

            if shutil.which("wrk"):
                results["poll_load"] = {
                    "connections": args.connections, "duration_s": args.duration,
                    **_wrk(f"{api}/producer/task/{done_task}", key, args.connections, args.duration),
                }
            else:
                results["poll_load"] = "skipped: install wrk (apt-get install wrk) to measure poll throughput"
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
