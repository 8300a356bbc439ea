"""The singer's vocoder: WORLD parameters (F0, spectral envelope, aperiodicity) back into a waveform.

The same source-filter model as WORLD's own synthesis (pyworld.synthesize), computed for all
pulses of a phrase at once with NumPy's FFTs instead of one pulse at a time, which made WORLD's
synthesis the largest cost of a sung render (about 0.4 s of CPU for a 30 s song):

* The periodic part is one minimum-phase pulse per pitch period in voiced frames. Each frame's
  minimum-phase spectrum comes from its folded cepstrum; its complex logarithm is linear in the
  log amplitude, so a pulse between two frames takes the interpolation of theirs, delayed by its
  fractional sample position, scaled by the square root of its period (the envelope is a power
  spectral density) and stripped of DC.
* The aperiodic part is white noise shaped frame by frame: random spectra of the envelope times
  the aperiodicity, Hann-windowed and overlap-added at the frame rate.

Frames whose envelope is silence cost nothing. Same inputs, same seed: the same samples.
"""

from __future__ import annotations

import numpy as np

__all__ = ["synthesize"]

_EPS = 1e-16
_SILENCE = 1e-10  # an envelope whose largest bin is under this is silence (the singer's rests are 1e-12)
_HANN_POWER = 0.375  # mean of a Hann window squared
_PULSE = 256  # samples kept of each pulse's response (11.6 ms at 22.05 kHz: the rest is 30 dB down or more)


def _min_phase_log(power: np.ndarray, n_fft: int) -> tuple[np.ndarray, np.ndarray]:
    """(log amplitude, phase) of the minimum-phase spectra of the rows of ``power``."""
    cepstrum = np.fft.irfft(np.float32(0.5) * np.log(power + np.float32(_EPS)), n_fft, axis=1)
    half = n_fft // 2
    cepstrum[:, 1:half] *= 2.0
    cepstrum[:, half + 1:] = 0.0
    log_spectrum = np.fft.rfft(cepstrum, axis=1)
    return log_spectrum.real, log_spectrum.imag


def _pulses(f0: np.ndarray, voiced: np.ndarray, hop: float, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """(sample positions, periods in samples) of the glottal pulses: one each time the pitch completes
    a cycle, in voiced frames only (between two frames the pitch is their mean; the cycles are counted
    at the frames and found between them by interpolation, so the cost is per frame and per pulse)."""
    both = voiced[:-1] & voiced[1:]
    cycles = np.concatenate([[0.0], np.cumsum(np.where(both, 0.5 * (f0[:-1] + f0[1:]) * hop / fs, 0.0))])
    first, last = np.ceil(cycles[0] + 1e-9), np.floor(cycles[-1])
    if last < first:
        return np.zeros(0), np.zeros(0)
    whole = np.arange(first, last + 1)
    rising = np.concatenate([[True], np.diff(cycles) > 0])  # interpolate on the strictly rising points
    place = np.interp(whole, cycles[rising], np.arange(len(cycles))[rising])
    frame = np.minimum(np.round(place).astype(np.int64), len(f0) - 1)
    hz = np.interp(place, np.arange(len(f0)), f0)
    keep = voiced[frame] & (hz > 0)
    return place[keep] * hop, fs / hz[keep]


def _overlap_add(out: np.ndarray, starts: np.ndarray, rows: np.ndarray) -> None:
    """Add each row of ``rows`` into ``out`` from its start (starts >= 0, rows end inside ``out``)."""
    index = starts[:, None] + np.arange(rows.shape[1])[None, :]
    out += np.bincount(index.ravel(), weights=rows.ravel(), minlength=len(out))[: len(out)]


def synthesize(f0: np.ndarray, sp: np.ndarray, ap: np.ndarray, fs: int, frame_period: float,
               seed: int = 0) -> np.ndarray:
    """Samples at ``fs`` for frames every ``frame_period`` ms: ``f0`` in Hz (0 unvoiced), ``sp`` the power
    envelope (frames, n_fft/2 + 1), ``ap`` the aperiodicity (0 periodic .. 1 noise) on the same bins."""
    frames, bins = sp.shape
    n_fft = 2 * (bins - 1)
    hop = fs * frame_period / 1000.0
    n = int((frames - 1) * hop) + 1
    out = np.zeros(n + 2 * n_fft)
    sp = np.asarray(sp, dtype=np.float32)
    noise_share = np.square(np.asarray(ap, dtype=np.float32))
    live = sp.max(axis=1) > _SILENCE
    voiced = (f0 > 0) & live
    if voiced.any():
        at, period = _pulses(f0, voiced, hop, fs)
        rows = np.nonzero(voiced)[0]
        log_amp, phase = np.zeros((frames, bins), np.float32), np.zeros((frames, bins), np.float32)
        log_amp[rows], phase[rows] = _min_phase_log(sp[rows] * np.maximum(1.0 - noise_share[rows], 0.0), n_fft)
        place = np.clip(at / hop, 0, frames - 1)
        i0 = np.floor(place).astype(np.int64)
        i1 = np.minimum(i0 + 1, frames - 1)
        w = (place - i0).astype(np.float32)[:, None]
        amp = log_amp[i0]
        amp += w * (log_amp[i1] - amp)
        amp += (0.5 * np.log(period)).astype(np.float32)[:, None]
        turn = phase[i0]
        turn += w * (phase[i1] - turn)
        start = np.floor(at).astype(np.int64)
        delay = (at - start).astype(np.float32)
        turn -= np.float32(2 * np.pi / n_fft) * np.arange(bins, dtype=np.float32)[None, :] * delay[:, None]
        np.exp(amp, out=amp)
        spectrum = np.empty(amp.shape, np.complex64)
        spectrum.real = amp * np.cos(turn)
        spectrum.imag = amp * np.sin(turn)
        spectrum[:, 0] = 0.0  # no DC
        pulses = np.fft.irfft(spectrum, n_fft, axis=1)[:, :_PULSE]
        taper = np.hanning(_PULSE).astype(np.float32)
        pulses -= (pulses.sum(axis=1) / taper.sum())[:, None] * taper[None, :]  # DC-free once cut short
        _overlap_add(out, start, pulses)
    step = int(round(hop))
    centres = np.arange(0, n, step)
    frame = np.minimum(np.round(centres / hop).astype(np.int64), frames - 1)
    keep = live[frame]
    centres, frame = centres[keep], frame[keep]
    if len(centres):
        rng = np.random.default_rng(seed)
        amp = np.sqrt(sp[frame] * noise_share[frame])
        amp *= np.float32(np.sqrt(step / (2.0 * _HANN_POWER)))  # unit power per bin after overlap-add
        spectrum = np.empty(amp.shape, np.complex64)
        spectrum.real = rng.standard_normal(amp.shape, np.float32) * amp
        spectrum.imag = rng.standard_normal(amp.shape, np.float32) * amp
        spectrum[:, 0] = 0.0
        grains = np.fft.irfft(spectrum, n_fft, axis=1) * np.hanning(n_fft).astype(np.float32)[None, :]
        noise = np.zeros(len(out) + n_fft)
        _overlap_add(noise, centres, grains)
        out += noise[n_fft // 2: n_fft // 2 + len(out)]
    return out[:n]
