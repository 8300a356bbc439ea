"""Splitting uploads with a Demucs model from a local file, built tiny and random in the test."""

from __future__ import annotations

import numpy as np
import pytest

from openproducer.audio.separate import DemucsSeparator, SeparationUnavailable

torch = pytest.importorskip("torch", reason="the separation extra (torch, demucs) is not installed")
demucs_model = pytest.importorskip("demucs.demucs", reason="the separation extra (demucs) is not installed")


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    """A model file laid out as Demucs saves its own: class, arguments and weights."""
    torch.manual_seed(0)
    model = demucs_model.Demucs(sources=["drums", "bass", "other", "vocals"], channels=4, depth=2,
                                samplerate=44100, segment=4)
    args, kwargs = model._init_args_kwargs
    path = tmp_path_factory.mktemp("models") / "tiny-demucs.th"
    torch.save({"klass": type(model), "args": args, "kwargs": kwargs, "state": model.state_dict()}, path)
    return path


def test_split_gives_two_stems_that_sum_to_the_upload(model_file):
    sr = 44100
    t = np.arange(int(1.5 * sr)) / sr
    mono = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    audio = np.stack([mono, 0.8 * mono], axis=1)
    stems = DemucsSeparator(model_file).split(audio, sr)
    assert set(stems) == {"vocals", "instrumental"}
    for stem in stems.values():
        assert stem.shape == audio.shape and stem.dtype == np.float32
    assert np.allclose(stems["vocals"] + stems["instrumental"], audio, atol=1e-6)
    assert np.any(stems["vocals"] != 0), "the model's vocals source is used"


def test_other_sample_rates_are_resampled(model_file):
    audio = np.random.default_rng(1).normal(0, 0.1, (22050, 2)).astype(np.float32)
    stems = DemucsSeparator(model_file).split(audio, 22050)
    assert stems["vocals"].shape == audio.shape


def test_a_missing_model_file_is_a_clear_error(tmp_path):
    with pytest.raises(SeparationUnavailable, match="no model file"):
        DemucsSeparator(tmp_path / "absent.th")


def test_uploads_use_the_configured_model(fake_server, model_file, tmp_path):
    """The same upload path as without a model, with the model's split in the stems."""
    from openproducer.audio.encode import write_wav
    from openproducer.core.outputs import load_audio
    from tests.security.hosts import LoopbackHost, Route

    sr = 44100
    t = np.arange(2 * sr) / sr
    audio = np.stack([0.3 * np.sin(2 * np.pi * 330 * t)] * 2, axis=1).astype(np.float32)
    write_wav(tmp_path / "tone.wav", audio, sr)
    host = LoopbackHost()
    host.routes["/tone.wav"] = Route((tmp_path / "tone.wav").read_bytes(), "audio/wav")
    live = fake_server(separation_model=model_file)
    try:
        with live.client(live.new_key(credits=10)) as client:
            task_id = client.post("/producer/upload", json={"audio_url": host.url("/tone.wav")}).json()["task_id"]
            body = live.wait(client, task_id)
    finally:
        host.close()
    assert body["status"] == "SUCCESS", body
    from openproducer.store.tables import Clip

    with live.runtime.services.db.session(write=False) as session:
        clip = session.get(Clip, body["data"][0]["clip_id"])
        vocals, _ = load_audio(live.runtime.services.blobs, clip.files["stem:vocals"])
    expected = DemucsSeparator(model_file).split(load_audio(live.runtime.services.blobs, clip.files["wav"])[0], sr)
    # The stored stem is 16-bit FLAC of the model's output for the decoded upload.
    correlation = np.corrcoef(vocals.ravel(), expected["vocals"].ravel())[0, 1]
    assert correlation > 0.99, correlation
