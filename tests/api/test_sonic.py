"""The Sonic/Suno family through the official client, unchanged but for its base URL, with the
real composer; the audio it returns is measured."""

from __future__ import annotations

import json

import httpx
import numpy as np
import pytest
from musicapi import MusicAPI, PollOptions, SonicCreateParams
from musicapi._errors import MusicAPIError
from musicapi._types import CreatePersonaParams

from openproducer.audio.analyse import ANALYSIS_SR, mono_at
from openproducer.audio.master import integrated_loudness
from openproducer.store.tables import Clip
from tests.support.audio import fetch_wav, rms_dbfs, tempo

pytestmark = pytest.mark.slow  # many songs rendered and sung
LYRICS = ("[Verse]\nWalking through the city lights\nFeeling the rhythm of the night\nEvery step a new surprise\n"
          "Under these electric skies\n[Chorus]\nWe're alive we're free tonight\nDancing till the morning light")
WAIT = PollOptions(poll_interval_ms=100, timeout_ms=180_000)
SONG_FIELDS = {"clip_id", "state", "title", "tags", "lyrics", "image_url", "audio_url", "video_url", "created_at",
               "gpt_description_prompt", "duration", "negative_tags", "style_weight", "weirdness_constraint", "mv"}


@pytest.fixture(scope="module")
def key(server):
    return server.new_key(credits=3000)


@pytest.fixture(scope="module")
def sdk(server, key):
    return MusicAPI(api_key=key, base_url=server.api, max_retries=0)


@pytest.fixture(scope="module")
def song(sdk):
    """A sung pop song: two clips."""
    result = sdk.sonic.generate_and_wait(SonicCreateParams(
        custom_mode=True, prompt=LYRICS, tags="indie pop, female vocals, 100 bpm", title="Starts",
        mv="sonic-v4-5"), WAIT)
    assert result.code == 200 and result.message == "success"
    return result


def stored(server, clip_id: str) -> tuple[Clip, dict | None]:
    services = server.runtime.services
    with services.db.session(write=False) as session:
        clip = session.get(Clip, clip_id)
        session.expunge(clip)
    score = json.loads(services.blobs.get_bytes(clip.files["score"])) if "score" in clip.files else None
    return clip, score


def sung_pitches(score: dict) -> list[int]:
    return [n[2] for n in score["melody"]["notes"] if n[4]]


def test_create_answers_two_different_finished_clips(server, key, song):
    assert len(song.data) == 2
    for clip in song.data:
        assert clip.state == "succeeded" and clip.title == "Starts" and clip.mv == "sonic-v4-5"
        assert clip.tags == "indie pop, female vocals, 100 bpm" and clip.lyrics.startswith("[Verse]")
        assert clip.audio_url.startswith(server.base_url + "/media/")
    with httpx.Client(base_url=server.api, headers={"Authorization": f"Bearer {key}"}) as raw:
        task_clips = raw.get(f"/sonic/task/{_task_of(server, song.data[0].clip_id)}").json()["data"]
    assert all(set(c) == SONG_FIELDS for c in task_clips), "exactly the client's clip fields"
    a, sr = fetch_wav(_wav(server, song.data[0].clip_id))
    b, _ = fetch_wav(_wav(server, song.data[1].clip_id))
    assert rms_dbfs(a) > -30 and rms_dbfs(b) > -30
    n = min(len(a), len(b))
    assert not np.allclose(a[:n], b[:n], atol=1e-2), "the two clips differ"
    (_, score_a), (_, score_b) = stored(server, song.data[0].clip_id), stored(server, song.data[1].clip_id)
    assert sung_pitches(score_a) != sung_pitches(score_b), "different melodies, as the vendor's two clips"
    for clip in song.data:
        row, _ = stored(server, clip.clip_id)
        sung = [w["word"].strip(",.'").lower() for w in row.meta["lyrics_timing"]]
        written = [w.strip(",.'").lower() for w in LYRICS.split() if not w.startswith("[")]
        assert sung == written, "every word is sung, in order"
        assert abs(tempo(a, sr, 100) - 100) <= 4


def _task_of(server, clip_id: str) -> str:
    clip, _ = stored(server, clip_id)
    return clip.task_id


def _wav(server, clip_id: str) -> str:
    clip, _ = stored(server, clip_id)
    return f"{server.base_url}/media/{clip.media_token}/audio.wav"


def test_suno_spellings_and_manual_polling(server, key, sdk):
    submitted = sdk.suno.create(SonicCreateParams(custom_mode=True, prompt=LYRICS, tags="acoustic folk",
                                                  mv="chirp-v4", make_instrumental=True))
    first = sdk.suno.get_clip(submitted.task_id)
    assert first.code in (200, 202)
    done = sdk.suno.generate_and_wait(SonicCreateParams(custom_mode=True, tags="acoustic folk, calm",
                                                        make_instrumental=True, mv="chirp-v3-5"), WAIT)
    assert done.code == 200 and len(done.data) == 2 and done.data[0].mv == "chirp-v3-5"
    assert done.data[0].lyrics == "", "an instrumental sings nothing"
    with httpx.Client(base_url=server.api, headers={"Authorization": f"Bearer {key}"}) as raw:
        for path in ("/suno/task/", "/sonic/task/", "/suno/clip/"):
            response = raw.get(path + submitted.task_id)
            assert response.status_code in (200, 202)
            if response.status_code == 202:
                assert response.json()["type"] == "not_ready"
        with httpx.Client(base_url=server.api,
                          headers={"Authorization": f"Bearer {server.new_key(credits=10)}"}) as other:
            assert other.get(f"/sonic/task/{submitted.task_id}").status_code == 404
    stranger = MusicAPI(api_key=server.new_key(credits=10), base_url=server.api, max_retries=0)
    with pytest.raises(MusicAPIError) as missing:  # another key's task: a 404 that ends a wait
        stranger.sonic.get_task(submitted.task_id)
    assert missing.value.status == 404


def test_extend_answers_the_new_part_and_concat_joins_it(server, sdk, song):
    parent = song.data[0]
    extended = sdk.sonic.generate_and_wait(SonicCreateParams(
        task_type="extend_music", continue_clip_id=parent.clip_id, continue_at=6, mv="sonic-v4-5",
        custom_mode=True, prompt=LYRICS), WAIT)
    assert extended.code == 200 and len(extended.data) == 2
    head, sr = fetch_wav(_wav(server, parent.clip_id))
    part, _ = fetch_wav(_wav(server, extended.data[0].clip_id))
    assert abs(extended.data[0].duration - len(part) / sr) < 0.05
    row, _ = stored(server, extended.data[0].clip_id)
    parent_row, _ = stored(server, parent.clip_id)
    assert row.meta["offset_s"] == pytest.approx(6.0) and row.meta["bpm"] == parent_row.meta["bpm"]
    assert row.meta["key"] == parent_row.meta["key"], "the extension continues in the parent's key"
    shifts = _pitch_class_shifts(part, head, sr)
    assert int(np.argmax(shifts)) == 0 and shifts[0] >= 0.8, f"the part sounds in the parent's key: {shifts}"
    assert abs(tempo(part, sr, parent_row.meta["bpm"]) - parent_row.meta["bpm"]) <= 0.04 * parent_row.meta["bpm"]

    joined = sdk.sonic.generate_and_wait(SonicCreateParams(task_type="concat_music",
                                                           continue_clip_id=extended.data[0].clip_id), WAIT)
    assert joined.code == 200 and len(joined.data) == 1
    whole, _ = fetch_wav(_wav(server, joined.data[0].clip_id))
    cut = 6 * sr
    assert len(whole) == cut + len(part)
    assert np.max(np.abs(whole[:cut] - head[:cut])) <= 1 / 32768 + 1e-6, "the parent's head, as it was"
    assert np.max(np.abs(whole[cut:] - part)) <= 1 / 32768 + 1e-6, "then the extension"
    with pytest.raises(MusicAPIError) as refused:
        sdk.sonic.create(SonicCreateParams(task_type="concat_music", continue_clip_id=parent.clip_id))
    assert refused.value.status == 400 and "continue_clip_id" in str(refused.value)


def _chroma_match(a: np.ndarray, b: np.ndarray, sr: int) -> float:
    """Mean frame-by-frame correlation of two songs' chroma (another clip of the same request: ~0.5)."""
    import librosa

    grams = [librosa.feature.chroma_stft(y=librosa.resample(x.mean(axis=1), orig_sr=sr, target_sr=22050), sr=22050)
             for x in (a, b)]
    n = min(g.shape[1] for g in grams)
    found = [np.corrcoef(grams[0][:, i], grams[1][:, i])[0, 1] for i in range(n)
             if grams[0][:, i].std() > 0 and grams[1][:, i].std() > 0]
    return float(np.mean(found))


def _pitch_class_shifts(a: np.ndarray, b: np.ndarray, sr: int) -> list[float]:
    """Correlation of ``a``'s mean chroma, moved down by 0..11 semitones, with ``b``'s.

    Two passages in one key peak at no shift (0.88-0.98 on the test songs; any other shift <= 0.68).
    A key label would not do: Krumhansl-Schmuckler names the dominant for one extension in eight.
    """
    import librosa

    a_mean, b_mean = (librosa.feature.chroma_cqt(y=mono_at(x, sr), sr=ANALYSIS_SR, hop_length=2048).mean(axis=1)
                      for x in (a, b))
    return [round(float(np.corrcoef(np.roll(a_mean, -k), b_mean)[0, 1]), 2) for k in range(12)]


def test_negative_tags_leave_instruments_out(server, sdk):
    result = sdk.sonic.generate_and_wait(SonicCreateParams(
        custom_mode=True, tags="pop rock with piano, drums and strings", negative_tags="drums, piano",
        make_instrumental=True, mv="sonic-v4"), WAIT)
    for clip in result.data:
        assert clip.negative_tags == "drums, piano"
        _, score = stored(server, clip.clip_id)
        roles = {t["role"] for t in score["tracks"]}
        programs = {t["program"] for t in score["tracks"]} | {score["melody"]["program"]} if score.get(
            "melody") else {t["program"] for t in score["tracks"]}
        assert "drums" not in roles, roles
        assert not programs & set(range(8)), programs
    plain = sdk.sonic.generate_and_wait(SonicCreateParams(
        custom_mode=True, tags="pop rock with piano, drums and strings", make_instrumental=True, mv="sonic-v4"),
        WAIT)
    _, score = stored(server, plain.data[0].clip_id)
    assert "drums" in {t["role"] for t in score["tracks"]}, "without negative_tags the drums play"


def test_persona_sings_in_its_voice_and_range(server, sdk, song):
    made = sdk.sonic.create_persona(CreatePersonaParams(name="Nova", clip_id=song.data[0].clip_id,
                                                        describe="bright pop voice"))
    assert made.code == 200 and made.persona_id.startswith("persona-")
    _, source = stored(server, song.data[0].clip_id)
    low, high = np.percentile(sung_pitches(source), [5, 95])
    result = sdk.sonic.generate_and_wait(SonicCreateParams(
        task_type="persona_music", persona_id=made.persona_id, custom_mode=True, prompt=LYRICS,
        tags="slow soul ballad", mv="sonic-v4-5"), WAIT)
    for clip in result.data:
        _, score = stored(server, clip.clip_id)
        assert score["melody"]["voice"] == source["melody"]["voice"], "the persona's singer"
        median = float(np.median(sung_pitches(score)))
        assert low - 2 <= median <= high + 2, (median, low, high)
    with pytest.raises(MusicAPIError) as missing:
        sdk.sonic.create(SonicCreateParams(task_type="persona_music", persona_id="persona-nope", custom_mode=True,
                                           prompt=LYRICS))
    assert missing.value.status == 404


def test_vocal_gender_moves_the_register(server, sdk):
    medians = {}
    for gender in ("f", "m"):
        result = sdk.sonic.generate_and_wait(SonicCreateParams(
            custom_mode=True, prompt=LYRICS, tags="pop in C major", vocal_gender=gender, mv="sonic-v4-5"), WAIT)
        _, score = stored(server, result.data[0].clip_id)
        medians[gender] = float(np.median(sung_pitches(score)))
    assert medians["m"] <= medians["f"] - 7, medians


def test_cover_remaster_and_overpainting(server, sdk, song):
    parent = song.data[0]
    head, sr = fetch_wav(_wav(server, parent.clip_id))
    cover = sdk.sonic.generate_and_wait(SonicCreateParams(
        task_type="cover_music", continue_clip_id=parent.clip_id, tags="dark synthwave", audio_weight=0.2,
        custom_mode=True, mv="sonic-v4-5"), WAIT)
    covered, _ = fetch_wav(_wav(server, cover.data[0].clip_id))
    assert abs(len(covered) - len(head)) / sr < 1.0
    n = min(len(covered), len(head))
    assert not np.allclose(covered[:n], head[:n], atol=1e-2)

    remastered = sdk.sonic.generate_and_wait(SonicCreateParams(
        task_type="remaster", continue_clip_id=parent.clip_id, variation_category="high", mv="sonic-v4-5"), WAIT)
    assert len(remastered.data) == 2
    for clip in remastered.data:
        audio, _ = fetch_wav(_wav(server, clip.clip_id))
        assert len(audio) == len(head), "the same music, sample for sample in time"
        assert abs(integrated_loudness(np.ascontiguousarray(audio.T), sr) + 14) < 1.0
        assert _chroma_match(audio, head, sr) > 0.9, "the same notes at the same times"
        assert not np.allclose(audio, head, atol=1e-3), "a different sound"

    bed = sdk.sonic.generate_and_wait(SonicCreateParams(custom_mode=True, tags="calm lofi hip hop",
                                                        make_instrumental=True, mv="sonic-v4"), WAIT)
    sung = sdk.sonic.generate_and_wait(SonicCreateParams(
        task_type="add_vocals", continue_clip_id=bed.data[0].clip_id, custom_mode=True, prompt=LYRICS,
        overpainting_start_s=4, overpainting_end_s=14, mv="sonic-v4-5"), WAIT)
    row, _ = stored(server, sung.data[0].clip_id)
    services = server.runtime.services
    from openproducer.core.outputs import load_audio

    vocals, vsr = load_audio(services.blobs, row.files["stem:vocals"])
    assert rms_dbfs(vocals[: int(3.9 * vsr)]) < -60 and rms_dbfs(vocals[int(14.2 * vsr):]) < -60
    assert rms_dbfs(vocals[int(4.5 * vsr): int(13.5 * vsr)]) > -40, "sung inside the window"
    assert all(4 - 0.05 <= w["start"] < 14 for w in row.meta["lyrics_timing"])


def test_failures_and_prices(server, fake_server):
    from tests.support.fake_engine import FakeEngine

    live = fake_server(FakeEngine(fail_with="the engine refused this prompt"))
    key = live.new_key(credits=100)
    client = MusicAPI(api_key=key, base_url=live.api, max_retries=0)
    with pytest.raises(MusicAPIError) as failed:
        client.sonic.generate_and_wait(SonicCreateParams(custom_mode=True, prompt=LYRICS, tags="pop"),
                                       PollOptions(poll_interval_ms=50, timeout_ms=30_000))
    assert failed.value.code == "failed" and "refused" in str(failed.value)
    assert client.credits.get().credits == 100, "refunded"
    task_id = client.sonic.create(SonicCreateParams(custom_mode=True, prompt=LYRICS, tags="pop")).task_id
    live.wait_for(task_id)
    manual = client.sonic.get_task(task_id)  # manual polling reads code and message: both present
    assert manual.code == 500 and "refused" in manual.message and manual.data == []
    with pytest.raises(MusicAPIError) as invalid:
        client.sonic.create(SonicCreateParams(custom_mode=True, mv="sonic-v9", prompt="la la la"))
    assert invalid.value.status == 400 and "mv" in str(invalid.value) and "prompt" in str(invalid.value)
    poor = MusicAPI(api_key=live.new_key(credits=14), base_url=live.api, max_retries=0)
    with pytest.raises(MusicAPIError) as short:
        poor.sonic.create(SonicCreateParams(custom_mode=True, prompt=LYRICS, tags="pop"))
    assert short.value.is_credit_error


def _sung_words(row: Clip) -> list[str]:
    return [w["word"].strip(",.'!?").lower() for w in row.meta["lyrics_timing"]]


def _written_words(lyrics: str) -> list[str]:
    from openproducer.core.validation import lyric_words

    return [w.strip(",.'!?").lower() for w in lyric_words(lyrics)]


@pytest.mark.parametrize("params", [
    {"custom_mode": False, "gpt_description_prompt": "a bittersweet folk song about leaving home by train at dawn"},
    {"custom_mode": True, "auto_lyrics": True, "prompt": "an upbeat pop anthem about summer nights with friends",
     "tags": "pop, upbeat"},
], ids=["description", "auto_lyrics"])
def test_written_lyrics_are_sung(server, sdk, params):
    result = sdk.sonic.generate_and_wait(SonicCreateParams(mv="sonic-v4-5", **params), WAIT)
    clip = result.data[0]
    assert "[Verse" in clip.lyrics and "[Chorus]" in clip.lyrics and clip.title
    written = _written_words(clip.lyrics)
    assert len(written) >= 20
    row, _ = stored(server, clip.clip_id)
    assert _sung_words(row) == written, "every written word is sung (the timing markers cover them)"
    if not params["custom_mode"]:
        assert clip.gpt_description_prompt == params["gpt_description_prompt"]


def test_lyrics_routes(server, key, sdk):
    from musicapi._types import MakeLyricsParams, SonicLyricsParams

    before = sdk.credits.get().credits
    sheets = sdk.sonic.lyrics(SonicLyricsParams(description="a lonely drive through the desert at night"))
    assert sheets.code == 200 and len(sheets.results) == 2
    assert sheets.results[0]["lyrics"] != sheets.results[1]["lyrics"]
    assert all(s["title"] and "[Chorus]" in s["lyrics"] for s in sheets.results)
    assert sdk.credits.get().credits == before - 2
    job = sdk.suno.make_lyrics(MakeLyricsParams(prompt="a song about a lighthouse keeper"))
    assert job.code == 200 and job.data["task_id"]
    server.wait_for(job.data["task_id"])
    found = sdk.suno.get_lyrics(job.data["task_id"])
    assert found.code == 200 and found.message == "success"
    assert found.data["status"] == "completed" and "[Verse" in found.data["text"] and found.data["title"]
    with pytest.raises(MusicAPIError) as bad:
        sdk.sonic.lyrics(SonicLyricsParams(description="test"))
    assert bad.value.status == 400 and "description" in str(bad.value)


@pytest.fixture(scope="module")
def uploaded(server, key, tmp_path_factory):
    """A 12 s groove at 100 bpm, uploaded through the Producer route (any family can use the clip)."""
    from openproducer.audio.encode import write_wav
    from tests.api.test_upload import _beat
    from tests.support.www import serve_folder

    root = tmp_path_factory.mktemp("sonic-www")
    write_wav(root / "groove.wav", _beat(100, 12), 44100)
    with serve_folder(root) as url, server.client(key) as client:
        response = client.post("/producer/upload", json={"audio_url": f"{url}/groove.wav"})
        body = server.wait(client, response.json()["task_id"])
    assert body["status"] == "SUCCESS", body
    return body["data"][0]


def test_upload_variants_extend_and_cover_an_upload(server, sdk, uploaded):
    head, sr = fetch_wav(uploaded["wav_url"])
    extended = sdk.sonic.generate_and_wait(SonicCreateParams(
        task_type="extend_upload_music", continue_clip_id=uploaded["clip_id"], continue_at=8, custom_mode=True,
        tags="funk groove", make_instrumental=True, mv="sonic-v4"), WAIT)
    part, _ = fetch_wav(_wav(server, extended.data[0].clip_id))
    assert rms_dbfs(part) > -35 and abs(tempo(part, sr, 100) - 100) <= 4, "continues at the upload's tempo"
    covered = sdk.sonic.generate_and_wait(SonicCreateParams(
        task_type="cover_upload_music", continue_clip_id=uploaded["clip_id"], tags="bossa nova with nylon guitar",
        custom_mode=True, mv="sonic-v4"), WAIT)
    cover, _ = fetch_wav(_wav(server, covered.data[0].clip_id))
    assert abs(len(cover) - len(head)) / sr < 1.0 and abs(tempo(cover, sr, 100) - 100) <= 4
    assert not np.allclose(cover[: len(head)], head[: len(cover)], atol=1e-2)


def test_add_instrumental_keeps_the_vocals(server, sdk, song):
    parent = song.data[0]
    result = sdk.sonic.generate_and_wait(SonicCreateParams(
        task_type="add_instrumental", continue_clip_id=parent.clip_id, tags="dark synthwave with analog bass",
        custom_mode=True, mv="sonic-v4-5"), WAIT)
    from openproducer.core.outputs import load_audio

    services = server.runtime.services
    old, _ = stored(server, parent.clip_id)
    new, _ = stored(server, result.data[0].clip_id)
    old_vocals, _ = load_audio(services.blobs, old.files["stem:vocals"])
    new_vocals, _ = load_audio(services.blobs, new.files["stem:vocals"])
    n = min(len(old_vocals), len(new_vocals))
    assert np.max(np.abs(old_vocals[:n] - new_vocals[:n])) <= 1 / 32768 + 1e-6, "the vocal stem is kept"
    old_band, _ = load_audio(services.blobs, old.files["stem:instrumental"])
    new_band, _ = load_audio(services.blobs, new.files["stem:instrumental"])
    assert not np.allclose(old_band[:n], new_band[:n], atol=1e-2), "the accompaniment is new"
