"""Analysis of arbitrary audio: tempo, key, beats, sections, and the rough vocal split."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from openproducer.audio.analyse import analyse_audio, estimate_key, split_vocals

SR = 44100


def _song(seconds: float, bpm: float, chords: list[tuple[int, ...]], tonic: int, kick: bool = True) -> np.ndarray:
    """One decaying triad (plus bass) per bar over a kick on every beat."""
    n = int(seconds * SR)
    t = np.arange(n) / SR
    out = np.zeros(n)
    beat = 60.0 / bpm
    bar = 4 * beat
    for b in range(int(np.ceil(seconds / bar))):
        s, e = int(b * bar * SR), min(int((b + 1) * bar * SR), n)
        tt = t[s:e] - t[s]
        chord = chords[b % len(chords)]
        for iv in chord:
            f = 440 * 2 ** ((tonic + iv - 69) / 12)
            out[s:e] += 0.08 * np.exp(-tt * 1.5) * (np.sin(2 * np.pi * f * tt) + 0.3 * np.sin(4 * np.pi * f * tt))
        f = 440 * 2 ** ((tonic - 24 + chord[0] - 69) / 12)
        out[s:e] += 0.1 * np.sin(2 * np.pi * f * tt)
    if kick:
        kt = np.arange(int(0.12 * SR)) / SR
        hit = np.sin(2 * np.pi * (50 + 100 * np.exp(-kt * 30)) * kt) * np.exp(-kt * 25)
        for k in range(int(seconds / beat) + 1):
            s = int(k * beat * SR)
            m = max(0, min(len(hit), n - s))
            out[s : s + m] += 0.6 * hit[:m]
    out = out / np.abs(out).max() * 0.8
    return np.stack([out, out], axis=1).astype(np.float32)


MAJOR = [(0, 4, 7), (5, 9, 12), (7, 11, 14), (0, 4, 7)]  # I IV V I
MINOR = [(0, 3, 7), (5, 8, 12), (7, 11, 14), (0, 3, 7)]  # i iv V i


@pytest.mark.parametrize(
    ("bpm", "chords", "tonic", "key"),
    [
        (120, MAJOR, 60, "C major"),
        (100, MINOR, 57, "A minor"),
        (90, MAJOR, 66, "F# major"),
        (140, MINOR, 64, "E minor"),
    ],
)
def test_tempo_key_and_beats(bpm: float, chords: list[tuple[int, ...]], tonic: int, key: str) -> None:
    found = analyse_audio(_song(20.0, bpm, chords, tonic), SR)
    assert found.duration == pytest.approx(20.0)
    assert found.bpm == pytest.approx(bpm, abs=1.5)
    assert found.key == key
    gaps = np.diff(found.beat_times)
    assert len(found.beat_times) >= 20.0 * bpm / 60 * 0.8
    assert np.median(gaps) == pytest.approx(60.0 / bpm, abs=0.03)


def test_sections_follow_changes_in_the_music() -> None:
    a = _song(20.0, 120, MAJOR, 60)
    t = np.arange(20 * SR) / SR
    pad = sum(0.1 * np.sin(2 * np.pi * f * t + i) for i, f in enumerate([523.25, 659.25, 783.99, 880.0]))
    b = np.stack([pad * (0.5 + 0.5 * np.sin(2 * np.pi * 0.25 * t))] * 2, axis=1).astype(np.float32)
    found = analyse_audio(np.concatenate([a, b, a]), SR)
    assert [s.name for s in found.sections] == ["section 1", "section 2", "section 3"]
    assert found.sections[0].start == 0.0 and found.sections[-1].end == pytest.approx(60.0)
    assert all(x.end == y.start for x, y in zip(found.sections, found.sections[1:], strict=False))
    assert found.sections[1].start == pytest.approx(20.0, abs=1.0)
    assert found.sections[2].start == pytest.approx(40.0, abs=1.0)


def test_silence_and_short_input() -> None:
    silent = analyse_audio(np.zeros((5 * SR, 2), np.float32), SR)
    assert silent.bpm == 0.0 and silent.beat_times == [] and silent.sections[0].end == 5.0
    tiny = analyse_audio(np.zeros((100, 2), np.float32), SR)
    assert tiny.bpm == 0.0 and tiny.to_dict()["duration"] == pytest.approx(100 / SR)


def test_estimate_key_profiles() -> None:
    c_major_scale = np.array([1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1], dtype=float)
    c_major_scale[[0, 4, 7]] += 1.5  # tonic triad stressed
    assert estimate_key(c_major_scale)[0] == "C major"
    assert estimate_key(np.roll(c_major_scale, 2))[0] == "D major"
    assert estimate_key(np.zeros(12)) == ("C major", 0.0)


def _si_sdr(estimate: np.ndarray, reference: np.ndarray) -> float:
    scale = np.dot(estimate, reference) / np.dot(reference, reference)
    target = scale * reference
    return float(10 * np.log10(np.sum(target**2) / np.sum((estimate - target) ** 2)))


def test_split_vocals_is_rough_but_better_than_nothing() -> None:
    backing = _song(30.0, 120, MAJOR, 60) * 0.7
    t = np.arange(len(backing)) / SR
    rng = np.random.default_rng(3)
    walk = np.cumsum(rng.standard_normal(int(30 / 0.05) + 2)) * 0.08  # a wandering, never-repeating melody
    phase = 2 * np.pi * np.cumsum(350 * 2 ** np.interp(t, np.arange(len(walk)) * 0.05, walk)) / SR
    phrasing = 0.6 + 0.4 * np.sin(2 * np.pi * 0.3 * t) ** 2
    voice = (sum(0.1 / h * np.sin(h * phase) for h in range(1, 6)) * phrasing).astype(np.float32)
    mix = backing + np.stack([voice, voice], axis=1)
    stems = split_vocals(mix, SR)
    assert set(stems) == {"vocals", "instrumental"}
    for stem in stems.values():
        assert stem.shape == mix.shape and stem.dtype == np.float32
    assert np.max(np.abs(stems["vocals"] + stems["instrumental"] - mix)) < 1e-5
    assert _si_sdr(stems["vocals"][:, 0], voice) > _si_sdr(mix[:, 0], voice) + 4.0
    assert _si_sdr(stems["instrumental"][:, 0], backing[:, 0]) > _si_sdr(mix[:, 0], backing[:, 0]) + 3.0
    short = split_vocals(mix[:1000], SR)
    assert np.array_equal(short["instrumental"], mix[:1000]) and not short["vocals"].any()


def test_librosa_is_imported_lazily() -> None:
    code = "import sys, openproducer.audio.analyse; print('librosa' in sys.modules, 'numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
