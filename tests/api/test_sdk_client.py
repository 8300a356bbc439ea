"""The official client, unchanged but for its base URL: create -> poll -> download -> credits."""

from __future__ import annotations

import httpx
from musicapi import MusicAPI, PollOptions, ProducerCreateParams, ProducerDownloadParams
from musicapi._errors import MusicAPIError

from tests.support.audio import fetch_wav


def test_musicapi_sdk_round_trip(server):
    key = server.new_key(credits=100)
    client = MusicAPI(api_key=key, base_url=server.api)
    assert client.credits.get().credits == 100
    options = PollOptions(poll_interval_ms=100, timeout_ms=90_000)
    result = client.producer.generate_and_wait(
        ProducerCreateParams(sound="Calm ambient meditation music with soft piano and gentle strings",
                             length=12, seed=42, bpm=90, title="SDK"),
        options,
    )
    assert result.code == 200 and result.message == "success"
    song = result.data[0]
    assert song.clip_id and song.seed == 42 and song.title == "SDK"
    assert abs(song.duration - 12) <= 1
    audio = httpx.get(song.audio_url)
    assert audio.status_code == 200 and len(audio.content) > 50_000
    wav, sr = fetch_wav(song.wav_url)
    assert abs(len(wav) / sr - 12) <= 1

    download = client.producer.download_and_wait(ProducerDownloadParams(clip_id=song.clip_id, format="wav"), options)
    assert download.data[0].audio_url.endswith(".wav")

    pending = client.producer.create(ProducerCreateParams(task_type="extend_music", clip_id=song.clip_id,
                                                          starts_at=6, extend_s=6))
    assert pending.message == "success" and pending.task_id
    state = client.producer.get_task(pending.task_id)
    assert state.code in (200, 202)

    credits = client.credits.get()
    assert (credits.credits, credits.extra_credits) == (100 - 10 - 2 - 10, 0)


def test_sdk_sees_clear_errors(server):
    client = MusicAPI(api_key=server.new_key(credits=100), base_url=server.api, max_retries=0)
    try:
        client.producer.create(ProducerCreateParams(sound="test"))
    except MusicAPIError as exc:
        assert exc.status == 400 and "sound" in str(exc) and exc.request_id
    else:
        raise AssertionError("placeholder sound accepted")
    bad = MusicAPI(api_key="op_wrong", base_url=server.api, max_retries=0)
    try:
        bad.credits.get()
    except MusicAPIError as exc:
        assert exc.is_auth_error
    else:
        raise AssertionError("wrong key accepted")
