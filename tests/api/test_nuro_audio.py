"""Nuro songs measured on the real composer: a bgm v2.0 song's sections start where its segments say
(within a beat), and a vocal song sings its lyrics in the asked singer's range."""

from __future__ import annotations

import time

import numpy as np
import pytest

from openproducer.core.validation import lyric_words
from tests.support.audio import fetch_wav, rms_dbfs, tempo
from tests.support.clips import stored_stems

WORDS = ("[verse]\nWalking through the city lights\nFeeling the rhythm of the night\n"
         "Every step a new surprise\nUnder these electric skies\n")


@pytest.fixture(scope="module")
def client(server):
    with server.client(server.new_key(credits=200)) as c:
        yield c


def _song(client, **body) -> dict:
    response = client.post("/nuro/create", json=body)
    assert response.status_code == 200, response.text
    task_id = response.json()["task_id"]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        polled = client.get(f"/nuro/task/{task_id}").json()
        if polled["status"] in ("succeeded", "failed"):
            assert polled["status"] == "succeeded", polled
            return polled
        time.sleep(0.1)
    raise AssertionError("the song did not finish")


def test_bgm_v2_sections_start_where_the_segments_say(server, client):
    segments = [{"name": "intro", "duration": 20}, {"name": "verse", "duration": 25},
                {"name": "chorus", "duration": 30}, {"name": "outro", "duration": 15}]
    song = _song(client, type="bgm", description="an upbeat corporate track with piano", genre=["corporate"],
                 version="v2.0", duration=90, segments=segments, seed=3)
    audio, sr = fetch_wav(song["audio_url"])
    assert 89 <= len(audio) / sr <= 91.5
    _, meta = stored_stems(server, song["clip_id"])
    beat = 60.0 / meta["bpm"]
    assert [s["name"] for s in meta["sections"]] == ["intro", "verse", "chorus", "outro"]
    for section, start in zip(meta["sections"], (0, 20, 45, 75), strict=True):
        assert abs(section["start"] - start) <= beat, (section, start, beat)
    # the audio keeps that tempo, so its bars fall where the sections say
    assert abs(tempo(audio, sr, meta["bpm"]) - meta["bpm"]) <= 0.04 * meta["bpm"]
    intro, chorus = audio[: int(18 * sr)], audio[int(47 * sr): int(73 * sr)]
    assert rms_dbfs(chorus) > rms_dbfs(intro) + 1.0, "the chorus is fuller than the intro"


def _median_f0(vocals: np.ndarray, sr: int) -> float:
    import librosa

    mono = librosa.resample(vocals.mean(axis=1), orig_sr=sr, target_sr=22050)
    f0 = librosa.yin(mono, fmin=60, fmax=1000, sr=22050, frame_length=2048)
    loud = librosa.feature.rms(y=mono, frame_length=2048, hop_length=512)[0][: len(f0)]
    return float(np.median(f0[: len(loud)][loud > 0.3 * loud.max()]))


def test_vocal_songs_sing_the_lyrics_in_the_asked_range(server, client):
    heard = {}
    for gender, extra in (("Female", {"duration": 30}), ("Male", {})):
        song = _song(client, type="vocal", lyrics=WORDS, gender=gender, genre="Pop", timbre="Bright", seed=5,
                     **extra)
        assert song["gender"] == gender and song["lyrics"] == WORDS.strip()
        stems, meta = stored_stems(server, song["clip_id"])
        sung = [w["word"].strip(",.'").lower() for w in meta["lyrics_timing"]]
        assert sung == [w.lower() for w in lyric_words(WORDS)], "every word is sung, in order"
        assert meta["vocal_kind"] == "sung" and meta["extra"]["singer"]["gender"] == gender.lower()
        heard[gender] = _median_f0(stems["vocals"], 44100)
        if "duration" in extra:
            audio, sr = fetch_wav(song["audio_url"])
            assert abs(len(audio) / sr - 30) <= 1.0
    assert 165 <= heard["Female"] <= 700, heard
    assert 75 <= heard["Male"] <= 260, heard
    assert heard["Female"] / heard["Male"] >= 1.5, heard
