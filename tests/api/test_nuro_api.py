"""Nuro over plain HTTP (the official client has no nuro resource): the flat poll object in every
state, the error table's types, credits (machinery on a FakeEngine server)."""

from __future__ import annotations

import io
import time

import soundfile as sf

from tests.support.fake_engine import FakeEngine
from tests.support.songs import LYRICS

WORDS = LYRICS + "[inst]\n[chorus]\nHold on to the morning light\nEvery mile brings me home to you\n"
FLAT_KEYS = {"task_id", "status", "progress", "clip_id", "audio_url", "lyrics", "duration", "genre", "mood",
             "gender", "timbre"}


def _create(client, **body) -> str:
    response = client.post("/nuro/create", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {"message", "task_id"} and answer["message"] == "success"
    return answer["task_id"]


def _wait(client, task_id: str, timeout: float = 60) -> tuple[dict, set[str]]:
    """The final flat object, and every status seen on the way."""
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(f"/nuro/task/{task_id}")
        assert response.status_code == 200, response.text
        body = response.json()
        seen.add(body["status"])
        if body["status"] in ("succeeded", "failed"):
            return body, seen
        assert set(body) == FLAT_KEYS and body["audio_url"] is None and 0 <= body["progress"] < 100
        time.sleep(0.05)
    raise AssertionError("the task did not finish")


def test_vocal_and_bgm_songs_poll_as_flat_objects(fake_server):
    live = fake_server(FakeEngine(delay_s=0.6))
    with live.client(live.new_key(credits=100)) as client:
        vocal = _create(client, type="vocal", lyrics=WORDS, gender="Male", genre="Pop", mood="Happy",
                        timbre="Warm", duration=30, seed=1)
        body, seen = _wait(client, vocal)
        assert set(body) == FLAT_KEYS, "the flat object: no code/message wrapper"
        assert body["status"] == "succeeded" and body["progress"] == 100 and {"pending", "running"} & seen
        assert (body["genre"], body["mood"], body["gender"], body["timbre"]) == ("Pop", "Happy", "Male", "Warm")
        assert body["lyrics"] == WORDS.strip() and isinstance(body["duration"], float)
        assert body["audio_url"].startswith(live.base_url) and body["audio_url"].endswith(".wav")
        wav = client.get(body["audio_url"])
        audio, sr = sf.read(io.BytesIO(wav.content))
        assert wav.headers["content-type"].startswith("audio/") and abs(len(audio) / sr - body["duration"]) < 0.05

        bgm = _create(client, type="bgm", description="bright music for a travel vlog", genre=["travel", "folk"],
                      mood=["happy", "light"], instrument=["ukulele"], theme=["journey"], duration=5)
        body, _ = _wait(client, bgm)
        assert body["status"] == "succeeded" and body["lyrics"] is None and body["gender"] is None
        assert (body["genre"], body["mood"]) == ("travel, folk", "happy, light")
        assert client.get("/get-credits").json()["credits"] == 80, "10 credits a song"
        assert client.get(f"/sonic/task/{bgm}").status_code == 404, "a Nuro task is not another family's"


def test_failed_task_is_refunded_and_says_why(fake_server):
    live = fake_server(FakeEngine(fail_with="the soundfont caught fire"))
    with live.client(live.new_key(credits=10)) as client:
        body, _ = _wait(client, _create(client, type="bgm", description="calm piano for a rainy day", duration=4))
        assert body["status"] == "failed" and body["type"] == "api_error"
        assert "soundfont caught fire" in body["error"] and "refunded" in body["message"]
        assert client.get("/get-credits").json()["credits"] == 10


def test_errors_carry_the_nuro_types(fake_server):
    live = fake_server()
    with live.client(live.new_key(credits=10)) as client:
        bad = client.post("/nuro/create", json={"type": "vocal", "lyrics": WORDS, "genre": "Metalcore",
                                                "duration": "long"})
        assert bad.status_code == 400 and bad.json()["type"] == "bad_request"
        assert {e["field"] for e in bad.json()["errors"]} == {"duration"}, "types are checked first"
        bad = client.post("/nuro/create", json={"type": "vocal", "lyrics": WORDS, "genre": "Metalcore"})
        assert bad.status_code == 400 and bad.json()["type"] == "bad_request"
        assert bad.json()["errors"][0]["field"] == "genre" and "Hip Hop/Rap" in bad.json()["error"]
        language = client.post("/nuro/create", json={"type": "vocal", "lyrics": "月光洒在安静的河面上 " * 10})
        assert language.status_code == 400 and "language not supported" in language.json()["error"]
        missing = client.get("/nuro/task/no-such-task")
        assert missing.status_code == 404 and missing.json()["type"] == "not_found"
        _create(client, type="bgm", description="calm piano for a rainy day", duration=4)
        broke = client.post("/nuro/create", json={"type": "bgm", "description": "calm piano for a rainy day"})
        assert broke.status_code == 403 and broke.json()["type"] == "forbidden"
    with live.client("op_wrong") as stranger:
        denied = stranger.post("/nuro/create", json={"type": "bgm", "description": "calm piano"})
        assert denied.status_code == 401 and denied.json()["type"] == "unauthorized"
