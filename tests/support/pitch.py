"""Pitch measurements for the tests: a sung pitch track and how well two melodies line up."""

from __future__ import annotations

from math import gcd

import numpy as np
from scipy.signal import resample_poly

SR = 16000
HOP = 320  # 20 ms


def pitch_track(audio: np.ndarray, sr: int) -> np.ndarray:
    """MIDI pitch every 20 ms (NaN where unvoiced), librosa's pYIN on the mono signal."""
    import librosa

    x = np.asarray(audio, dtype=np.float32)
    mono = x.mean(axis=1) if x.ndim == 2 else x
    g = gcd(int(sr), SR)
    y = resample_poly(mono, SR // g, int(sr) // g).astype(np.float32)
    f0, voiced, _ = librosa.pyin(y, fmin=65.0, fmax=1000.0, sr=SR, frame_length=1280, hop_length=HOP)
    midi = librosa.hz_to_midi(f0)
    midi[~(voiced & np.isfinite(f0))] = np.nan
    return midi


def contour_correlation(a: np.ndarray, b: np.ndarray, min_overlap: int = 50) -> float:
    """The best correlation of two pitch contours over every lag of ``a`` against ``b``
    (frames voiced in both; each contour minus its mean, so a transposition does not matter)."""
    best = -1.0
    for lag in range(-len(a) + min_overlap, len(b) - min_overlap):
        lo_a, lo_b = max(0, -lag), max(0, lag)
        n = min(len(a) - lo_a, len(b) - lo_b)
        x, y = a[lo_a: lo_a + n], b[lo_b: lo_b + n]
        both = np.isfinite(x) & np.isfinite(y)
        if both.sum() < min_overlap:
            continue
        xs, ys = x[both] - x[both].mean(), y[both] - y[both].mean()
        den = float(np.sqrt(np.sum(xs * xs) * np.sum(ys * ys)))
        if den > 0:
            best = max(best, float(np.sum(xs * ys) / den))
    return best
