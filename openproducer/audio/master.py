"""Mastering: gentle glue compression and EQ, loudness to -14 LUFS, true peak <= -1 dBFS.

Loudness normalisation (ITU-R BS.1770, ``loudness.integrated_loudness``) is the last *gain* step; if
the true peak (4x oversampled) then exceeds the ceiling, a look-ahead peak
limiter shaves the peaks and the loudness gain is measured and applied again.
A final hard clip at the ceiling only touches what the limiter left over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pedalboard
from scipy.ndimage import minimum_filter1d, uniform_filter1d

from openproducer.audio.channels import each
from openproducer.audio.loudness import integrated_loudness
from openproducer.audio.shape import interleaved, planar

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


_SCAN = 1 << 20  # samples per step when scanning a long signal (bounded temporaries)


def _above(x: np.ndarray, level: float) -> np.ndarray:
    """Indices of the samples where any channel of planar ``x`` exceeds ``level`` in magnitude."""
    found = []
    for a in range(0, x.shape[1], _SCAN):
        seg = x[:, a: a + _SCAN]
        hit = np.any((seg > level) | (seg < -level), axis=0)
        found.append(np.nonzero(hit)[0] + a)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def sample_peak(x: np.ndarray) -> float:
    """The largest absolute sample, without a temporary copy of the audio."""
    return float(max(np.max(x), -np.min(x))) if x.size else 0.0


def _true_peak_planar(x: np.ndarray, threshold: float = 0.7) -> float:
    """Linear true peak (4x oversampled) of planar (channels, samples) audio.

    Inter-sample peaks only matter next to large samples, so only the gaps next to
    samples above ``threshold`` times the sample peak are interpolated.
    """
    peak = sample_peak(x)
    if peak == 0.0:
        return 0.0
    return max(peak, *each(lambda row: _row_true_peak(row, peak * threshold), list(x), x.shape[1]))


def _row_true_peak(row: np.ndarray, level: float) -> float:
    """The largest interpolated value in the gaps next to the samples of ``row`` above ``level`` (0: none)."""
    half = _KERNEL.shape[1] // 2
    n = len(row)
    idx = _above(row[None, :], level)
    idx = np.unique(np.concatenate([idx - 1, idx]))
    idx = idx[(idx >= 0) & (idx < n - 1)]
    if idx.size == 0:
        return 0.0
    pos = idx[:, None] + np.arange(-half + 1, half + 1)[None, :]  # x[i-half+1 .. i+half] around the gap i..i+1
    taps = np.where((pos >= 0) & (pos < n), row[np.clip(pos, 0, n - 1)], 0.0).astype(np.float32)
    return float(np.max(np.abs(taps @ _KERNEL.T)))


def true_peak(audio: np.ndarray, threshold: float = 0.7) -> float:
    """Linear true peak (4x oversampled) of (samples, channels) audio, ITU-R BS.1770 style."""
    x = np.asarray(audio, dtype=np.float32)
    return _true_peak_planar(x.reshape(len(x), -1).T, threshold)


def _limit(x: np.ndarray, ceiling: float, sr: int, lookahead_ms: float = 2.0, release_ms: float = 40.0) -> None:
    """Look-ahead brickwall limiter, in place on planar audio: a smooth gain under ``ceiling``.

    Only regions around samples above the ceiling are touched (peaks are sparse).
    """
    over = _above(x, ceiling)
    if over.size == 0:
        return
    look = max(1, int(sr * lookahead_ms / 1000))
    rel = int(sr * release_ms / 1000) | 1
    pad = look + rel + 8
    # merge overlapping regions around the over-ceiling samples
    breaks = np.nonzero(np.diff(over) > 2 * pad)[0]
    starts = np.concatenate([[over[0]], over[breaks + 1]]) - pad
    ends = np.concatenate([over[breaks], [over[-1]]]) + pad
    for a, b in zip(np.maximum(starts, 0), np.minimum(ends, x.shape[1]), strict=True):
        level = np.max(np.abs(x[:, a:b]), axis=0)
        need = np.minimum(1.0, ceiling / np.maximum(level, 1e-9))
        gain = minimum_filter1d(need, size=2 * look + 1)
        gain = minimum_filter1d(gain, size=rel, origin=-(rel // 2))  # hold, then let go
        gain = np.minimum(uniform_filter1d(gain, size=look), need)
        x[:, a:b] *= gain[None, :].astype(np.float32)


def apply_in_place(board: pedalboard.Pedalboard, x: np.ndarray, sr: float, chunk_s: float = 5.0) -> np.ndarray:
    """Run ``board`` over planar ``x`` chunk by chunk, writing the result back into ``x``.

    Pedalboard keeps each plugin's state between calls (``reset=False``), so for
    plugins without latency (filters, dynamics, saturation, reverb, delay) this is
    sample for sample the same as one call, without a second copy of a long song.
    """
    step = max(1, int(sr * chunk_s))
    for a in range(0, x.shape[1], step):
        x[:, a: a + step] = board(x[:, a: a + step], sr, reset=a == 0)
    return x


def apply_per_channel(make_board: Callable[[], pedalboard.Pedalboard], x: np.ndarray, sr: float,
                      chunk_s: float = 5.0) -> np.ndarray:
    """:func:`apply_in_place` with a board of its own for each channel of planar ``x``, the channels on
    two threads (``audio.channels``).

    Only for chains whose plugins keep each channel apart (filters, compressors, distortion, bit
    crushing, delay: JUCE's state is per channel and no plugin links them): the samples are the same
    as one stereo board's, in about half the wall time.
    """
    each(lambda c: apply_in_place(make_board(), x[c: c + 1], sr, chunk_s), range(x.shape[0]), x.shape[1])
    return x


def master_filters() -> list[pedalboard.Plugin]:
    """The master's fixed equaliser, the linear part of its chain (stems carry it, audio/stems.py)."""
    return [
        pedalboard.HighpassFilter(cutoff_frequency_hz=30.0),
        pedalboard.LowShelfFilter(cutoff_frequency_hz=120.0, gain_db=1.0),
        pedalboard.HighShelfFilter(cutoff_frequency_hz=8000.0, gain_db=1.5),
    ]


def _chain(sr: int) -> pedalboard.Pedalboard:
    return pedalboard.Pedalboard([
        *master_filters(),
        pedalboard.Compressor(threshold_db=-18.0, ratio=2.0, attack_ms=15.0, release_ms=150.0),
    ])


def master_planar(audio: np.ndarray, sr: int, mastered: bool = True) -> tuple[np.ndarray, dict[str, Any]]:
    """:func:`master` for planar (channels, samples) float32 audio; returns planar audio.

    Works in place: a C-contiguous float32 ``audio`` is overwritten by the result,
    so a long song needs little more memory than itself.
    """
    x = np.ascontiguousarray(audio, dtype=np.float32)
    ceiling = db_to_gain(CEILING_DBFS)
    peak = sample_peak(x)
    if peak == 0.0:
        return x, {"mastered": mastered, "lufs": None, "true_peak_dbfs": None, "silent": True}
    if not mastered:
        x *= np.float32(ceiling * 0.999 / max(_true_peak_planar(x), peak))
        return x, {"mastered": False, "true_peak_dbfs": round(20 * np.log10(_true_peak_planar(x)), 2)}

    out = apply_per_channel(lambda: _chain(sr), x, sr)
    # A quick loudness estimate (every 4th sample) tells which peaks the final gain will push
    # over the ceiling; they are shaved first so the exact loudness gain can come last.
    estimate = integrated_loudness(out[:, ::4], sr / 4)
    if not np.isfinite(estimate):
        return x, {"mastered": True, "lufs": None, "true_peak_dbfs": None, "silent": True}
    expected_gain = db_to_gain(TARGET_LUFS - estimate)
    tp = _true_peak_planar(out) * expected_gain
    limited = tp > ceiling
    if limited:
        overshoot = tp / (sample_peak(out) * expected_gain)
        _limit(out, ceiling * db_to_gain(-0.5) / overshoot / expected_gain, sr)
    lufs = integrated_loudness(out, sr)
    out *= np.float32(db_to_gain(TARGET_LUFS - lufs))  # the last gain step
    for _ in range(3):
        tp = _true_peak_planar(out)
        if tp <= ceiling:
            break
        limited = True
        overshoot = tp / sample_peak(out)
        _limit(out, ceiling * db_to_gain(-0.1) / overshoot, sr)
    np.clip(out, -ceiling, ceiling, out=out)
    return out, {
        "mastered": True, "lufs": TARGET_LUFS, "true_peak_dbfs": round(float(20 * np.log10(tp)), 2),
        "sample_peak_dbfs": round(float(20 * np.log10(sample_peak(out))), 2), "limited": bool(limited),
    }


def master(audio: np.ndarray, sr: int, mastered: bool = True) -> tuple[np.ndarray, dict[str, Any]]:
    """Master a (samples, 2) float32 mix. ``mastered=False`` only peak-normalises to -1 dBFS."""
    x = np.asarray(audio, dtype=np.float32)
    out, info = master_planar(planar(x), sr, mastered)  # a copy: the caller's audio stays
    return interleaved(out), info
