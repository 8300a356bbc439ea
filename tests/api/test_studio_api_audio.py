"""Studio on the real composer through the official client: the song section sets the length and the
singing happens inside the lyric placement."""

from __future__ import annotations

from musicapi import MusicAPI, PollOptions, StudioCreateParams

from openproducer.store.tables import Clip
from tests.support.audio import fetch_mp3, rms_dbfs
from tests.support.songs import LYRICS


def test_lyrics_are_sung_inside_their_placement(server):
    client = MusicAPI(api_key=server.new_key(credits=100), base_url=server.api)
    done = client.studio.generate_and_wait(StudioCreateParams(
        prompt="warm acoustic folk with gentle guitar", lyrics_type="user", lyrics=LYRICS, prompt_strength=0.6,
        clarity_strength=0.5, lyrics_strength=0.5, generation_quality=0.6, model_type="studio32-v1.5",
        config={"mode": "regular"}, seed=8, song_section_start=60, song_section_end=100,
        lyrics_placement_start=66, lyrics_placement_end=94), PollOptions(poll_interval_ms=100, timeout_ms=180_000))
    assert done.data.status == "SUCCESS" and len(done.data.songs) == 2
    for song in done.data.songs:
        audio = fetch_mp3(song.song_path)
        assert abs(len(audio) / 44100 - 40) <= 1.5 and rms_dbfs(audio) > -30
        with server.runtime.services.db.session(write=False) as session:
            meta = session.get(Clip, song.id).meta
        beat = 60.0 / meta["bpm"]
        words = meta["lyrics_timing"]
        assert len(words) == 30, "every word is sung"
        assert abs(words[0]["start"] - 6.0) <= 2 * beat, words[0]  # placement 66 s of a section from 60 s
        assert words[-1]["end"] <= 34.0 + 2 * beat, words[-1]  # to the nearest bar line
        assert meta["extra"]["profile"] == "standard"  # generation_quality 0.6 on studio32
