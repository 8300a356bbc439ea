"""The bare package: a fresh virtualenv, ``pip install .`` and nothing else, then a song through the
API of ``openproducer serve`` and one from ``openproducer generate``, both measured.

Takes one to three minutes (pip installs every dependency from its cache), so it is marked
``packaging``; ``make test`` runs it, ``pytest -m "not packaging"`` leaves it out.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.support.audio import rms_dbfs
from tests.support.songs import LYRICS

ROOT = Path(__file__).resolve().parents[1]
SOUND = "upbeat synth pop with punchy drums and warm bass"

pytestmark = [pytest.mark.packaging, pytest.mark.slow, pytest.mark.timeout(600)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _decode(data: bytes) -> np.ndarray:
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", "pipe:0", "-f", "f32le", "-ac", "2", "-ar", "44100",
                          "pipe:1"], input=data, capture_output=True, check=True).stdout
    return np.frombuffer(pcm, dtype=np.float32).reshape(-1, 2)


@pytest.fixture(scope="module")
def bare_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv holding ``pip install <a copy of this source>``: no extras, nothing else."""
    tmp = tmp_path_factory.mktemp("packaging")
    source = tmp / "src"  # a copy, so the build leaves nothing in the checkout
    shutil.copytree(ROOT / "openproducer", source / "openproducer", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # --no-compile: byte-compiling every dependency costs a third of the install; what runs compiles on import
    install = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-compile", str(source)],
                             capture_output=True, text=True, timeout=480)
    assert install.returncode == 0, install.stdout + install.stderr
    assert "ERROR" not in install.stderr, install.stderr
    return venv


def _env(tmp: Path) -> dict[str, str]:
    """The environment of a user's shell: none of this checkout's paths or test settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENPRODUCER_", "PYTHON", "VIRTUAL_ENV"))}
    return {**env, "HOME": str(tmp)}


def test_bare_install_has_no_extras(bare_venv: Path):
    probe = subprocess.run(
        [str(bare_venv / "bin" / "python"), "-c",
         "import importlib.util as u; print([m for m in ('prometheus_client', 'boto3', 'redis', 'pika', 'psycopg',"
         " 'torch') if u.find_spec(m)])"],
        capture_output=True, text=True, check=True, cwd=bare_venv,
    )
    assert probe.stdout.strip() == "[]", "the test must run on the bare package"


def test_serve_makes_a_song_through_the_api(bare_venv: Path, tmp_path: Path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    data = tmp_path / "data"
    env = {**_env(tmp_path), "OPENPRODUCER_PUBLIC_BASE_URL": base}
    tool = str(bare_venv / "bin" / "openproducer")
    created = subprocess.run([tool, "keys", "create", "--name", "pkg", "--credits", "100", "--data-dir", str(data)],
                             capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    log = tmp_path / "serve.log"
    with open(log, "w") as log_file:
        server = subprocess.Popen([tool, "serve", "--data-dir", str(data), "--port", str(port)],
                                  stdout=log_file, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        with httpx.Client(base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {key}"}, timeout=60) as api:
            submitted = api.post("/producer/create", json={"sound": SOUND, "lyrics": LYRICS, "length": 12, "seed": 4})
            assert submitted.status_code == 200, submitted.text
            task_id = submitted.json()["task_id"]
            deadline = time.monotonic() + 120
            while (poll := api.get(f"/producer/task/{task_id}")).status_code == 202:
                assert time.monotonic() < deadline, poll.text
                time.sleep(0.2)
        body = poll.json()
        assert body["status"] == "SUCCESS", body
        clip = body["data"][0]
        audio = _decode(httpx.get(clip["audio_url"], timeout=60).content)
        # The length is a wish: a sung song is as long as its lyrics need. The file is as long as
        # the clip says (MP3 framing aside), at least the wish, and not silent.
        assert abs(len(audio) / 44100 - clip["duration"]) < 0.1 and clip["duration"] >= 11.5
        assert rms_dbfs(audio) > -30
        assert clip["lyrics_timing_markers"], "the song is sung"
        video = httpx.get(clip["video_url"], timeout=120)
        assert video.status_code == 200 and abs(len(_decode(video.content)) / 44100 - clip["duration"]) < 0.1
        metrics = httpx.get(f"{base}/metrics")
        assert metrics.status_code == 501 and "openproducer[scale]" in metrics.json()["error"]
        docs = httpx.get(f"{base}/docs")
        assert docs.status_code == 200 and "cdn." not in docs.text
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    assert "metrics off" in text and "openproducer[scale]" in text, "the log says which extra turns metrics on"
    assert "Traceback" not in text, text


def test_generate_writes_a_song(bare_venv: Path, tmp_path: Path):
    lyrics = tmp_path / "lyrics.txt"
    lyrics.write_text(LYRICS)
    out = tmp_path / "song.mp3"
    result = subprocess.run(
        [str(bare_venv / "bin" / "openproducer"), "generate", "--sound", SOUND, "--lyrics-file", str(lyrics),
         "--seed", "5", "--length", "10", "-o", str(out), "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    reported = float(re.search(r": ([\d.]+) s,", result.stdout).group(1))  # "song.mp3: 21.4 s, 120 bpm, ..."
    audio = _decode(out.read_bytes())
    assert abs(len(audio) / 44100 - reported) < 0.1 and reported >= 9.5
    assert rms_dbfs(audio) > -30
