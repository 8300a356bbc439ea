"""Stems that sum back to a finished mix: the mix's own processing carried onto each part.

A song's parts are known before mastering (the composer renders every instrument); the published
mix is those parts summed and then processed: equalised, compressed, limited, brought to a
loudness. That processing is a fixed filter followed by a gain that moves with the music (the
compressor's, the limiter's and the loudness gain). :func:`carry_processing` applies the very
same filter to every part, then measures the moving gain from the mix itself and applies it to
every part:

1. ``linear`` (the master's own equaliser, as the mix received it) on each part.
2. Per channel and per block of 64 samples (1.5 ms), the gain that best maps the sum of the
   filtered parts onto the target (least squares), interpolated from block to block: the
   compressor's, the limiter's and the loudness gain.
3. Each filtered part times that gain. What the model leaves unexplained (saturation, the
   limiter's finest moves, the final clip) is the residual; its level below the target is
   reported (about 45 dB below it for a composer song).
4. The residual is shared out, bin by bin of a short-time spectrum, in proportion to each part's
   energy there, so the parts sum back to the target exactly, and a part that is silent in a
   frame (the vocals between sung lines) stays silent there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from openproducer.audio.shape import planar

__all__ = ["CarriedParts", "carry_processing", "level_below"]

_N_FFT = 2048
_HOP = 512


@dataclass
class CarriedParts:
    parts: dict[str, np.ndarray]  # (samples, 2) float32 each; they sum to the target
    residual_db: float  # what the filter and the measured gain left unexplained, dB below the target
    gain_db: float  # the median gain the target applied to the filtered parts


def level_below(reference: np.ndarray, error: np.ndarray) -> float:
    """How far ``error`` lies below ``reference`` in energy, dB (inf when it is zero)."""
    ref = float(np.sum(np.abs(reference).astype(np.float64) ** 2))
    err = float(np.sum(np.abs(error).astype(np.float64) ** 2))
    if err <= 0.0:
        return float("inf")
    if ref <= 0.0:
        return float("-inf")
    return 10.0 * np.log10(ref / err)


def _stft(x: np.ndarray) -> np.ndarray:
    import librosa

    return librosa.stft(planar(x), n_fft=_N_FFT, hop_length=_HOP)  # (ch, F, T)


def _istft(spec: np.ndarray, n: int) -> np.ndarray:
    import librosa

    return np.ascontiguousarray(librosa.istft(spec, hop_length=_HOP, n_fft=_N_FFT, length=n).T, dtype=np.float32)


def _block_gain(parts_sum: np.ndarray, target: np.ndarray, block: int, max_gain: float) -> np.ndarray:
    """Per channel, the least-squares gain of each block, linearly interpolated: (samples, 2)."""
    n = len(target)
    nb = max(1, n // block)
    used = nb * block
    centres = (np.arange(nb) + 0.5) * block
    gains = np.empty((n, parts_sum.shape[1]), dtype=np.float32)
    for ch in range(parts_sum.shape[1]):
        a = parts_sum[:used, ch].astype(np.float64).reshape(nb, block)
        b = target[:used, ch].astype(np.float64).reshape(nb, block)
        power = np.sum(a * a, axis=1)
        g = np.divide(np.sum(a * b, axis=1), power, out=np.zeros(nb), where=power > 1e-12)
        if np.any(power > 1e-12):  # silent blocks take the gain of their neighbours
            g = np.interp(np.arange(nb), np.flatnonzero(power > 1e-12), g[power > 1e-12])
        gains[:, ch] = np.interp(np.arange(n), centres, np.clip(g, 0.0, max_gain))
    return gains


def carry_processing(
    parts: dict[str, np.ndarray], target: np.ndarray, *,
    linear: Callable[[np.ndarray], np.ndarray] | None = None, quiet: tuple[str, ...] = (),
    block: int = 64, max_gain: float = 16.0,
) -> CarriedParts:
    """``parts`` ((samples, 2) each, summing to what ``target`` was made from) carried through
    ``target``'s processing; see the module docstring. ``linear`` maps (samples, 2) audio
    through the fixed filter the target received (None: no filter).

    ``quiet`` names parts that take no share of the residual where their own energy is small
    next to the others' (the vocals), so the silence between sung lines stays silent.
    """
    if not parts:
        raise ValueError("no parts to carry")
    names = list(parts)
    n = len(target)
    tgt = np.asarray(target, dtype=np.float32)
    pre = {name: _fit(parts[name], n) for name in names}
    if linear is not None:
        pre = {name: _fit(linear(audio), n) for name, audio in pre.items()}
    total = np.sum([pre[name] for name in names], axis=0, dtype=np.float32)
    gains = _block_gain(total, tgt, block, max_gain)
    carried = {name: (audio * gains).astype(np.float32) for name, audio in pre.items()}
    residual = tgt - np.sum([carried[name] for name in names], axis=0, dtype=np.float32)
    residual_db = level_below(tgt, residual)

    specs = {name: _stft(audio) for name, audio in carried.items()}
    r_spec = _stft(residual)
    energy = {name: np.abs(spec) ** 2 for name, spec in specs.items()}
    frame_energy = {name: e.sum(axis=1, keepdims=True) for name, e in energy.items()}
    all_frame = sum(frame_energy.values())
    floor = 1e-6 * all_frame / r_spec.shape[1]
    weights = {}
    for name in names:
        w = energy[name] + floor * frame_energy[name] / np.maximum(all_frame, 1e-30)
        if name in quiet:
            w = np.where(frame_energy[name] > 1e-4 * all_frame, w, 0.0)
        weights[name] = w
    total_w = sum(weights.values())
    fallback = max((nm for nm in names if nm not in quiet), key=lambda nm: float(frame_energy[nm].sum()),
                   default=names[0])
    out: dict[str, np.ndarray] = {}
    for name in names:
        share = np.divide(weights[name], total_w, out=np.zeros_like(total_w), where=total_w > 0)
        if name == fallback:
            share = np.where(total_w > 0, share, 1.0)
        out[name] = carried[name] + _istft(r_spec * share, n)
    # The short-time round trip leaves float rounding: it goes to the part that takes what no
    # other part claims, so the stems sum to the target to the last bit a float holds.
    out[fallback] += tgt - np.sum([out[name] for name in names], axis=0, dtype=np.float32)
    gain = np.median(gains[np.any(total != 0, axis=1)]) if np.any(total != 0) else 1.0
    return CarriedParts(out, round(residual_db, 2), round(float(20 * np.log10(max(float(gain), 1e-9))), 2))


def _fit(x: np.ndarray, n: int) -> np.ndarray:
    a = np.asarray(x, dtype=np.float32)
    if a.ndim == 1:
        a = np.repeat(a[:, None], 2, axis=1)
    if len(a) >= n:
        return a[:n]
    return np.pad(a, ((0, n - len(a)), (0, 0)))
