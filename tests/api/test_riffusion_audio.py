"""Riffusion's edits, measured on the real composer through the official client: replace keeps the
outside of its window, the swaps keep the other stem, extend continues in key and tempo."""

from __future__ import annotations

import numpy as np
import pytest
from musicapi import MusicAPI, PollOptions, RiffusionCreateParams

from openproducer.audio.analyse import NOTE_NAMES
from tests.support.audio import fetch_wav, rms_dbfs, tempo
from tests.support.clips import stored_stems

OPTIONS = PollOptions(poll_interval_ms=100, timeout_ms=180_000)
VERSE = ("[Verse]\nWalking through the city lights\nFeeling the rhythm of the night\n"
         "Every step a new surprise\nUnder these electric skies\n")
BPM = 140


@pytest.fixture(scope="module")
def client(server):
    return MusicAPI(api_key=server.new_key(credits=500), base_url=server.api)


@pytest.fixture(scope="module")
def parent(client):
    """A short sung song at 140 bpm (FUZZ-1.1 Pro: the standard arrangement)."""
    result = client.riffusion.generate_and_wait(
        RiffusionCreateParams(mv="FUZZ-1.1 Pro", custom_mode=True, lyrics=VERSE, title="City",
                              sound=f"upbeat pop, female vocals, {BPM} bpm", make_instrumental=False), OPTIONS)
    assert result.code == 200 and len(result.data) == 2
    song = result.data[0]
    audio, sr = fetch_wav(song.audio_url.replace("audio.mp3", "audio.wav"))
    return song, audio, sr


def _edit(client, parent_song, **fields):
    result = client.riffusion.generate_and_wait(
        RiffusionCreateParams(mv="FUZZ-1.1 Pro", custom_mode=True, continue_clip_id=parent_song.clip_id, **fields),
        OPTIONS)
    assert result.code == 200 and len(result.data) == 2
    return result.data


def _scale_shares(audio: np.ndarray, sr: int, key: str) -> list[float]:
    """The share of the audio's pitch-class energy on the scale of ``key`` moved 0..11 semitones."""
    import librosa

    tonic, mode = key.split()
    steps = (0, 2, 4, 5, 7, 9, 11) if mode == "major" else (0, 2, 3, 5, 7, 8, 10)
    mono = librosa.resample(audio.mean(axis=1), orig_sr=sr, target_sr=22050)
    chroma = librosa.feature.chroma_cqt(y=mono, sr=22050).mean(axis=1)
    return [float(chroma[[(NOTE_NAMES.index(tonic) + shift + step) % 12 for step in steps]].sum() / chroma.sum())
            for shift in range(12)]


def _wav(song) -> np.ndarray:
    return fetch_wav(song.audio_url.replace("audio.mp3", "audio.wav"))[0]


def test_replace_keeps_the_outside_of_the_window(client, parent):
    song, audio, sr = parent
    for child in _edit(client, song, task_type="replace_music", replace_start_time=6, replace_end_time=12,
                       sound="dreamy lofi hip hop with jazzy piano chords"):
        result = _wav(child)
        assert len(result) == len(audio)
        assert np.array_equal(result[: 6 * sr], audio[: 6 * sr])
        assert np.array_equal(result[12 * sr:], audio[12 * sr:])
        assert not np.allclose(result[7 * sr: 11 * sr], audio[7 * sr: 11 * sr], atol=1e-3)


def test_swap_sound_keeps_the_vocal_stem_and_changes_the_rest(server, client, parent):
    song, audio, sr = parent
    old, _ = stored_stems(server, song.clip_id)
    assert {"vocals", "instrumental"} <= set(old), "the parent is sung"
    for child in _edit(client, song, task_type="swap_music_sound", sound="dark synthwave with analog bass"):
        new, meta = stored_stems(server, child.clip_id)
        n = min(len(new["vocals"]), len(old["vocals"]))
        assert np.allclose(new["vocals"][:n], old["vocals"][:n], atol=1e-4), "the vocals are the parent's"
        m = min(len(new["instrumental"]), len(old["instrumental"]))
        assert not np.allclose(new["instrumental"][:m], old["instrumental"][:m], atol=1e-3)
        assert rms_dbfs(new["instrumental"]) > -40
        result = _wav(child)
        assert abs(len(result) - len(audio)) / sr <= 1.0
        assert abs(tempo(result, sr, BPM) - BPM) <= 0.05 * BPM


def test_swap_vocals_keeps_the_accompaniment_and_sings_again(server, client, parent):
    song, _, _ = parent
    old, old_meta = stored_stems(server, song.clip_id)
    for child in _edit(client, song, task_type="swap_music_vocals", sound="deep male voice, raspy"):
        new, meta = stored_stems(server, child.clip_id)
        n = min(len(new["instrumental"]), len(old["instrumental"]))
        assert np.allclose(new["instrumental"][:n], old["instrumental"][:n], atol=1e-4)
        assert not np.allclose(new["vocals"][:n], old["vocals"][:n], atol=1e-3)
        assert rms_dbfs(new["vocals"]) > -45, "someone sings"
        assert meta["extra"]["singer"]["gender"] == "male" and meta["vocal_kind"] == "sung"
        assert [w["word"] for w in meta["lyrics_timing"]] == [w["word"] for w in old_meta["lyrics_timing"]]


def test_extend_answers_the_whole_song_in_key_and_tempo(server, client, parent):
    song, audio, sr = parent
    _, old_meta = stored_stems(server, song.clip_id)
    at = 10
    for child in _edit(client, song, task_type="extend_music", continue_at=at, sound="pop"):
        result = _wav(child)
        cut = at * sr
        assert np.array_equal(result[:cut], audio[:cut]), "the parent up to continue_at"
        assert len(result) / sr >= at + 29, "then at least 30 s of new music"
        assert rms_dbfs(result[cut:]) > -30
        assert abs(tempo(result[cut:], sr, BPM) - BPM) <= 0.05 * BPM
        _, meta = stored_stems(server, child.clip_id)
        assert (meta["key"], meta["bpm"]) == (old_meta["key"], old_meta["bpm"])
        shares = _scale_shares(result[cut:], sr, meta["key"])
        # the key's scale fits better than all but its neighbours a fifth away (six of its seven notes): a part
        # that leans on the dominant or subdominant chord may fit one of them a little better (by 0.01-0.03 here)
        others = [share for shift, share in enumerate(shares) if shift not in (0, 5, 7)]
        assert shares[0] >= max(shares) - 0.05 and shares[0] > max(others), \
            ("the new part's notes fit another scale better", meta["key"], shares)
