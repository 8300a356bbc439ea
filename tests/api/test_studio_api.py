"""The official client's ``studio`` resource, unchanged but for its base URL (machinery on a FakeEngine
server): create, the nested poll and its statuses, a failure the client sees, mistakes."""

from __future__ import annotations

import time

import pytest
from musicapi import MusicAPI, PollOptions, StudioCreateParams
from musicapi._errors import MusicAPIError

from tests.support.fake_engine import FakeEngine

OPTIONS = PollOptions(poll_interval_ms=50, timeout_ms=60_000)


def _params(**over) -> StudioCreateParams:
    base = dict(prompt="dreamy indie pop with shimmering guitars", lyrics_type="instrumental", prompt_strength=0.6,
                clarity_strength=0.5, lyrics_strength=0.5, generation_quality=0.8, model_type="studio130-v1.5",
                config={"mode": "regular"}, seed=4, song_section_start=0, song_section_end=4)
    return StudioCreateParams(**{**base, **over})


def test_create_and_wait_through_the_client(fake_server):
    live = fake_server(FakeEngine(delay_s=0.6))
    client = MusicAPI(api_key=live.new_key(credits=100), base_url=live.api)
    submitted = client.studio.create(_params())
    assert submitted.code == "200" and submitted.data
    first = client.studio.get_task(submitted.data)
    assert first.code in ("202", "200") and first.data.task_id == submitted.data
    assert first.data.status in ("NOT_START", "IN_PROGRESS", "SUCCESS") and first.data.progress.endswith("%")
    assert isinstance(first.data.submit_time, int) and first.data.action == "generate"

    done = client.studio.generate_and_wait(_params(bypass_prompt_optimization=True), OPTIONS)
    assert done.code == "200" and done.data.status == "SUCCESS" and done.data.progress == "100%"
    assert done.data.finish_time >= done.data.start_time >= done.data.submit_time
    assert len(done.data.songs) == 2 and len({s.id for s in done.data.songs}) == 2
    for song in done.data.songs:
        assert song.finished is True and song.prompt == "dreamy indie pop with shimmering guitars"
        assert song.song_path.startswith(live.base_url) and song.song_path.endswith(".mp3")
        assert song.image_path.endswith(".png") and abs(song.duration - 4) < 0.1
    assert client.credits.get().credits == 100 - 2 * 15


def test_every_status_is_seen_while_polling(fake_server):
    live = fake_server(FakeEngine(delay_s=1.0))
    client = MusicAPI(api_key=live.new_key(credits=100), base_url=live.api)
    task_id = client.studio.create(_params()).data
    seen = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = client.studio.get_task(task_id).data.status
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == "SUCCESS":
            break
        time.sleep(0.02)
    assert seen[-2:] == ["IN_PROGRESS", "SUCCESS"] and set(seen) <= {"NOT_START", "IN_PROGRESS", "SUCCESS"}


def test_a_failed_task_reaches_the_client_at_once(fake_server):
    live = fake_server(FakeEngine(fail_with="the soundfont caught fire"))
    key = live.new_key(credits=100)
    client = MusicAPI(api_key=key, base_url=live.api, max_retries=0)
    started = time.monotonic()
    with pytest.raises(MusicAPIError) as failed:
        client.studio.generate_and_wait(_params(), OPTIONS)
    assert failed.value.status == 424 and failed.value.code == "failed"
    assert "soundfont caught fire" in str(failed.value)
    assert time.monotonic() - started < 20, "not polled until the client's timeout"
    task_id = failed.value.response_body["data"]["task_id"]
    with live.client(key) as http:  # a plain HTTP reader sees the status in the nested shape too
        response = http.get(f"/studio/task/{task_id}")
    assert response.status_code == 424 and response.json()["data"]["status"] == "FAILED"
    assert client.credits.get().credits == 100, "refunded"


def test_mistakes_are_clear_and_free(fake_server):
    live = fake_server()
    client = MusicAPI(api_key=live.new_key(credits=100), base_url=live.api, max_retries=0)
    with pytest.raises(MusicAPIError) as refused:
        client.studio.create(_params(lyrics_type="user", model_type="studio64-v9"))
    assert refused.value.status == 400 and "lyrics" in str(refused.value) and "model_type" in str(refused.value)
    with pytest.raises(MusicAPIError) as missing:
        client.studio.get_task("no-such-task")
    assert missing.value.status == 404
    with live.client(live.new_key(credits=100)) as http:  # fields the client cannot send, over plain HTTP
        answer = http.post("/studio/create", json={**_params().__dict__, "config": {"mode": "regular", "speed": "fast"},
                                                   "colour": "red"}).json()
    assert "config.speed" in answer["warning"] and "colour" in answer["warning"]
    assert client.credits.get().credits == 100


def test_generated_lyrics_are_sung(fake_server):
    pytest.importorskip("openproducer.lyrics", reason="the lyric writer is merged separately")
    live = fake_server()
    client = MusicAPI(api_key=live.new_key(credits=100), base_url=live.api)
    done = client.studio.generate_and_wait(_params(lyrics_type="generate"), OPTIONS)
    assert done.data.status == "SUCCESS" and all(song.lyrics for song in done.data.songs)
