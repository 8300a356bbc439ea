"""The singer's vocoder against WORLD's own synthesis, on envelopes WORLD analysed from real speech."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import resample_poly

from openproducer.engines.composer import vocoder
from openproducer.engines.composer.singer import SPEECH_SR, analyse, aperiodicity, pyworld

FRAMES = 250  # 2.5 s at 10 ms


def _band_levels(y: np.ndarray) -> np.ndarray:
    """Mean power (dB) in octave-ish bands from 86 Hz to 11 kHz."""
    frames = y[: len(y) // 1024 * 1024].reshape(-1, 1024) * np.hanning(1024)
    power = np.mean(np.abs(np.fft.rfft(frames, axis=1)) ** 2, axis=0)
    edges = (4, 10, 23, 46, 93, 186, 372, 512)
    return np.array([10 * np.log10(power[a:b].sum() + 1e-30) for a, b in zip(edges, edges[1:], strict=False)])


@pytest.fixture(scope="module")
def envelope() -> tuple[np.ndarray, np.ndarray]:
    """A vowel's spectral envelope (CheapTrick, 512 points) held for FRAMES frames, and its aperiodicity."""
    rng = np.random.default_rng(3)
    t = np.arange(int(0.4 * SPEECH_SR)) / SPEECH_SR
    # a vowel-like source: a 140 Hz pulse train through two formant resonances
    pulses = np.zeros_like(t)
    pulses[:: SPEECH_SR // 140] = 1.0
    from scipy.signal import lfilter

    y = pulses
    for freq, bw in ((700.0, 110.0), (1200.0, 120.0), (2600.0, 200.0)):
        r = np.exp(-np.pi * bw / SPEECH_SR)
        y = lfilter([1.0], [1.0, -2 * r * np.cos(2 * np.pi * freq / SPEECH_SR), r * r], y)
    y = y / np.abs(y).max() * 0.5 + 1e-4 * rng.standard_normal(len(y))
    sound = analyse(y, fft_size=512)
    core = sound.sp[(sound.c0 + sound.c1) // 2]
    sp = np.repeat(core[None, :], FRAMES, axis=0).astype(np.float32)
    ap = np.repeat(aperiodicity(sp.shape[1])[1][None, :], FRAMES, axis=0)
    return sp, ap


def _world(f0: np.ndarray, sp: np.ndarray, ap: np.ndarray) -> np.ndarray:
    return pyworld.synthesize(f0, np.ascontiguousarray(sp, dtype=np.float64),
                              np.ascontiguousarray(ap, dtype=np.float64), SPEECH_SR, 10.0)


@pytest.mark.parametrize("hz", [110.0, 220.0, 440.0])
def test_a_held_vowel_has_worlds_spectrum_and_the_sung_pitch(envelope, hz: float) -> None:
    sp, ap = envelope
    f0 = np.full(FRAMES, hz)
    ours, world = vocoder.synthesize(f0, sp, ap, SPEECH_SR, 10.0), _world(f0, sp, ap)
    inner = slice(SPEECH_SR // 5, -SPEECH_SR // 5)
    difference = _band_levels(ours[inner]) - _band_levels(world[inner])
    assert np.all(np.abs(difference[1:]) < 2.0), difference  # every band from 215 Hz up within 2 dB
    low = resample_poly(ours[inner], 320, 441)  # 22.05 kHz -> 16 kHz
    measured, t = pyworld.dio(low, 16000, f0_floor=70.0, f0_ceil=800.0, frame_period=5.0)
    measured = pyworld.stonemask(low, measured, t, 16000)
    cents = 1200 * np.log2(np.median(measured[measured > 0]) / hz)
    assert abs(cents) < 10, cents


def test_noise_and_silence(envelope) -> None:
    sp, ap = envelope
    unvoiced = np.zeros(FRAMES)
    noise_ap = np.full_like(ap, 0.999)
    ours, world = vocoder.synthesize(unvoiced, sp, noise_ap, SPEECH_SR, 10.0), _world(unvoiced, sp, noise_ap)
    ratio_db = 10 * np.log10(np.mean(ours**2) / np.mean(world**2))
    assert abs(ratio_db) < 1.0, ratio_db
    silent = np.full_like(sp, 1e-12)
    assert np.max(np.abs(vocoder.synthesize(np.full(FRAMES, 200.0), silent, ap, SPEECH_SR, 10.0))) < 1e-5


def test_length_and_determinism(envelope) -> None:
    sp, ap = envelope
    f0 = np.where(np.arange(FRAMES) % 50 < 30, 180.0, 0.0)  # voiced and unvoiced stretches
    one = vocoder.synthesize(f0, sp, ap, SPEECH_SR, 10.0, seed=5)
    assert len(one) == int((FRAMES - 1) * SPEECH_SR / 100) + 1
    assert np.array_equal(one, vocoder.synthesize(f0, sp, ap, SPEECH_SR, 10.0, seed=5))
    assert abs(float(np.mean(one))) < 1e-3 * float(np.sqrt(np.mean(one**2)))  # no DC
