"""The official client's ``riffusion`` resource, unchanged but for its base URL: every task type,
uploads, failures and credits (machinery on a FakeEngine server; the audio in test_riffusion_audio.py)."""

from __future__ import annotations

import numpy as np
import pytest
from musicapi import MusicAPI, PollOptions, RiffusionCreateParams, RiffusionUploadParams
from musicapi._errors import MusicAPIError

from openproducer.audio.encode import write_wav
from tests.support.fake_engine import FakeEngine
from tests.support.songs import LYRICS
from tests.support.www import serve_folder

OPTIONS = PollOptions(poll_interval_ms=50, timeout_ms=60_000)
WORDS = LYRICS + "Hold on to the morning\nEvery mile brings me home\n"


@pytest.fixture(scope="module")
def audio_host(tmp_path_factory):
    """A loopback web server with a 6 s tone to upload."""
    root = tmp_path_factory.mktemp("www")
    t = np.arange(6 * 44100) / 44100
    tone = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    write_wav(root / "tone.wav", np.stack([tone, tone], axis=1), 44100)
    with serve_folder(root) as url:
        yield url


def _check_songs(result, mv: str) -> None:
    assert result.code == 200 and result.message == "success"
    assert len(result.data) == 2, "two clips a task"
    assert len({song.clip_id for song in result.data}) == 2
    for song in result.data:
        assert song.state == "succeeded" and song.mv == mv and song.duration > 0
        assert song.audio_url.startswith("http://127.0.0.1:") and song.audio_url.endswith("audio.mp3")
        assert isinstance(song.timestamp, dict) and song.created_at.endswith("Z")


def test_every_task_type_and_upload_through_the_client(fake_server, audio_host):
    live = fake_server()
    client = MusicAPI(api_key=live.new_key(credits=1000), base_url=live.api)

    uploaded = client.riffusion.upload(RiffusionUploadParams(url=f"{audio_host}/tone.wav"))
    assert uploaded.code == 200 and uploaded.message == "success" and uploaded.clip_id
    assert client.credits.get().credits == 998

    created = client.riffusion.generate_and_wait(
        RiffusionCreateParams(mv="FUZZ-1.1 Pro", custom_mode=True, lyrics=WORDS, sound="pop", title="Starts",
                              make_instrumental=False, vocal_variation=0.3), OPTIONS)
    _check_songs(created, "FUZZ-1.1 Pro")
    song = created.data[0]
    assert song.title == "Starts" and song.sound == "pop" and song.vocal_variation == 0.3
    assert song.lyrics.startswith("[Verse 1]")

    edits = {
        "extend_music": {"continue_at": 2, "lyrics": WORDS, "sound": "pop"},
        "cover_music": {"sound": "acoustic folk with fingerpicked guitar"},
        "replace_music": {"replace_start_time": 1, "replace_end_time": 3},
        "swap_music_sound": {"sound": "dark synthwave with analog bass"},
        "swap_music_vocals": {"sound": "deep male voice, raspy"},
    }
    for task_type, extra in edits.items():
        for spelling, parent in ((task_type, song.clip_id),
                                 (task_type.replace("_music", "_upload_music"), uploaded.clip_id)):
            result = client.riffusion.generate_and_wait(
                RiffusionCreateParams(task_type=spelling, mv="FUZZ-1.0", custom_mode=True,
                                      continue_clip_id=parent, **extra), OPTIONS)
            _check_songs(result, "FUZZ-1.0")
    # 2 (upload) + 12 a task: one create, ten edits
    assert client.credits.get().credits == 1000 - 2 - 11 * 12


def test_readme_example_and_manual_polling(fake_server):
    live = fake_server(FakeEngine(delay_s=0.5))
    client = MusicAPI(api_key=live.new_key(credits=100), base_url=live.api)
    # The client README's own example: a prompt and mv only (no custom_mode, no make_instrumental).
    submitted = client.riffusion.create(RiffusionCreateParams(prompt="relaxing lo-fi piano", mv="FUZZ-1.1",
                                                              make_instrumental=True))
    assert submitted.message == "success" and submitted.task_id
    early = client.riffusion.get_task(submitted.task_id)
    assert (early.code, early.data, early.message) == (202, [], "not_ready")
    done = client.riffusion.generate_and_wait(RiffusionCreateParams(prompt="relaxing lo-fi piano", mv="FUZZ-1.1",
                                                                    make_instrumental=True), OPTIONS)
    _check_songs(done, "FUZZ-1.1")
    assert done.data[0].sound == "relaxing lo-fi piano"


def test_failures_and_mistakes_reach_the_client(fake_server):
    live = fake_server(FakeEngine(fail_with="the soundfont caught fire"))
    client = MusicAPI(api_key=live.new_key(credits=100), base_url=live.api, max_retries=0)
    with pytest.raises(MusicAPIError) as failed:
        client.riffusion.generate_and_wait(RiffusionCreateParams(custom_mode=True, lyrics=WORDS, sound="pop",
                                                                 mv="FUZZ-1.0"), OPTIONS)
    assert failed.value.code == "failed" and "soundfont caught fire" in str(failed.value)
    assert client.credits.get().credits == 100, "a failed task is refunded"

    with pytest.raises(MusicAPIError) as refused:
        client.riffusion.create(RiffusionCreateParams(custom_mode=True, sound="pop", mv="FUZZ-0.8"))
    assert refused.value.status == 400 and "mv" in str(refused.value) and "lyrics" in str(refused.value)
    with pytest.raises(MusicAPIError) as missing:
        client.riffusion.create(RiffusionCreateParams(task_type="extend_music", custom_mode=True,
                                                      continue_clip_id="no-such-clip"))
    assert missing.value.status == 404
    with pytest.raises(MusicAPIError) as unknown:
        client.riffusion.get_task("no-such-task")
    assert unknown.value.status == 404
    with pytest.raises(MusicAPIError) as bad_url:
        client.riffusion.upload(RiffusionUploadParams(url="ftp://example.com/a.mp3"))
    assert bad_url.value.status == 400 and "url" in str(bad_url.value)
    assert client.credits.get().credits == 100, "mistakes cost nothing"


def test_a_riffusion_task_is_not_another_familys(fake_server):
    live = fake_server()
    key = live.new_key(credits=100)
    client = MusicAPI(api_key=key, base_url=live.api)
    task_id = client.riffusion.create(RiffusionCreateParams(prompt="relaxing lo-fi piano", mv="FUZZ-1.1",
                                                            make_instrumental=True)).task_id
    with live.client(key) as http:
        assert http.get(f"/producer/task/{task_id}").status_code == 404
        assert http.get(f"/sonic/task/{task_id}").status_code == 404


def test_description_mode_sings_lyrics_written_for_the_prompt(fake_server):
    pytest.importorskip("openproducer.lyrics", reason="the lyric writer is merged separately")
    live = fake_server()
    client = MusicAPI(api_key=live.new_key(credits=100), base_url=live.api)
    result = client.riffusion.generate_and_wait(
        RiffusionCreateParams(custom_mode=False, prompt="a hopeful folk song about coming home", mv="FUZZ-1.1",
                              make_instrumental=False), OPTIONS)
    _check_songs(result, "FUZZ-1.1")
    assert result.data[0].lyrics and result.data[0].lyrics == result.data[1].lyrics, "both clips sing the same words"
