"""Uploads: audio fetched from a URL becomes a clip with measured tempo and key, usable as a parent."""

from __future__ import annotations

import numpy as np
import pytest

from openproducer.audio.encode import encode_mp3, write_wav
from tests.support.audio import fetch_wav
from tests.support.www import serve_folder


def _beat(bpm: float, seconds: float, sr: int = 44100) -> np.ndarray:
    """Kick-like clicks on every beat over an A minor chord."""
    t = np.arange(int(seconds * sr)) / sr
    audio = 0.1 * sum(np.sin(2 * np.pi * f * t) for f in (220.0, 261.63, 329.63))
    period = 60.0 / bpm
    for start in np.arange(0, seconds, period):
        i = int(start * sr)
        n = min(len(t) - i, int(0.08 * sr))
        audio[i: i + n] += 0.6 * np.sin(2 * np.pi * 60 * t[:n]) * np.exp(-t[:n] * 40)
    return np.stack([audio, audio], axis=1).astype(np.float32) * 0.5


@pytest.fixture(scope="module")
def audio_host(tmp_path_factory):
    root = tmp_path_factory.mktemp("www")
    write_wav(root / "groove.wav", _beat(100, 12), 44100)
    encode_mp3(root / "groove.wav", root / "groove.mp3")
    from PIL import Image

    Image.new("RGB", (300, 200), (220, 20, 30)).save(root / "red.png")
    (root / "notes.mp3").write_text("this is not audio at all, just text pretending to be an mp3 file\n" * 20)
    with serve_folder(root) as url:
        yield url


def test_upload_then_extend_and_replace(server, audio_host):
    with server.client(server.new_key(credits=100)) as client:
        response = client.post("/producer/upload", json={"audio_url": f"{audio_host}/groove.mp3"})
        assert response.status_code == 200, response.text
        body = server.wait(client, response.json()["task_id"])
        assert body["status"] == "SUCCESS", body
        clip = body["data"][0]
        assert abs(clip["duration"] - 12) <= 0.5
        assert abs(clip["metadata"]["bpm"] - 100) <= 4, clip["metadata"]
        assert client.get("/get-credits").json()["credits"] == 98

        response = client.post("/producer/create", json={"task_type": "extend_upload_music", "clip_id": clip["clip_id"],
                                                         "starts_at": 8, "extend_s": 8,
                                                         "sound": "minimal techno groove with deep bass"})
        extended = server.wait(client, response.json()["task_id"])
        assert extended["status"] == "SUCCESS", extended
        parent, sr = fetch_wav(clip["wav_url"])
        child, _ = fetch_wav(extended["data"][0]["wav_url"])
        assert np.array_equal(child[: 8 * sr], parent[: 8 * sr])
        assert abs(len(child) / sr - 16) <= 1

        response = client.post("/producer/create", json={"task_type": "replace_upload_music",
                                                         "clip_id": clip["clip_id"], "starts_at": 4, "ends_at": 8,
                                                         "sound": "minimal techno groove with deep bass"})
        replaced = server.wait(client, response.json()["task_id"])["data"][0]
        child, _ = fetch_wav(replaced["wav_url"])
        assert len(child) == len(parent)
        assert np.array_equal(child[: 4 * sr], parent[: 4 * sr]) and np.array_equal(child[8 * sr:], parent[8 * sr:])


def test_upload_of_non_audio_fails_with_refund(server, audio_host):
    with server.client(server.new_key(credits=10)) as client:
        response = client.post("/producer/upload", json={"audio_url": f"{audio_host}/notes.mp3"})
        body = server.wait(client, response.json()["task_id"])
        assert body["status"] == "FAILED" and body["type"] == "failed"
        assert "audio_url" in body["error"] and "refunded" in body["message"]
        assert client.get("/get-credits").json()["credits"] == 10
        missing = client.post("/producer/upload", json={"audio_url": f"{audio_host}/nothing-here.mp3"})
        assert server.wait(client, missing.json()["task_id"])["status"] == "FAILED"
        assert client.get("/get-credits").json()["credits"] == 10


def test_private_addresses_refused_unless_allowed(server, audio_host, monkeypatch):
    monkeypatch.setattr(server.runtime.settings, "allow_private_urls", False)
    with server.client(server.new_key(credits=10)) as client:
        response = client.post("/producer/upload", json={"audio_url": f"{audio_host}/groove.mp3"})
        body = server.wait(client, response.json()["task_id"])
    assert body["status"] == "FAILED" and "private" in body["error"], body


def test_cover_url_is_honoured(server, audio_host):
    import io

    import httpx
    from PIL import Image

    with server.client(server.new_key(credits=50)) as client:
        response = client.post("/producer/create", json={
            "sound": "slow cinematic piano with soft strings", "make_instrumental": True, "length": 4,
            "cover_url": f"{audio_host}/red.png"})
        clip = server.wait(client, response.json()["task_id"])["data"][0]
    image = Image.open(io.BytesIO(httpx.get(clip["image_url"]).content)).convert("RGB")
    assert image.width == image.height
    r, g, b = image.resize((1, 1)).getpixel((0, 0))
    assert r > 180 and g < 60 and b < 60, "the cover is the image the client gave"
