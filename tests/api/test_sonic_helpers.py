"""The Sonic helper routes through the official client, unchanged but for its base URL, and what
they make, measured: stems that sum to the mix, MIDI that is the sung melody, word timings inside
the singing, the tempo, a mashup, a replaced section, a sampled song and a voice."""

from __future__ import annotations

import io

import httpx
import numpy as np
import pytest
from musicapi import MusicAPI, PollOptions
from musicapi._errors import MusicAPIError
from musicapi._polling import poll_sonic
from musicapi._types import (
    AlignedLyricsParams,
    BpmParams,
    CreateVoiceParams,
    GetSongParams,
    MashupParams,
    MidiParams,
    ReplaceSectionParams,
    SampleParams,
    SonicUploadParams,
    StemsParams,
    UploadCoverParams,
    UploadExtendParams,
    UpsampleTagsParams,
    VoxParams,
    WavParams,
)

from openproducer.core.produce import load_parent
from openproducer.store.tables import Clip
from tests.support.audio import fetch_wav, rms_dbfs, tempo
from tests.support.pitch import contour_correlation, pitch_track

pytestmark = pytest.mark.slow  # many songs rendered, separated and transcribed
LYRICS = ("[Verse]\nWalking through the city lights\nFeeling the rhythm of the night\n\n"
          "[Chorus]\nWe're alive, we're free tonight\nDancing till the morning light\n")
INFILL = "Shining brightly in the rain\nNothing ever stays the same"
OPTIONS = PollOptions(poll_interval_ms=200, timeout_ms=240_000)


@pytest.fixture(scope="module")
def sdk(server):
    key = server.new_key(credits=5000)
    return MusicAPI(api_key=key, base_url=server.api, max_retries=0), key


def _create(server, key: str, tags: str, seed: int, gender: str = "f") -> str:
    body = {"custom_mode": True, "mv": "sonic-v3-5", "prompt": LYRICS, "tags": tags, "title": tags.split()[0].title(),
            "seed": seed, "vocal_gender": gender}
    response = httpx.post(f"{server.api}/sonic/create", json=body, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    return response.json()["task_id"]


@pytest.fixture(scope="module")
def songs(server, sdk):
    """Two composer songs (first clip of each): A, pop at its tempo; B, a slower jazz ballad."""
    client, key = sdk
    tasks = [_create(server, key, "upbeat pop with piano", 11), _create(server, key, "slow jazz ballad", 5, "m")]
    done = [poll_sonic(client.sonic._http, task_id, OPTIONS) for task_id in tasks]
    return [body["data"][0] for body in done]


def _row(server, clip_id: str) -> Clip:
    with server.runtime.services.db.session(write=False) as session:
        return session.get(Clip, clip_id)


def _parent(server, clip_id: str):
    return load_parent(server.runtime.services, _row(server, clip_id))


def _line_gaps(words: list[dict], min_gap: float = 1.0) -> list[tuple[float, float]]:
    return [(a["end"], b["start"]) for a, b in zip(words, words[1:], strict=False) if b["start"] - a["end"] > min_gap]


def test_stems_basic_sum_to_the_mix_and_the_vocals_rest_between_lines(server, sdk, songs):
    client, key = sdk
    song = songs[0]
    result = client.sonic.stems_basic_and_wait(StemsParams(clip_id=song["clip_id"]), OPTIONS)
    assert result.code == 200 and [s.state for s in result.data] == ["succeeded", "succeeded"]
    raw = httpx.get(f"{server.api}/sonic/task/{_row(server, result.data[0].clip_id).task_id}",
                    headers={"Authorization": f"Bearer {key}"}).json()["data"]
    assert [(c["stem"], c["stem_method"]) for c in raw] == [("vocals", "score"), ("instrumental", "score")]
    mix, sr = fetch_wav(song["audio_url"].replace("audio.mp3", "audio.wav"))
    stems = {c["stem"]: fetch_wav(c["audio_url"].replace("audio.mp3", "audio.wav"))[0] for c in raw}
    total = stems["vocals"] + stems["instrumental"]
    residual = 10 * np.log10(np.sum(mix.astype(np.float64) ** 2) / np.sum((mix - total).astype(np.float64) ** 2))
    assert residual >= 30, residual
    words = _row(server, song["clip_id"]).meta["lyrics_timing"]
    sung = rms_dbfs(np.concatenate([stems["vocals"][int(w["start"] * sr): int(w["end"] * sr)] for w in words]))
    assert sung > -35, sung
    # Silent where nobody sings: before the first line's breath and after the last line's echo.
    first, last = words[0]["start"], words[-1]["end"]
    quiet = np.concatenate([stems["vocals"][: int((first - 0.7) * sr)], stems["vocals"][int((last + 1.0) * sr):]])
    assert len(quiet) > sr and rms_dbfs(quiet) <= sung - 40, (rms_dbfs(quiet), sung)
    # Between lines only the singer's breath before the next phrase (engines/composer/vocals.py): the
    # rest after a line's 0.3 s echo is well below the singing.
    gaps = _line_gaps(words, 0.5)
    assert len(gaps) >= 2, "the song breathes between its lines"
    for end, start in gaps:
        a, b = int((end + 0.3) * sr), int((start - 0.15) * sr)
        vocal = rms_dbfs(stems["vocals"][a:b])
        assert vocal <= sung - 6, (end, start, vocal, sung)


def test_stems_full_are_one_per_instrument_and_sum_to_the_mix(server, sdk, songs):
    client, key = sdk
    song = songs[0]
    result = client.sonic.stems_full_and_wait(StemsParams(clip_id=song["clip_id"]), OPTIONS)
    raw = httpx.get(f"{server.api}/sonic/task/{_row(server, result.data[0].clip_id).task_id}",
                    headers={"Authorization": f"Bearer {key}"}).json()["data"]
    names = [c["stem"] for c in raw]
    assert names[0] == "vocals" and {"drums", "bass"} <= set(names) and len(names) == len(set(names)) >= 4, names
    assert all(c["stem_method"] == "score" and c["state"] == "succeeded" for c in raw)
    mix, sr = fetch_wav(song["audio_url"].replace("audio.mp3", "audio.wav"))
    # the chorus harmony voice is a stem of its own: silent until it sings, then there
    score = _parent(server, song["clip_id"]).score
    spb = 60.0 / float(score["bpm"])
    harmony = score["melody"]["harmony"]
    assert harmony and "backing vocals" in names, names
    backing = fetch_wav(raw[names.index("backing vocals")]["audio_url"].replace("audio.mp3", "audio.wav"))[0]
    first = min(n[0] for n in harmony) * spb
    assert rms_dbfs(backing[: int((first - 0.5) * sr)]) < -90, "no harmony before the harmony sings"
    sung = [rms_dbfs(backing[int(n[0] * spb * sr): int((n[0] + n[1]) * spb * sr)]) for n in harmony if n[1] * spb > 0.2]
    assert np.median(sung) > -45, sung
    total = sum(fetch_wav(c["audio_url"].replace("audio.mp3", "audio.wav"))[0] for c in raw)
    residual = 10 * np.log10(np.sum(mix.astype(np.float64) ** 2) / np.sum((mix - total).astype(np.float64) ** 2))
    assert residual >= 30, residual
    drums = fetch_wav(raw[names.index("drums")]["audio_url"].replace("audio.mp3", "audio.wav"))[0]
    bass = fetch_wav(raw[names.index("bass")]["audio_url"].replace("audio.mp3", "audio.wav"))[0]
    import librosa

    def centroid(x: np.ndarray) -> float:
        return float(np.median(librosa.feature.spectral_centroid(y=x.mean(axis=1)[: sr * 10], sr=sr)))
    assert centroid(bass) < centroid(drums), "the bass stem is the low one"


def test_midi_is_the_score_its_melody_is_the_sung_pitch_and_its_drums_hit_the_onsets(server, sdk, songs):
    import librosa
    import pretty_midi

    client, _ = sdk
    song = songs[0]
    result = client.sonic.midi(MidiParams(clip_id=song["clip_id"]))
    assert result.code == 200 and result.data["source"] == "score"
    pm = pretty_midi.PrettyMIDI(io.BytesIO(httpx.get(result.data["midi_url"]).content))
    by_name = {inst.name: inst for inst in pm.instruments}
    assert {"Lead Vocals", "Bass"} <= set(by_name) and any(i.is_drum for i in pm.instruments)
    assert [i["name"] for i in result.data["instruments"]] == [i.name for i in pm.instruments]
    parent = _parent(server, song["clip_id"])
    sr = parent.sample_rate
    track = pitch_track(parent.stems["vocals"], sr)
    hits = []
    for note in by_name["Lead Vocals"].notes:
        a, b = int((note.start + 0.06) / 0.02), int((note.end - 0.03) / 0.02)
        voiced = track[a:b][np.isfinite(track[a:b])]
        if b - a >= 3 and len(voiced) >= 2:
            hits.append(abs(float(np.median(voiced)) - note.pitch) * 100 <= 50)
    assert len(hits) >= 10 and np.mean(hits) >= 0.9, (len(hits), np.mean(hits))
    drums = next(i for i in pm.instruments if i.is_drum)
    instrumental = parent.stems["instrumental"].mean(axis=1)
    onsets = librosa.onset.onset_detect(y=librosa.effects.percussive(instrumental), sr=sr, units="time",
                                        hop_length=256)
    starts = np.unique(np.round([n.start for n in drums.notes], 2))
    hits = np.unique(np.round([n.start for n in drums.notes if n.pitch in (35, 36, 38, 40, 49)], 2))
    on_onset = [np.min(np.abs(onsets - s)) <= 0.05 for s in hits]  # kicks, snares, crashes (soft hats hide)
    explained = [np.min(np.abs(starts - o)) <= 0.05 for o in onsets]  # the audio's onsets are drum notes
    assert np.mean(on_onset) >= 0.9 and np.mean(explained) >= 0.9, (np.mean(on_onset), np.mean(explained))


def test_aligned_lyrics_are_the_engines_words_inside_the_singing(server, sdk, songs):
    from openproducer.core.validation import lyric_words

    client, _ = sdk
    song = songs[0]
    before = client.credits.get().credits
    result = client.sonic.aligned_lyrics(AlignedLyricsParams(clip_id=song["clip_id"]))
    again = client.sonic.aligned_lyrics(AlignedLyricsParams(clip_id=song["clip_id"]))
    assert client.credits.get().credits == before - 1, "the first call per clip costs 1, later ones nothing"
    assert again.data == result.data and result.data["source"] == "engine"
    words = result.data["alignment"]
    assert [w["word"].lower() for w in words] == [w.lower() for w in lyric_words(LYRICS)]
    parent = _parent(server, song["clip_id"])
    vocals, sr = parent.stems["vocals"], parent.sample_rate
    loud = rms_dbfs(vocals)
    for w in words:
        assert w["start_s"] < w["end_s"] and rms_dbfs(vocals[int(w["start_s"] * sr): int(w["end_s"] * sr)]) > loud - 20


def test_bpm_is_the_songs_tempo(server, sdk, songs):
    client, _ = sdk
    result = client.sonic.bpm(BpmParams(clip_id=songs[0]["clip_id"]))
    bpm = float(_row(server, songs[0]["clip_id"]).meta["bpm"])
    assert result.code == 200 and abs(result.data["avg_bpm"] - bpm) <= 0.02 * bpm, (result.data, bpm)
    assert result.data["min_bpm"] <= result.data["avg_bpm"] <= result.data["max_bpm"]


def test_vox_is_the_vocal_of_the_window_and_wav_is_the_lossless_file(server, sdk, songs):
    client, _ = sdk
    song = songs[0]
    result = client.sonic.vox(VoxParams(clip_id=song["clip_id"], vocal_start_s=4.0, vocal_end_s=14.0))
    audio, sr = fetch_wav(result.data["wav_url"])
    assert abs(len(audio) / sr - 10.0) < 0.01 and result.data["vox_audio_id"]
    vocals = _parent(server, song["clip_id"]).stems["vocals"][4 * sr: 14 * sr]
    assert np.corrcoef(audio.mean(axis=1), vocals.mean(axis=1))[0, 1] > 0.99
    with pytest.raises(MusicAPIError) as refused:
        client.sonic.vox(VoxParams(clip_id=song["clip_id"], vocal_start_s=0.0, vocal_end_s=40.0))
    assert refused.value.status == 400 and "vocal_end_s" in str(refused.value)
    wav = client.sonic.wav(WavParams(clip_id=song["clip_id"]))
    full, sr = fetch_wav(wav.data["wav_url"])
    assert wav.message == "success" and abs(len(full) / sr - song["duration"]) < 0.05


def test_upsample_tags_expands_and_reads_back_the_same(sdk):
    import numpy as np

    from openproducer.engines.composer.prompt import read_prompt

    client, _ = sdk
    result = client.sonic.upsample_tags(UpsampleTagsParams(tags="lofi, chill"))
    text = result.data["upsampled_tags"]
    assert len(text) > 3 * len("lofi, chill") and "bpm" in text
    again = read_prompt(text, rng=np.random.default_rng(0))
    assert again.genre == "lofi" and f"{int(round(again.bpm))} bpm" in text and f"in {again.key_name}" in text


def test_upload_and_the_one_call_upload_cover_and_extend(server, sdk, fake_server, songs):
    live = fake_server()  # the renders after the upload are the task machinery's; a fake engine makes them
    client = MusicAPI(api_key=live.new_key(credits=500), base_url=live.api, max_retries=0)
    real, _ = sdk
    url = real.sonic.vox(VoxParams(clip_id=songs[1]["clip_id"], vocal_start_s=4.0, vocal_end_s=16.0)).data["wav_url"]
    uploaded = client.sonic.upload(SonicUploadParams(url=url))
    with live.runtime.services.db.session(write=False) as session:
        clip = session.get(Clip, uploaded.clip_id)
        assert uploaded.code == 200 and clip.source == "upload" and abs(clip.duration - 12.0) < 0.05
    cover = client.sonic.upload_cover(UploadCoverParams(url=url, custom_mode=True, mv="sonic-v3-5", tags="reggae"))
    assert cover.code == 200 and cover.steps["upload"]["success"] and cover.task_id == cover.steps["cover"]["task_id"]
    assert poll_sonic(client.sonic._http, cover.task_id, OPTIONS)["code"] == 200
    extend = client.sonic.upload_extend(UploadExtendParams(url=url, custom_mode=False, mv="sonic-v3-5",
                                                           continue_at=10.0))
    assert extend.code == 200 and extend.failed_step is None and extend.steps["extend"]["task_id"] == extend.task_id
    whole = poll_sonic(client.sonic._http, extend.task_id, OPTIONS)["data"][0]
    alone = client.sonic.upload_extend(UploadExtendParams(url=url, custom_mode=False, mv="sonic-v3-5",
                                                          continue_at=10.0, auto_concat=False))
    part = poll_sonic(client.sonic._http, alone.task_id, OPTIONS)["data"][0]
    assert whole["duration"] == pytest.approx(part["duration"] + 10.0, abs=0.05), "upload + extend + concat"
    too_far = client.sonic.upload_extend(UploadExtendParams(url=url, custom_mode=False, mv="sonic-v3-5",
                                                            continue_at=500.0))
    assert too_far.failed_step == "extend" and too_far.steps["upload"]["success"] and too_far.code == 400
    assert "continue_at" in too_far.steps["extend"]["error"]
    before = client.credits.get().credits
    with pytest.raises(MusicAPIError) as refused:
        client.sonic.upload_cover(UploadCoverParams(url=f"{live.base_url}/healthz", custom_mode=True,
                                                    mv="sonic-v3-5", tags="reggae"))
    assert refused.value.status == 400 and "url" in str(refused.value)
    assert client.credits.get().credits == before, "a failed upload costs nothing"
    assert before == 500 - 5 * 2 - 3 * 15, "each upload 2, each cover or extension 15"


def test_mashup_sings_the_first_melody_over_the_second_tempo(server, sdk, songs):
    client, _ = sdk
    a, b = songs
    result = client.sonic.mashup_and_wait(MashupParams(mashup_clip_ids=(a["clip_id"], b["clip_id"]), custom_mode=True,
                                                       mv="sonic-v3-5"), OPTIONS)
    assert result.code == 200 and len(result.data) == 2
    made = _parent(server, result.data[0].clip_id)
    bpm_a, bpm_b = float(_row(server, a["clip_id"]).meta["bpm"]), float(_row(server, b["clip_id"]).meta["bpm"])
    assert made.meta.bpm == pytest.approx(bpm_b)
    measured = tempo(made.audio, made.sample_rate, bpm_b)
    assert abs(measured - bpm_b) <= 0.03 * bpm_b, (measured, bpm_b)
    source = _parent(server, a["clip_id"])
    ta = pitch_track(source.stems["vocals"], source.sample_rate)
    tm = pitch_track(made.stems["vocals"], made.sample_rate)
    # the same beats at the new tempo: stretch A's contour onto the mashup's clock
    stretched = np.interp(np.arange(int(len(ta) * bpm_a / bpm_b)) * bpm_b / bpm_a, np.arange(len(ta)), ta)
    assert contour_correlation(stretched, tm) >= 0.8


def test_replace_section_keeps_the_outside_and_sings_the_infill(server, sdk, songs):
    client, _ = sdk
    song = songs[0]
    result = client.sonic.replace_section_and_wait(ReplaceSectionParams(
        clip_id=song["clip_id"], mv="sonic-v3-5", infill_start_s=8.0, infill_end_s=20.0, infill_lyrics=INFILL),
        OPTIONS)
    new = result.data[0]
    old_audio, sr = fetch_wav(song["audio_url"].replace("audio.mp3", "audio.wav"))
    new_audio, _ = fetch_wav(new.audio_url.replace("audio.mp3", "audio.wav"))
    assert len(new_audio) == len(old_audio)
    outside = np.r_[0: int(7.99 * sr), int(20.01 * sr): len(old_audio)]
    assert np.max(np.abs(new_audio[outside] - old_audio[outside])) < 1e-3
    assert np.max(np.abs(new_audio[int(12 * sr): int(16 * sr)] - old_audio[int(12 * sr): int(16 * sr)])) > 0.05
    words = client.sonic.aligned_lyrics(AlignedLyricsParams(clip_id=new.clip_id)).data["alignment"]
    before = _row(server, song["clip_id"]).meta["lyrics_timing"]
    assert [(w["word"], w["start_s"]) for w in words if not 8.0 <= w["start_s"] < 20.0] == [
        (w["word"], w["start"]) for w in before if not 8.0 <= w["start"] < 20.0], "the outside sings as before"
    inside = " ".join(w["word"].lower() for w in words if 8.0 <= w["start_s"] < 20.0)
    assert " ".join(INFILL.lower().split()) in inside, inside
    assert "shining" in new.lyrics.lower()


def test_sample_song_carries_the_samples_melody(server, sdk, songs):
    client, _ = sdk
    song = songs[0]
    words = _row(server, song["clip_id"]).meta["lyrics_timing"]
    start, end = max(0.0, words[0]["start"] - 0.2), words[3]["end"] + 0.2
    submitted = client.sonic.sample(SampleParams(chop_sample_start_s=start, chop_sample_end_s=end, custom_mode=True,
                                                 mv="sonic-v3-5", make_instrumental=False,
                                                 sample_clip_id=song["clip_id"], prompt=LYRICS, tags="funk"))
    assert submitted.code == 200 and submitted.task_id
    done = poll_sonic(client.sonic._http, submitted.task_id, OPTIONS)
    made = _parent(server, done["data"][0]["clip_id"])
    source = _parent(server, song["clip_id"])
    sr = source.sample_rate
    sample = pitch_track(source.stems["vocals"][int(start * sr): int(end * sr)], sr)
    assert contour_correlation(sample, pitch_track(made.stems["vocals"], made.sample_rate)) >= 0.8
    with pytest.raises(MusicAPIError) as refused:
        client.sonic.sample(SampleParams(chop_sample_start_s=0, chop_sample_end_s=5, custom_mode=True, mv="sonic-v3-5",
                                         make_instrumental=True))
    assert refused.value.status == 400 and "sample_clip_id" in str(refused.value)


def test_create_voice_makes_a_persona_that_sings_in_the_recordings_range(server, sdk, songs):
    client, key = sdk
    song = songs[1]  # the male singer
    first = _row(server, song["clip_id"]).meta["lyrics_timing"][0]["start"]
    vox = client.sonic.vox(VoxParams(clip_id=song["clip_id"], vocal_start_s=first - 0.5, vocal_end_s=first + 12.0))
    submitted = client.sonic.create_voice(CreateVoiceParams(audio_url=vox.data["wav_url"]))
    done = poll_sonic(client.sonic._http, submitted.task_id, OPTIONS)
    persona_id = client.sonic.get_task(submitted.task_id).data[0].clip_id
    assert persona_id.startswith("persona-") and done["data"][0]["persona_id"] == persona_id
    recording, sr = fetch_wav(vox.data["wav_url"])
    heard = pitch_track(recording, sr)
    low, high = np.nanpercentile(heard, 5), np.nanpercentile(heard, 95)
    task = httpx.post(f"{server.api}/sonic/create", headers={"Authorization": f"Bearer {key}"}, json={
        "task_type": "persona_music", "custom_mode": True, "mv": "sonic-v3-5", "prompt": LYRICS, "tags": "folk",
        "persona_id": persona_id, "seed": 3}).json()["task_id"]
    made = poll_sonic(client.sonic._http, task, OPTIONS)["data"][0]
    sung = pitch_track(_parent(server, made["clip_id"]).stems["vocals"], sr)
    assert np.nanpercentile(sung, 5) >= low - 2 and np.nanpercentile(sung, 95) <= high + 2, (
        (low, high), (np.nanpercentile(sung, 5), np.nanpercentile(sung, 95)))
    assert "male voice" in done["data"][0]["tags"]


def test_get_song_resolves_this_servers_share_links_only(server, sdk, songs):
    client, key = sdk
    song = songs[0]
    auth = {"Authorization": f"Bearer {key}"}
    other = httpx.post(f"{server.api}/clips/{song['clip_id']}/share", headers={"Authorization": "Bearer op_wrong"})
    assert other.status_code == 401
    shared = httpx.post(f"{server.api}/clips/{song['clip_id']}/share", headers=auth, json={"author": "Tester"}).json()
    page = httpx.get(shared["share_url"])
    assert page.status_code == 200 and "Tester" in page.text and "og:audio" in page.text
    found = client.suno.get_song(GetSongParams(share_link=shared["share_url"]))
    assert found.song_title == song["title"] and found.song_author == "Tester"
    audio = httpx.get(found.audio_url)
    assert audio.status_code == 200 and len(audio.content) > 10_000
    with pytest.raises(MusicAPIError) as refused:
        client.suno.get_song(GetSongParams(share_link="https://suno.com/song/8d4c1a9e"))
    assert refused.value.status == 400 and "suno.com" in str(refused.value)
    revoked = httpx.delete(f"{server.api}/clips/{song['clip_id']}/share", headers=auth).json()
    assert revoked["revoked"] == 1
    assert httpx.get(shared["share_url"]).status_code == 404 and httpx.get(found.audio_url).status_code == 404
    with pytest.raises(MusicAPIError) as gone:
        client.suno.get_song(GetSongParams(share_link=shared["share_url"]))
    assert gone.value.status == 404


def test_helper_routes_refuse_bad_input_without_charging(server, sdk, songs):
    client, key = sdk
    before = client.credits.get().credits
    auth = {"Authorization": f"Bearer {key}"}
    cases = [
        ("/sonic/stems/basic", {}, "clip_id"),
        ("/sonic/mashup", {"mashup_clip_ids": [songs[0]["clip_id"]], "custom_mode": True, "mv": "sonic-v4"},
         "mashup_clip_ids"),
        ("/sonic/replace-section", {"clip_id": songs[0]["clip_id"], "mv": "sonic-v4", "infill_start_s": 9,
                                    "infill_end_s": 5}, "infill_end_s"),
        ("/sonic/create-voice", {"audio_url": "ftp://example.com/a.mp3"}, "audio_url"),
        ("/sonic/upsample-tags", {"tags": "   "}, "tags"),
        ("/sonic/sample", {"chop_sample_start_s": 0, "chop_sample_end_s": 50, "custom_mode": True, "mv": "sonic-v4",
                           "make_instrumental": True, "sample_clip_id": songs[0]["clip_id"]}, "chop_sample_end_s"),
    ]
    for path, body, field in cases:
        response = httpx.post(server.api + path, json=body, headers=auth)
        assert response.status_code == 400 and field in response.text, (path, response.text)
    missing = httpx.post(server.api + "/sonic/stems/full", json={"clip_id": "nope"}, headers=auth)
    assert missing.status_code == 404
    assert client.credits.get().credits == before


def test_stems_and_midi_of_an_upload_are_separated_and_transcribed_and_say_so(server, sdk, songs):
    client, key = sdk
    piece = client.sonic.vox(VoxParams(clip_id=songs[0]["clip_id"], vocal_start_s=6.0, vocal_end_s=14.0))
    uploaded = client.sonic.upload(SonicUploadParams(url=piece.data["wav_url"]))
    result = client.sonic.stems_basic_and_wait(StemsParams(clip_id=uploaded.clip_id), OPTIONS)
    raw = httpx.get(f"{server.api}/sonic/task/{_row(server, result.data[0].clip_id).task_id}",
                    headers={"Authorization": f"Bearer {key}"}).json()["data"]
    assert [c["stem"] for c in raw] == ["vocals", "instrumental"]
    assert all(c["stem_method"] == "separation (repet-sim)" for c in raw)
    mix, sr = fetch_wav(piece.data["wav_url"])
    total = sum(fetch_wav(c["audio_url"].replace("audio.mp3", "audio.wav"))[0] for c in raw)
    assert 10 * np.log10(np.sum(mix.astype(np.float64) ** 2) / np.sum((mix - total) ** 2)) >= 30
    midi = client.sonic.midi(MidiParams(clip_id=uploaded.clip_id))
    assert midi.data["source"].startswith("transcription")
    vocal = next(i for i in midi.data["instruments"] if i["name"] == "Vocals")
    track = pitch_track(mix, sr)  # the upload is a sung line alone: its pitch is the melody
    hits = []
    for note in vocal["notes"]:
        a, b = int((note["start"] + 0.05) / 0.02), int((note["end"] - 0.03) / 0.02)
        voiced = track[a:b][np.isfinite(track[a:b])]
        if b - a >= 3 and len(voiced) >= 2:
            hits.append(abs(float(np.median(voiced)) - note["pitch"]) * 100 <= 50)
    assert len(hits) >= 5 and np.mean(hits) >= 0.9, (len(hits), np.mean(hits))


def test_the_new_part_of_an_extension_has_its_own_stems_midi_and_timings(server, sdk, songs):
    import pretty_midi

    client, key = sdk
    song = songs[0]
    task = httpx.post(f"{server.api}/sonic/create", headers={"Authorization": f"Bearer {key}"}, json={
        "task_type": "extend_music", "continue_clip_id": song["clip_id"], "continue_at": 15.0, "custom_mode": True,
        "mv": "sonic-v3-5", "prompt": "[Verse]\nCarry me home across the silver sea\nSing it again and set me free\n"
                                      "Every wave a song we used to know\nHold the light and never let it go",
        "seed": 8}).json()["task_id"]
    part = poll_sonic(client.sonic._http, task, OPTIONS)["data"][0]
    offset = _row(server, part["clip_id"]).meta["offset_s"]
    assert offset == pytest.approx(15.0, abs=0.01)
    mix, sr = fetch_wav(part["audio_url"].replace("audio.mp3", "audio.wav"))
    stems = client.sonic.stems_basic_and_wait(StemsParams(clip_id=part["clip_id"]), OPTIONS).data
    audio = [fetch_wav(s.audio_url.replace("audio.mp3", "audio.wav"))[0] for s in stems]
    assert all(len(a) == len(mix) for a in audio), "the stems cover the part alone, on its clock"
    total = sum(audio)
    assert 10 * np.log10(np.sum(mix.astype(np.float64) ** 2) / np.sum((mix - total).astype(np.float64) ** 2)) >= 30
    words = client.sonic.aligned_lyrics(AlignedLyricsParams(clip_id=part["clip_id"])).data["alignment"]
    assert words and all(0 <= w["start_s"] < w["end_s"] <= len(mix) / sr + 0.01 for w in words)
    midi = client.sonic.midi(MidiParams(clip_id=part["clip_id"]))
    pm = pretty_midi.PrettyMIDI(io.BytesIO(httpx.get(midi.data["midi_url"]).content))
    lead = next(i for i in pm.instruments if i.name == "Lead Vocals")
    assert min(n.start for n in lead.notes) >= 0 and pm.get_end_time() <= len(mix) / sr + 0.5
    assert any(abs(n.start - words[0]["start_s"]) < 0.01 for n in lead.notes), "the part's notes on the part's clock"
