"""API load benchmark: submit -> SUCCESS times, submit latency, poll throughput against a bare ASGI app.

Starts `openproducer serve` (embedded mode, one process) on a fresh data folder, then, in one run:
  1. submit -> SUCCESS wall time (median of --runs, after a warm-up task, polling every 20 ms) of
     a 30 s song with vocals, a 30 s instrumental and a 180 s song with vocals, against targets;
     then, as a client would, the MP3 is downloaded (submit -> MP3 is reported too) before the
     next song is submitted; and the server's CPU time per song (its threads and its ffmpeg
     children: steadier than wall time on a shared machine, where the load average is printed
     before and after);
  2. submit latency of POST /producer/create (p50/p99 over --submits submits);
  3. GET /producer/task/{id} of a finished task with --connections connections for --duration
     seconds, driven by `wrk` (a C load generator, so the client costs little of the 2 cores);
     then a bare ASGI app (uvicorn, same event loop and HTTP parser, no framework) serving the
     same bytes under the same load: polls/s, p50, p99 of each and the ratio ours / bare.

Usage: python bench/api_load.py [--runs 3] [--duration 10] [--connections 64] [--submits 30]
       [--server-log FILE] [--skip-songs] [--json FILE] [--baseline CHECKOUT]
--baseline runs a second server from another checkout (say, main before a change) and has the two
take turns on every song, so a shared machine's load falls on both alike.
Needs `wrk` (Debian package) for step 3; without it that step is skipped with a message.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

SOUND = "upbeat pop song with electronic synths and catchy melody"
LYRICS_30 = """[Verse 1]
Walking through the city lights
Feeling the rhythm of the night
Every step a new surprise
Under these electric skies

[Chorus]
We're alive, we're free tonight
Dancing till the morning light
"""
LYRICS_180 = LYRICS_30 + """
[Verse 2]
Neon signs and falling rain
Whisper softly out your name
Every corner, every street
Moving to the city beat

[Pre-Chorus]
Hold on, hold on to me
This is where we want to be

[Chorus]
We're alive, we're free tonight
Dancing till the morning light
Hearts on fire, burning bright
Nothing ever felt so right

[Bridge]
When the music fades away
We will find another day
Every echo, every sound
Lifts us up above the ground

[Chorus]
We're alive, we're free tonight
Dancing till the morning light
Hearts on fire, burning bright
Nothing ever felt so right
"""
# name -> (request body, target median in seconds)
SONGS: dict[str, tuple[dict, float]] = {
    "30s_vocals": ({"sound": SOUND, "lyrics": LYRICS_30, "length": 30, "bpm": 120}, 1.0),
    "30s_instrumental": ({"sound": SOUND, "make_instrumental": True, "length": 30, "bpm": 120}, 0.8),
    "180s_vocals": ({"sound": SOUND, "lyrics": LYRICS_180, "length": 180, "bpm": 120}, 6.0),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(url: str, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"{url}: the server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{url} did not answer")


def _command(source: Path | None) -> list[str]:
    """``openproducer`` from this environment, or from the checkout ``source`` (its package first,
    ahead of the editable install of this one)."""
    if source is None:
        return [sys.executable, "-m", "openproducer.cli"]
    code = (
        "import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f)]; "
        f"sys.path.insert(0, {str(source.resolve())!r}); "
        "from openproducer.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    return [sys.executable, "-c", code]


def _start(data_dir: Path, port: int, log_path: Path | None, source: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "OPENPRODUCER_RATE_LIMIT": "", "OPENPRODUCER_MAX_ACTIVE_TASKS_PER_KEY": "100000",
           "OPENPRODUCER_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    log = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [*_command(source), "serve", "--data-dir", str(data_dir), "--port", str(port)], env=env, stdout=log, stderr=log,
    )
    _wait_ready(f"http://127.0.0.1:{port}/readyz", process)
    return process


def _start_bare(port: int, body: bytes, tmp: Path) -> subprocess.Popen:
    body_file = tmp / "bare-body.json"
    body_file.write_bytes(body)
    process = subprocess.Popen(
        [sys.executable, __file__, "--bare-app", str(port), str(body_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    _wait_ready(f"http://127.0.0.1:{port}/ready", process)
    return process


def _serve_bare(port: int, body_file: str) -> None:
    """The reference: the same bytes and headers from a plain ASGI callable under uvicorn."""
    import uvicorn

    body = Path(body_file).read_bytes()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")


def _key(data_dir: Path, source: Path | None = None) -> str:
    out = subprocess.run(
        [*_command(source), "keys", "create", "--name", "bench", "--credits", "1000000", "--data-dir", str(data_dir)],
        capture_output=True, text=True, check=True,
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


def _wrk(url: str, key: str | None, connections: int, duration: int) -> dict[str, float]:
    auth = ["-H", f"Authorization: Bearer {key}"] if key else []
    out = subprocess.run(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{duration}s", "--latency", *auth, url],
        capture_output=True, text=True, check=True,
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


def _cpu_s(pid: int) -> float:
    """CPU seconds of a process and of its children it has waited for (ffmpeg), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime


def _songs(servers: dict[str, tuple[int, httpx.Client]], runs: int) -> dict[str, dict[str, object]]:
    """Each song ``runs`` times on each server, the servers taking turns (so they share the
    machine's load alike): wall time to SUCCESS, then to the MP3 downloaded (as a client does
    next; the server stores the MP3 just after SUCCESS, so this also lets each song's work end
    before the next song starts), and the server's CPU time for the whole, per server."""
    measured = {label: {name: ([], [], []) for name in SONGS} for label in servers}
    for name, (body, _) in SONGS.items():
        for seed in range(1, runs + 1):
            for label, (pid, client) in servers.items():
                cpu_before = _cpu_s(pid)
                start = time.perf_counter()
                task = client.post("/producer/create", json={**body, "seed": seed})
                assert task.status_code == 200, task.text
                done = _wait(client, task.json()["task_id"])
                measured[label][name][0].append(time.perf_counter() - start)
                assert done["status"] == "SUCCESS", done
                mp3 = client.get(done["data"][0]["audio_url"])
                assert mp3.status_code == 200 and len(mp3.content) > 10_000, mp3.status_code
                measured[label][name][2].append(time.perf_counter() - start)
                measured[label][name][1].append(_cpu_s(pid) - cpu_before)
    results: dict[str, dict[str, object]] = {}
    for label, songs in measured.items():
        results[label] = {}
        for name, (wall, cpu, to_mp3) in songs.items():
            median, target = statistics.median(wall), SONGS[name][1]
            results[label][name] = {"runs_s": [round(t, 3) for t in wall], "median_s": round(median, 3),
                                    "target_s": target, "met": median <= target,
                                    "mp3_downloaded_median_s": round(statistics.median(to_mp3), 3),
                                    "server_cpu_s_median": round(statistics.median(cpu), 3)}
    return results


def _start_baseline(source: Path, data_dir: Path, stack: contextlib.ExitStack) -> tuple[int, httpx.Client]:
    key = _key(data_dir, source)
    port = _free_port()
    process = _start(data_dir, port, None, source)
    stack.callback(lambda: (process.terminate(), process.wait(timeout=30)))
    client = stack.enter_context(httpx.Client(
        base_url=f"http://127.0.0.1:{port}/api/v1", headers={"Authorization": f"Bearer {key}"}, timeout=300))
    _wait(client, client.post("/producer/create", json={**SONGS["30s_vocals"][0], "seed": 99}).json()["task_id"])
    return process.pid, client


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--bare-app":
        _serve_bare(int(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="submit -> SUCCESS runs per song")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--submits", type=int, default=30)
    parser.add_argument("--skip-songs", action="store_true", help="only the poll and submit figures")
    parser.add_argument("--server-log", type=Path, default=None, help="write the server's log here")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="a checkout of other code (e.g. `git worktree add /tmp/base main`): its server runs "
                             "the same songs, taking turns with ours")
    args = parser.parse_args()
    results: dict[str, object] = {
        "machine": f"{platform.node()} ({os.cpu_count()} cores, {platform.python_version()})",
        "date": time.strftime("%Y-%m-%d %H:%M %Z"), "load_average_before": _loadavg(),
    }
    with tempfile.TemporaryDirectory(prefix="op-bench-") as tmp, contextlib.ExitStack() as stack:
        data_dir = Path(tmp) / "data"
        key = _key(data_dir)
        port = _free_port()
        server = _start(data_dir, port, args.server_log)
        try:
            api = f"http://127.0.0.1:{port}/api/v1"
            with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {key}"}, timeout=120) as client:
                # Warm the engine (the first task loads the soundfont and the singer) before timing anything.
                warm = client.post("/producer/create", json={**SONGS["30s_vocals"][0], "seed": 99})
                _wait(client, warm.json()["task_id"])
                if not args.skip_songs:
                    servers = {"openproducer": (server.pid, client)}
                    if args.baseline is not None:
                        servers["baseline"] = _start_baseline(args.baseline, Path(tmp) / "baseline", stack)
                    results["submit_to_success"] = _songs(servers, args.runs)
                task = client.post("/producer/create", json={"sound": SOUND, "make_instrumental": True, "length": 5})
                done_task = task.json()["task_id"]
                _wait(client, done_task)

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
                poll_body = client.get(f"/producer/task/{done_task}").content

            if shutil.which("wrk"):
                ours = _wrk(f"{api}/producer/task/{done_task}", key, args.connections, args.duration)
                bare_port = _free_port()
                bare = _start_bare(bare_port, poll_body, Path(tmp))
                try:
                    reference = _wrk(f"http://127.0.0.1:{bare_port}/api/v1/producer/task/{done_task}", None,
                                     args.connections, args.duration)
                finally:
                    bare.terminate()
                    bare.wait(timeout=30)
                results["poll_load"] = {
                    "connections": args.connections, "duration_s": args.duration, "body_bytes": len(poll_body),
                    "openproducer": ours, "bare_asgi": reference,
                    "ratio": round(ours["polls_per_s"] / reference["polls_per_s"], 3),
                    "targets": "ratio >= 0.5, openproducer p99 <= 25 ms",
                    "met": ours["polls_per_s"] >= 0.5 * reference["polls_per_s"] and ours["p99_ms"] <= 25,
                }
            else:
                results["poll_load"] = "skipped: install wrk (apt-get install wrk) to measure poll throughput"
        finally:
            server.terminate()
            server.wait(timeout=30)
    results["load_average_after"] = _loadavg()
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
