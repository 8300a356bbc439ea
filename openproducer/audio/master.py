"""Mastering: gentle glue compression and EQ, loudness to -14 LUFS, true peak <= -1 dBFS.

Loudness normalisation (pyloudnorm, ITU-R BS.1770) is the last *gain* step; if
the true peak (4x oversampled) then exceeds the ceiling, a look-ahead peak
limiter shaves the peaks and the loudness gain is measured and applied again.
A final hard clip at the ceiling only touches what the limiter left over.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pedalboard
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d

TARGET_LUFS = -14.0
CEILING_DBFS = -1.0
_OVERSAMPLE = 4


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def _interp_kernel(oversample: int, half_taps: int = 12) -> np.ndarray:
    """Windowed-sinc taps for the fractional positions p/oversample, p = 1..oversample-1."""
    k = np.arange(-half_taps + 1, half_taps + 1)
    frac = np.arange(1, oversample)[:, None] / oversample
    t = frac - k[None, :]
    window = np.kaiser(2 * half_taps, 8.0)[None, :]
    return (np.sinc(t) * window).astype(np.float32)


_KERNEL = _interp_kernel(_OVERSAMPLE)


def true_peak(audio: np.ndarray, threshold: float = 0.7) -> float:
    """Linear true peak (4x oversampled), ITU-R BS.1770 style.

    Inter-sample peaks only matter next to large samples, so only the gaps next to
    samples above ``threshold`` times the sample peak are interpolated.
    """
    if audio.size == 0:
        return 0.0
    x = np.asarray(audio, dtype=np.float32).reshape(len(audio), -1)
    peak = float(np.max(np.abs(x)))
    if peak == 0.0:
        return 0.0
    half = _KERNEL.shape[1] // 2
    padded = np.pad(x, ((half, half), (0, 0)))
    best = peak
    for c in range(x.shape[1]):
        idx = np.nonzero(np.abs(x[:, c]) > peak * threshold)[0]
        idx = np.unique(np.concatenate([idx - 1, idx]))
        idx = idx[(idx >= 0) & (idx < len(x) - 1)]
        if idx.size == 0:
            continue
        # samples x[i-half+1 .. i+half] around the gap between i and i+1
        taps = padded[idx[:, None] + np.arange(1, 2 * half + 1)[None, :], c]
        best = max(best, float(np.max(np.abs(taps @ _KERNEL.T))))
    return best


def limit(audio: np.ndarray, ceiling: float, sr: int, lookahead_ms: float = 2.0,
          release_ms: float = 40.0) -> np.ndarray:
    """Look-ahead brickwall limiter: a smooth gain that brings every sample under ``ceiling``.

    Only regions around samples above the ceiling are touched (peaks are sparse).
    """
    out = np.array(audio, dtype=np.float32, copy=True)
    level = np.max(np.abs(out), axis=1)
    over = np.nonzero(level > ceiling)[0]
    if over.size == 0:
        return out
    look = max(1, int(sr * lookahead_ms / 1000))
    rel = int(sr * release_ms / 1000) | 1
    pad = look + rel + 8
    # merge overlapping regions around the over-ceiling samples
    breaks = np.nonzero(np.diff(over) > 2 * pad)[0]
    starts = np.concatenate([[over[0]], over[breaks + 1]]) - pad
    ends = np.concatenate([over[breaks], [over[-1]]]) + pad
    for a, b in zip(np.maximum(starts, 0), np.minimum(ends, len(out)), strict=True):
        need = np.minimum(1.0, ceiling / np.maximum(level[a:b], 1e-9))
        gain = minimum_filter1d(need, size=2 * look + 1)
        gain = minimum_filter1d(gain, size=rel, origin=-(rel // 2))  # hold, then let go
        gain = np.minimum(uniform_filter1d(gain, size=look), need)
        out[a:b] *= gain[:, None].astype(np.float32)
    return out


def _chain(sr: int) -> pedalboard.Pedalboard:
    return pedalboard.Pedalboard([
        pedalboard.HighpassFilter(cutoff_frequency_hz=30.0),
        pedalboard.LowShelfFilter(cutoff_frequency_hz=120.0, gain_db=1.0),
        pedalboard.HighShelfFilter(cutoff_frequency_hz=8000.0, gain_db=1.5),
        pedalboard.Compressor(threshold_db=-18.0, ratio=2.0, attack_ms=15.0, release_ms=150.0),
    ])


def master(audio: np.ndarray, sr: int, mastered: bool = True) -> tuple[np.ndarray, dict[str, Any]]:
    """Master a (samples, 2) float32 mix. ``mastered=False`` only peak-normalises to -1 dBFS."""
    audio = np.ascontiguousarray(audio, dtype=np.float32)
    ceiling = db_to_gain(CEILING_DBFS)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak == 0.0:
        return audio, {"mastered": mastered, "lufs": None, "true_peak_dbfs": None, "silent": True}
    if not mastered:
        out = (audio * (ceiling * 0.999 / max(true_peak(audio), peak))).astype(np.float32)
        return out, {"mastered": False, "true_peak_dbfs": round(20 * np.log10(true_peak(out)), 2)}

    out = _chain(sr)(audio.T.copy(), sr).T
    # A quick loudness estimate (every 4th sample) tells which peaks the final gain will push
    # over the ceiling; they are shaved first so the exact loudness gain can come last.
    estimate = float(pyloudnorm.Meter(sr / 4).integrated_loudness(out[::4]))
    if not np.isfinite(estimate):
        return audio, {"mastered": True, "lufs": None, "true_peak_dbfs": None, "silent": True}
    expected_gain = db_to_gain(TARGET_LUFS - estimate)
    tp = true_peak(out) * expected_gain
    limited = tp > ceiling
    if limited:
        overshoot = tp / (float(np.max(np.abs(out))) * expected_gain)
        out = limit(out, ceiling * db_to_gain(-0.5) / overshoot / expected_gain, sr)
    lufs = float(pyloudnorm.Meter(sr).integrated_loudness(out))
    out = out * np.float32(db_to_gain(TARGET_LUFS - lufs))  # the last gain step
    for _ in range(3):
        tp = true_peak(out)
        if tp <= ceiling:
            break
        limited = True
        overshoot = tp / float(np.max(np.abs(out)))
        out = limit(out, ceiling * db_to_gain(-0.1) / overshoot, sr)
    out = np.clip(out, -ceiling, ceiling).astype(np.float32)
    return out, {
        "mastered": True, "lufs": TARGET_LUFS, "true_peak_dbfs": round(float(20 * np.log10(tp)), 2),
        "sample_peak_dbfs": round(float(20 * np.log10(float(np.max(np.abs(out))))), 2), "limited": bool(limited),
    }
