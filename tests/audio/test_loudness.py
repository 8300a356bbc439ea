"""Integrated loudness against pyloudnorm, the reference it follows."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from openproducer.audio.loudness import integrated_loudness


def _music_like(seconds: float, sr: int, seed: int) -> np.ndarray:
    """Planar stereo: tones and noise bursts with loud and quiet passages (so both gates act)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    envelope = np.where((t % 7.0) < 5.0, 1.0, 0.02) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.3 * t) ** 2)
    left = 0.3 * np.sin(2 * np.pi * 220 * t) + 0.1 * rng.standard_normal(len(t))
    right = 0.2 * np.sin(2 * np.pi * 3300 * t) + 0.05 * rng.standard_normal(len(t))
    x = np.stack([left, right]) * envelope
    x[:, : int(2 * sr)] = 0.0  # silence, below the absolute gate
    return x.astype(np.float32)


@pytest.mark.parametrize(("seconds", "sr"), [(3.0, 44100), (31.0, 44100), (47.3, 11025), (25.0, 48000)])
def test_the_same_figure_as_pyloudnorm(seconds: float, sr: int) -> None:
    x = _music_like(seconds, sr, seed=int(seconds))
    reference = pyloudnorm.Meter(sr).integrated_loudness(x.T.astype(np.float64))
    assert abs(integrated_loudness(x, sr) - reference) < 0.01


def test_a_strided_view_and_silence() -> None:
    x = _music_like(12.0, 44100, seed=1)
    quarter = x[:, ::4]
    assert abs(integrated_loudness(quarter, 11025)
               - pyloudnorm.Meter(11025).integrated_loudness(np.ascontiguousarray(quarter.T, dtype=np.float64))) < 0.01
    assert integrated_loudness(np.zeros((2, 44100)), 44100) == float("-inf")


def test_channels_measured_on_two_threads_give_the_very_same_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    from openproducer.audio import loudness

    x = _music_like(40.0, 44100, seed=4)
    threaded = integrated_loudness(x, 44100)
    monkeypatch.setattr(loudness, "_PARALLEL_FROM_S", 1e9)  # everything on the calling thread
    assert integrated_loudness(x, 44100) == threaded
    assert integrated_loudness(x[:1], 44100) != threaded  # (the channels do count)
