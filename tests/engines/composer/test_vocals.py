"""Sung vocals: pitch accuracy against the written melody, and the lead-instrument fallback."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import resample_poly

from openproducer.engines.base import Operation
from openproducer.engines.composer import ComposerEngine
from openproducer.engines.composer import engine as engine_module
from openproducer.engines.composer.singer import espeak_available, pyworld

from .conftest import LYRICS, as_parent, make

pytestmark = pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")


def sung_pitch_errors(result) -> list[float]:
    """Cents between the vocal stem's F0 and each sung note, measured inside the note."""
    sr = result.sample_rate
    y = resample_poly(result.stems["vocals"].mean(axis=1).astype(np.float64), 160, sr // 100)
    f0, t = pyworld.dio(y, 16000, f0_floor=70.0, f0_ceil=800.0, frame_period=5.0)
    f0 = pyworld.stonemask(y, f0, t, 16000)
    spb = 60.0 / result.meta.bpm
    errors = []
    for start, dur, pitch, _vel, syllable, *_ in result.score["melody"]["notes"]:
        if not syllable:
            continue
        a, b = (start + 0.4 * dur) * spb, (start + 0.8 * dur) * spb
        seg = f0[(t >= a) & (t < b)]
        seg = seg[seg > 0]
        target = 440.0 * 2 ** ((pitch - 69) / 12)
        errors.append(float(1200 * np.log2(np.median(seg) / target)) if seg.size else float("inf"))
    return errors


def test_sung_notes_are_in_tune(sung_parent) -> None:
    assert sung_parent.meta.vocal_kind == "sung"
    errors = sung_pitch_errors(sung_parent)
    assert len(errors) >= 30
    assert np.mean(np.abs(errors) <= 50.0) >= 0.9


def test_voice_words_pick_gender_register_and_timbre(engine: ComposerEngine) -> None:
    res = make(engine, sound="soul, breathy raspy male vocals in E minor", lyrics=LYRICS, seed=4)
    singer = res.score["melody"]["singer"]
    assert singer["gender"] == "male" and singer["breath"] > 0 and singer["rasp"] > 0
    assert res.score["melody"]["register"] == -12
    assert max(n[2] for n in res.score["melody"]["notes"]) <= 67, "a male voice sings an octave lower"
    assert np.mean(np.abs(sung_pitch_errors(res)) <= 50.0) >= 0.9


def test_new_voice_on_swap_vocals(engine: ComposerEngine, sung_parent) -> None:
    parent = as_parent(sung_parent)
    res = make(engine, operation=Operation.SWAP_VOCALS, parent=parent, sound="deep male vocals", seed=9)
    assert res.meta.vocal_kind == "sung"
    assert res.score["melody"]["voice"] != sung_parent.score["melody"]["voice"]
    assert np.array_equal(res.stems["instrumental"], parent.stems["instrumental"])
    assert np.mean(np.abs(sung_pitch_errors(res)) <= 50.0) >= 0.9


def test_lead_instrument_without_espeak(engine: ComposerEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "espeak_available", lambda: False)
    res = make(engine, sound="pop ballad", lyrics=LYRICS, seed=2)
    assert res.meta.vocal_kind == "lead-instrument" and res.meta.has_vocals
    assert any("lead instrument" in n for n in res.meta.notes)
    assert float(np.sqrt(np.mean(res.stems["vocals"] ** 2))) > 1e-3


def test_sung_render_is_deterministic(engine: ComposerEngine, sung_parent) -> None:
    again = make(engine, sound="upbeat pop song with piano and drums, 112 bpm in G major", lyrics=LYRICS, seed=11)
    assert np.array_equal(again.mix, sung_parent.mix)


def test_espeak_failure_falls_back_to_lead(engine: ComposerEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from openproducer.engines.composer import singer

    def broken(*_args, **_kwargs):
        raise subprocess.CalledProcessError(1, "espeak-ng")

    monkeypatch.setattr(singer, "_speak", broken)
    res = make(engine, sound="folk song", lyrics="Zebras quietly juggle quartz\nxylophones hum", seed=3)
    assert res.meta.vocal_kind == "lead-instrument"
    assert float(np.sqrt(np.mean(res.stems["vocals"] ** 2))) > 1e-3
