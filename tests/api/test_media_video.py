"""The MP4 of a clip is made on its first request, not before SUCCESS; later requests are served from storage."""

from __future__ import annotations

import json
import subprocess
import threading

import httpx

from openproducer.store.tables import Clip
from tests.support.audio import fetch_mp3

BODY = {"sound": "calm ambient piano with soft strings", "make_instrumental": True, "length": 6, "seed": 3}


def _probe(data: bytes) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_type,codec_name,width",
         "-of", "json", "pipe:0"], input=data, capture_output=True, check=True,
    ).stdout
    return json.loads(out)


def test_video_is_made_on_first_request_then_kept(fake_server):
    live = fake_server()
    with live.client(live.new_key(credits=100)) as client:
        task_id = client.post("/producer/create", json=BODY).json()["task_id"]
        clip = live.wait(client, task_id)["data"][0]
    blobs = live.runtime.services.blobs
    with live.runtime.services.db.session(write=False) as session:
        files = session.get(Clip, clip["clip_id"]).files
    assert clip["video_url"], "video_url is in the result although no video is stored yet"
    assert files["mp3"] and blobs.exists(files["wav"])
    assert not blobs.exists(files["video"]), "SUCCESS did not wait for the MP4"

    answers: list[httpx.Response] = []
    threads = [threading.Thread(target=lambda: answers.append(httpx.get(clip["video_url"], timeout=60)))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len({a.content for a in answers}) == 1, "concurrent first requests got one and the same video"
    video = _probe(answers[0].content)
    streams = {s["codec_type"]: s for s in video["streams"]}
    assert streams["video"]["codec_name"] == "h264" and streams["video"]["width"] == 512
    assert streams["audio"]["codec_name"] == "aac"
    assert abs(float(video["format"]["duration"]) - 6.0) < 0.1
    assert blobs.exists(files["video"])
    stored = blobs.local_path(files["video"]).stat().st_mtime_ns
    head = httpx.head(clip["video_url"])
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(answers[0].content)
    assert blobs.local_path(files["video"]).stat().st_mtime_ns == stored, "made once, then served as stored"


def test_the_mp3_is_served_as_soon_as_the_task_answers_and_remade_if_lost(fake_server):
    """SUCCESS does not wait for the MP3 encode: a request right after it waits for the encode;
    an MP3 whose encode was lost (the process stopped) is made from the WAV on request."""
    live = fake_server()
    with live.client(live.new_key(credits=100)) as client:
        task_id = client.post("/producer/create", json=BODY).json()["task_id"]
        clip = live.wait(client, task_id)["data"][0]
    first = httpx.get(clip["audio_url"], timeout=60)
    assert first.status_code == 200 and first.headers["content-type"] == "audio/mpeg"
    assert abs(len(fetch_mp3(clip["audio_url"])) / 44100 - 6.0) < 0.1
    blobs = live.runtime.services.blobs
    with live.runtime.services.db.session(write=False) as session:
        files = session.get(Clip, clip["clip_id"]).files
    blobs.local_path(files["mp3"]).unlink()  # as if the worker had stopped before storing it
    assert abs(len(fetch_mp3(clip["audio_url"])) / 44100 - 6.0) < 0.1, "made again from the WAV"
    assert blobs.exists(files["mp3"])


def test_video_of_an_unknown_token_is_404(fake_server):
    live = fake_server()
    response = httpx.get(f"{live.base_url}/media/{'x' * 32}/video.mp4")
    assert response.status_code == 404
