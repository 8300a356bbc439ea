"""The voice over the band: the backing makes room where the voice sings, and the voice sits at its genre's level.

* :func:`carve` is a dynamic EQ keyed by the vocal: while the voice sounds, the
  backing's band where the voice's formants and consonants live (0.7 to 4.5 kHz) dips
  by up to the genre's ``carve_db``; it starts 25 ms before the voice, holds 180 ms
  after it and comes back. The backing's air above 4.5 kHz (cymbals, hats, the
  guitars' fizz), where the voice's fricatives and plosive bursts are heard, dips
  a little less with the same timing (6 dB for an 8 dB carve). Lows (kick, bass)
  are untouched: no blanket volume cut. The cut is ``x - k * H(x)``, where ``H`` is
  a unity-peak two-pole band-pass plus ``AIR_SHARE`` of a one-pole high-pass
  (one third-order filter, run once): a cut of depth ``1 - k`` in the band that
  never boosts.
* :func:`set_level` scales the vocal stem so that, over the sung notes, its
  K-weighted level (ITU-R BS.1770's weighting, as loudness meters use) is the
  genre's ``level_db`` above the backing's.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import maximum_filter1d, uniform_filter1d
from scipy.signal import butter, sosfilt, tf2sos

from openproducer.audio.channels import each
from openproducer.audio.loudness import k_weighting

CARVE_BAND = (700.0, 4500.0)
AIR_EDGE = 4500.0  # Hz: the backing's air band starts here
AIR_SHARE = 0.83  # of the band's cut: 0.6 of the air taken away (-6 dB) where 0.6 of the band is (-8 dB)
_HOP = 256
_LOOKAHEAD_S = 0.025
_HOLD_S = 0.18
_CHUNK = 1 << 15
_LEVEL_CHUNK = 1 << 18  # samples filtered at a time when measuring a level
_DECIMATE = 2  # the level is measured on every 2nd sample (22 kHz: the weighting's shelf is at 1.5 kHz)


def vocal_activity(voice: np.ndarray, sr: int) -> np.ndarray:
    """0..1 per hop of 256 samples: how much the voice is sounding (1 within 18 dB of its loud level)."""
    frames = -(-len(voice) // _HOP)
    padded = np.zeros(frames * _HOP, dtype=np.float32)
    padded[: len(voice)] = voice
    power = np.mean(padded.reshape(frames, _HOP) ** 2, axis=1, dtype=np.float64)
    db = 10.0 * np.log10(power + 1e-12)
    loud = db[db > db.max() - 60.0]
    ref = float(np.percentile(loud, 90)) if loud.size else float(db.max())
    act = np.clip((db - (ref - 30.0)) / 12.0, 0.0, 1.0)
    ahead = max(1, int(_LOOKAHEAD_S * sr / _HOP))
    hold = max(1, int(_HOLD_S * sr / _HOP))
    size = ahead + hold + 1
    act = maximum_filter1d(act, size=size, origin=hold - size // 2)
    return uniform_filter1d(act, size=max(1, int(0.04 * sr / _HOP)))


def carve_filter(sr: float) -> np.ndarray:
    """Second-order sections of the carved part: the voice's band (two-pole band-pass) plus the air's share."""
    b1, a1 = butter(1, CARVE_BAND, btype="bandpass", fs=sr)
    b2, a2 = butter(1, AIR_EDGE, btype="highpass", fs=sr)
    return tf2sos(np.polyadd(np.polymul(b1, a2), AIR_SHARE * np.polymul(b2, a1)), np.polymul(a1, a2))


def carve(backing: np.ndarray, voice: np.ndarray, sr: int, depth_db: float) -> np.ndarray:
    """Dip planar ``backing`` (channels, samples) in place around the voice's band while ``voice`` sounds."""
    if depth_db <= 0.05 or backing.size == 0:
        return backing
    act = vocal_activity(voice, sr)
    if not act.any():
        return backing
    amount = 1.0 - 10.0 ** (-depth_db * act / 20.0)  # fraction of the band taken away, per hop
    sos = carve_filter(sr)
    each(lambda channel: _carve_channel(channel, amount, sos), list(backing), backing.shape[1])
    return backing


def _carve_channel(x: np.ndarray, amount: np.ndarray, sos: np.ndarray) -> None:
    """One channel of :func:`carve`, in place: ``amount`` of ``sos``'s band (and air) taken away, per hop."""
    centres = np.arange(len(amount)) * _HOP + _HOP / 2
    zi = np.zeros((sos.shape[0], 2))
    n = len(x)
    for a in range(0, n, _CHUNK):  # stretches where the voice rests are skipped (the filter restarts after them)
        b = min(n, a + _CHUNK)
        h0, h1 = a // _HOP, min(len(amount), -(-b // _HOP) + 1)
        if amount[h0:h1].max() <= 1e-4:
            zi[:] = 0.0
            continue
        band, zi = sosfilt(sos, x[a:b], zi=zi)
        x[a:b] -= (band * np.interp(np.arange(a, b), centres, amount)).astype(np.float32)


def mean_weighted_power(x: np.ndarray, sr: float, mask: np.ndarray) -> float:
    """Mean of K-weighted mono ``x`` squared over the samples where ``mask`` holds, filtered chunk by
    chunk (the filter's state carried across): no float64 copy of a whole song."""
    sos = k_weighting(float(sr))
    zi = np.zeros((sos.shape[0], 2))
    total = 0.0
    for a in range(0, len(mask), _LEVEL_CHUNK):
        y, zi = sosfilt(sos, x[a: a + _LEVEL_CHUNK].astype(np.float64), zi=zi)
        y = y[mask[a: a + _LEVEL_CHUNK]]
        total += float(np.dot(y, y))
    return total / max(int(np.count_nonzero(mask)), 1)


def sung_mask(spans: list[tuple[float, float]], n: int, sr: float) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    for start, end in spans:
        mask[max(0, int(start * sr)): max(0, min(n, int(end * sr)))] = True
    return mask


def level_difference(voice: np.ndarray, backing: np.ndarray, sr: float, spans: list[tuple[float, float]]) -> float:
    """K-weighted level of mono ``voice`` over mono ``backing`` (dB) during ``spans`` (seconds)."""
    n = min(len(voice), len(backing))
    mask = sung_mask(spans, n, sr)
    if not mask.any():
        return 0.0
    v, b = each(lambda x: mean_weighted_power(x[:n], sr, mask), [voice, backing], n)
    return 10.0 * np.log10((v + 1e-20) / (b + 1e-20))


def set_level(vocals: np.ndarray, backing_mono: np.ndarray, sr: int, spans: list[tuple[float, float]],
              level_db: float) -> np.ndarray:
    """Scale planar ``vocals`` in place so the lead sits ``level_db`` over the backing during ``spans``."""
    d = _DECIMATE
    now = level_difference(vocals[0, ::d], backing_mono[::d], sr / d, spans)
    if now == 0.0 or not np.isfinite(now):
        return vocals
    vocals *= np.float32(10.0 ** ((level_db - now) / 20.0))
    return vocals


def sung_spans(notes: list[list], spb: float) -> list[tuple[float, float]]:
    """Seconds where the lead sings a syllable (from its onset consonant to the note's end)."""
    return [(n[0] * spb - 0.05, (n[0] + n[1]) * spb) for n in notes if n[4] and n[1] > 0]
