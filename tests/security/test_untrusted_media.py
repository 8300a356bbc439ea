"""Untrusted media: hostile files and hostile hosts behind ``audio_url`` and ``cover_url``.

Every upload below is accepted (2 credits), then fails cleanly: the poll is FAILED with a
reason naming ``audio_url``, the credits come back, and the server stays healthy (``/healthz``
answers and the next ordinary request succeeds). Covers never fail a song: the cover is drawn
instead and the clip's notes say why. The decode sandbox (ffmpeg under CPU, memory and wall
limits) is checked directly at the end.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from openproducer.audio import encode
from tests.security import corpus
from tests.security.conftest import MakeServer
from tests.security.hosts import LoopbackHost, Route
from tests.support.server import LiveServer

SOUND = "gentle acoustic guitar ballad with warm strings"
FETCH_TIMEOUT_S = 2.0
MAX_SECONDS = 20.0


@pytest.fixture(scope="module")
def media_server(make_server: MakeServer) -> LiveServer:
    # The corpus host is on loopback, so private URLs are allowed here (test_ssrf.py covers refusing them).
    return make_server(fetch_timeout_s=FETCH_TIMEOUT_S, upload_max_seconds=MAX_SECONDS)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackHost]:
    tmp = tmp_path_factory.mktemp("corpus")
    mp3 = corpus.mp3(3.0, tmp)
    host = LoopbackHost()
    host.routes.update({
        "/good.wav": Route(corpus.wav(3.0), "audio/wav"),
        "/truncated.mp3": Route(corpus.mp3_cut(mp3, 0.5), "audio/mpeg"),
        "/ten-frames.mp3": Route(corpus.mp3_cut(mp3, 10), "audio/mpeg"),  # decodes to 0.2 s
        "/empty.mp3": Route(b"", "audio/mpeg"),
        "/gigabytes.wav": Route(corpus.wav_claiming_gigabytes(), "audio/wav"),
        "/declares-4gb.wav": Route(corpus.wav(1.0), "audio/wav", declared_length=4 * 1024**3),
        "/text.mp3": Route(corpus.TEXT, "audio/mpeg"),
        "/image.wav": Route(corpus.png(), "audio/wav"),
        "/image-typed.wav": Route(corpus.png(), "image/png"),
        "/playlist.mp3": Route(corpus.HLS_PLAYLIST, "application/octet-stream"),
        "/ten-hours.flac": Route(corpus.ten_hour_flac(), "audio/flac"),
        "/understated.flac": Route(corpus.understated_flac(), "audio/flac"),
        "/loop.mp3": Route(status=302, headers={"Location": "/loop.mp3"}),
        "/dribble.mp3": Route(mp3, "audio/mpeg", dribble_s=0.2),
        "/page.mp3": Route(corpus.HTML, "text/html; charset=utf-8"),
        "/text.png": Route(corpus.TEXT, "image/png"),
        "/bomb.png": Route(corpus.png_claiming(40_000, 40_000), "image/png"),
        "/gigabytes.png": Route(corpus.png(), "image/png", declared_length=4 * 1024**3),
        "/dribble.png": Route(corpus.png(), "image/png", dribble_s=0.2),
        "/loop.png": Route(status=301, headers={"Location": "/loop.png"}),
    })
    yield host
    host.close()


def _healthy(live: LiveServer) -> None:
    """The server still answers and still does ordinary work."""
    assert httpx.get(f"{live.base_url}/healthz", timeout=5).status_code == 200
    with live.client(live.new_key(credits=10)) as client:
        response = client.post("/producer/create", json={"sound": SOUND, "make_instrumental": True, "length": 1})
        assert response.status_code == 200, response.text
        assert live.wait(client, response.json()["task_id"], timeout=30)["status"] == "SUCCESS"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/truncated.mp3", "could not be decoded (corrupt or truncated)"),
        ("/ten-frames.mp3", "the audio is too short (0.21 s)"),
        ("/empty.mp3", "not a recognised audio format"),
        ("/gigabytes.wav", "the audio is too short"),
        ("/declares-4gb.wav", "the file is larger than 50 MB"),
        ("/text.mp3", "not a recognised audio format"),
        ("/image.wav", "not a recognised audio format"),
        ("/image-typed.wav", "the URL returned image/png, not audio"),
        ("/playlist.mp3", "not a recognised audio format"),
        ("/ten-hours.flac", "the audio is too long (600:00)"),
        ("/understated.flac", "the audio is too long"),
        ("/loop.mp3", "too many redirects"),
        ("/dribble.mp3", f"did not finish within {FETCH_TIMEOUT_S:g} s"),
        ("/page.mp3", "the URL returned text/html, not audio"),
        ("/missing.mp3", "the server answered HTTP 404"),
    ],
)
def test_hostile_upload_fails_cleanly_with_refund(
    media_server: LiveServer, hostile: LoopbackHost, path: str, reason: str
) -> None:
    with media_server.client(media_server.new_key(credits=2)) as client:
        start = time.monotonic()
        response = client.post("/producer/upload", json={"audio_url": hostile.url(path)})
        assert response.status_code == 200, response.text
        body = media_server.wait(client, response.json()["task_id"], timeout=30)
        elapsed = time.monotonic() - start
        assert body["status"] == "FAILED" and body["type"] == "failed", body
        assert body["error"].startswith("audio_url: ") and reason in body["error"], body["error"]
        assert "refunded" in body["message"]
        assert client.get("/get-credits").json() == {"credits": 2, "extra_credits": 0}
    assert elapsed < FETCH_TIMEOUT_S + 8, f"{path} took {elapsed:.1f} s"  # never a full decode of hours
    _healthy(media_server)


def test_a_good_upload_still_works_after_the_corpus(media_server: LiveServer, hostile: LoopbackHost) -> None:
    with media_server.client(media_server.new_key(credits=2)) as client:
        response = client.post("/producer/upload", json={"audio_url": hostile.url("/good.wav")})
        body = media_server.wait(client, response.json()["task_id"], timeout=90)
        assert body["status"] == "SUCCESS", body
        assert abs(body["data"][0]["duration"] - 3.0) < 0.1
        assert client.get("/get-credits").json()["credits"] == 0


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/text.png", "not a supported image"),
        ("/bomb.png", "the cover image is too large"),
        ("/gigabytes.png", "larger than 10 MB"),
        ("/dribble.png", f"did not finish within {FETCH_TIMEOUT_S:g} s"),
        ("/loop.png", "too many redirects"),
        ("/page.mp3", "not an image"),
    ],
)
def test_hostile_cover_is_replaced_by_a_drawn_one(
    media_server: LiveServer, hostile: LoopbackHost, path: str, reason: str
) -> None:
    with media_server.client(media_server.new_key(credits=10)) as client:
        response = client.post("/producer/create", json={
            "sound": SOUND, "make_instrumental": True, "length": 1, "cover_url": hostile.url(path)})
        assert response.status_code == 200, response.text
        body = media_server.wait(client, response.json()["task_id"], timeout=30)
        assert body["status"] == "SUCCESS", body
        clip = body["data"][0]
        notes = " ".join(clip["metadata"]["notes"])
        assert "cover_url was not used" in notes and reason in notes, notes
        cover = httpx.get(clip["image_url"], timeout=10)
        assert cover.status_code == 200 and cover.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert httpx.get(f"{media_server.base_url}/healthz", timeout=5).status_code == 200


# The decode sandbox: what ffmpeg/ffprobe run under (encode._run_limited).

def test_decoder_runs_with_cpu_memory_and_file_limits() -> None:
    script = (
        "import resource as r;"
        "print(r.getrlimit(r.RLIMIT_CPU)[0], r.getrlimit(r.RLIMIT_AS)[0], r.getrlimit(r.RLIMIT_FSIZE)[0])"
    )
    proc = encode._run_limited([sys.executable, "-c", script], cpu_seconds=7, mem_bytes=1 << 30, wall_seconds=30)
    assert proc.stdout.split() == [b"7", str(1 << 30).encode(), b"0"]


def test_decoder_burning_cpu_is_killed_at_its_cpu_limit() -> None:
    start = time.monotonic()
    proc = encode._run_limited([sys.executable, "-c", "while True: pass"], cpu_seconds=1, mem_bytes=1 << 30,
                               wall_seconds=30)
    assert proc.returncode < 0  # killed by SIGXCPU/SIGKILL, not a normal exit
    assert time.monotonic() - start < 10


def test_decoder_hanging_is_stopped_at_its_wall_limit() -> None:
    start = time.monotonic()
    with pytest.raises(encode.AudioDecodeError, match="took too long"):
        encode._run_limited(["sleep", "30"], cpu_seconds=5, mem_bytes=1 << 30, wall_seconds=0.5)
    assert time.monotonic() - start < 5


def test_decoder_cannot_read_other_files_through_a_playlist(tmp_path: Path) -> None:
    # Even when named and typed as audio, a playlist is not sniffed as audio, so ffmpeg never sees it;
    # and decode_audio forces the demuxer from the magic bytes (-f) with only the file protocol allowed.
    path = tmp_path / "song.mp3"
    path.write_bytes(corpus.HLS_PLAYLIST)
    with pytest.raises(encode.AudioDecodeError, match="not a supported audio format"):
        encode.decode_audio(path)
