"""The Producer API over HTTP against a running server, with the real composer engine."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.audio import fetch_mp3, fetch_wav, rms_dbfs, tempo
from tests.support.songs import LYRICS, ROCK


def submit(client, **body) -> str:
    response = client.post("/producer/create", json=body)
    assert response.status_code == 200, response.text
    payload = response.json()
    assert payload["message"] == "success"
    return payload["task_id"]


@pytest.fixture(scope="module")
def key(server):
    return server.new_key(credits=2000)


@pytest.fixture(scope="module")
def client(server, key):
    with server.client(key) as c:
        yield c


@pytest.fixture(scope="module")
def instrumental(server, client):
    """A 30 s instrumental at 120 bpm that several tests build on."""
    task_id = submit(client, sound="upbeat pop song with electronic synths and catchy melody",
                     make_instrumental=True, bpm=120, length=30, seed=7, title="Parent")
    body = server.wait(client, task_id)
    assert body["status"] == "SUCCESS", body
    return body["data"][0]


def test_poll_shapes_and_created_clip(server, client, instrumental):
    clip = instrumental
    for field in ("clip_id", "title", "sound", "lyrics", "image_url", "audio_url", "wav_url", "video_url",
                  "created_at", "mv", "seed", "duration", "state"):
        assert field in clip
    assert clip["state"] == "succeeded" and clip["mv"] == "FUZZ-2.0" and clip["seed"] == 7
    assert clip["created_at"].endswith("Z")
    assert clip["audio_url"].startswith(server.base_url + "/media/")
    assert clip["lyrics_timing_markers"] is None  # instrumental


def test_pending_poll_is_202_with_progress(server, client):
    task_id = submit(client, sound="calm ambient meditation music with soft piano", make_instrumental=True,
                     length=20, seed=1)
    first = client.get(f"/producer/task/{task_id}")
    if first.status_code == 202:
        body = first.json()
        assert body["code"] == 202 and body["type"] == "not_ready"
        assert body["status"] in ("PENDING", "RUNNING") and 0 <= body["progress"] <= 100
        assert "error" in body
    assert server.wait(client, task_id)["status"] == "SUCCESS"


def test_instrumental_audio_measures_right(instrumental):
    wav, sr = fetch_wav(instrumental["wav_url"])
    assert sr == 44100 and wav.shape[1] == 2
    assert abs(len(wav) / sr - 30) <= 1.0
    assert abs(instrumental["duration"] - len(wav) / sr) < 0.01
    assert rms_dbfs(wav) > -30, "not silent"
    assert abs(tempo(wav, sr, 120) - 120) <= 0.04 * 120
    mp3 = fetch_mp3(instrumental["audio_url"])
    assert abs(len(mp3) / 44100 - 30) <= 1.0
    assert rms_dbfs(mp3) > -30


def test_mp3_is_192_kbps_and_video_plays(instrumental):
    import subprocess

    import httpx

    for url, kind in ((instrumental["audio_url"], "audio"), (instrumental["video_url"], "video")):
        data = httpx.get(url).content
        command = ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,bit_rate,codec_name",
                   "-of", "csv=p=0", "pipe:0"]
        probe = subprocess.run(command, input=data, capture_output=True, check=True).stdout.decode()
        if kind == "audio":
            assert "mp3" in probe and "192000" in probe, probe
        else:
            assert "video" in probe and "audio" in probe, probe
    png = httpx.get(instrumental["image_url"])
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_same_audio_different_seed_differs(server, client, instrumental):
    body = dict(sound="upbeat pop song with electronic synths and catchy melody", make_instrumental=True,
                bpm=120, length=30, title="Parent")
    again = server.wait(client, submit(client, seed=7, **body))["data"][0]
    other = server.wait(client, submit(client, seed=8, **body))["data"][0]
    a, _ = fetch_wav(instrumental["wav_url"])
    b, _ = fetch_wav(again["wav_url"])
    c, _ = fetch_wav(other["wav_url"])
    assert np.array_equal(a, b)
    n = min(len(a), len(c))
    assert not np.allclose(a[:n], c[:n], atol=1e-3)


def test_song_with_lyrics_has_timing_markers(server, client):
    task_id = submit(client, sound=ROCK, lyrics=LYRICS, seed=3)
    clip = server.wait(client, task_id)["data"][0]
    markers = clip["lyrics_timing_markers"]
    words = [w.strip(",.'") for w in LYRICS.replace("[Verse 1]", "").replace("[Chorus]", "").split()]
    assert [m["word"].strip(",.'") for m in markers] == words
    starts = [m["start_s"] for m in markers]
    assert starts == sorted(starts) and all(m["end_s"] > m["start_s"] for m in markers)
    assert clip["metadata"]["has_vocals"] is True
    assert clip["metadata"]["notes"], "the result says what the vocal stem is"


def test_extend_keeps_parent_then_continues(server, client, instrumental):
    task_id = submit(client, task_type="extend_music", clip_id=instrumental["clip_id"], starts_at=20,
                     extend_s=20, seed=11)
    child = server.wait(client, task_id)["data"][0]
    parent, sr = fetch_wav(instrumental["wav_url"])
    result, _ = fetch_wav(child["wav_url"])
    cut = 20 * sr
    assert np.array_equal(result[:cut], parent[:cut])
    assert abs(len(result) / sr - 40) <= 1.0
    assert rms_dbfs(result[cut:]) > -30
    assert abs(tempo(result, sr, 120) - 120) <= 0.04 * 120


def test_replace_changes_only_the_window(server, client, instrumental):
    task_id = submit(client, task_type="replace_music", clip_id=instrumental["clip_id"], starts_at=10, ends_at=18,
                     sound="dreamy lofi hip hop with jazzy piano chords", seed=5)
    child = server.wait(client, task_id)["data"][0]
    parent, sr = fetch_wav(instrumental["wav_url"])
    result, _ = fetch_wav(child["wav_url"])
    assert len(result) == len(parent)
    assert np.array_equal(result[: 10 * sr], parent[: 10 * sr])
    assert np.array_equal(result[18 * sr:], parent[18 * sr:])
    assert not np.allclose(result[11 * sr: 17 * sr], parent[11 * sr: 17 * sr], atol=1e-3)


@pytest.mark.parametrize(
    "task_type,extra",
    [
        ("cover_music", {"sound": "acoustic folk ballad with fingerpicked guitar", "cover_strength": 0.8}),
        ("swap_music_sound", {"sound": "dark synthwave with analog bass and gated drums"}),
        ("swap_music_vocals", {}),
        ("music_variation", {"weirdness": 0.7}),
    ],
)
def test_other_edits_make_related_audio(server, client, instrumental, task_type, extra):
    task_id = submit(client, task_type=task_type, clip_id=instrumental["clip_id"], seed=9, **extra)
    body = server.wait(client, task_id)
    assert body["status"] == "SUCCESS", body
    child = body["data"][0]
    parent, sr = fetch_wav(instrumental["wav_url"])
    result, _ = fetch_wav(child["wav_url"])
    assert abs(len(result) - len(parent)) / sr <= 1.0, "structure (length) kept"
    assert rms_dbfs(result) > -30
    n = min(len(result), len(parent))
    assert not np.array_equal(result[:n], parent[:n])
    assert abs(tempo(result, sr, 120) - 120) <= 0.04 * 120


def test_download_returns_file_urls(server, client, instrumental):
    for fmt in ("mp3", "wav"):
        response = client.post("/producer/download", json={"clip_id": instrumental["clip_id"], "format": fmt})
        assert response.status_code == 200, response.text
        body = server.wait(client, response.json()["task_id"])
        assert body["status"] == "SUCCESS"
        assert body["data"][0]["audio_url"].endswith(f".{fmt}")


def test_media_supports_range_requests(instrumental):
    import httpx

    url = instrumental["audio_url"]
    full = httpx.get(url).content
    part = httpx.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == full[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(full)}"
    assert httpx.get(url.replace("/media/", "/media/x")).status_code == 404


def test_credits_are_debited_per_task(server):
    key = server.new_key(credits=100, extra=15)
    with server.client(key) as c:
        assert c.get("/get-credits").json() == {"credits": 100, "extra_credits": 15}
        task_id = submit(c, sound="gentle acoustic guitar ballad with warm strings", make_instrumental=True, length=5)
        assert c.get("/get-credits").json() == {"credits": 100, "extra_credits": 5}, "extra credits go first"
        submit(c, sound="gentle acoustic guitar ballad with warm strings", make_instrumental=True, length=5)
        assert c.get("/get-credits").json() == {"credits": 95, "extra_credits": 0}
        server.wait(c, task_id)
