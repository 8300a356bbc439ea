"""Mix decisions and per-stem processing.

A :class:`Mix` is built from the genre's preset plus the prompt's production
words (``words.PRODUCTION``). Reverb is FluidSynth's own room (the amount sets
the room size and every track's send, see ``arrange``); everything else is
applied to the instrumental stem with pedalboard after rendering: saturation,
a low-pass, bit reduction, vinyl noise, bus compression, tone shelves, a
tempo-synced echo and stereo width. The vocal stem gets its own chain
(``vocal_chain``); how the voice sits over the band is chosen per genre
(:class:`VocalBalance`, see ``balance.py`` for the levelling and the backing's carve
keyed by the voice). All processing is deterministic.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pedalboard

from openproducer.audio.master import apply_per_channel

from .seeds import rng_for
from .words import PRODUCTION


@dataclass
class Mix:
    reverb: float = 0.3  # 0..1 room amount (FluidSynth room size and sends; the vocal reverb)
    drive: float = 0.0  # 0..1 saturation of the instrumental stem
    lowpass: float = 0.0  # Hz; 0 = no low-pass
    crush: float = 0.0  # 0..1 bit and sample-rate reduction
    vinyl: float = 0.0  # 0..1 crackle and hiss
    punch: float = 0.4  # 0..1 bus compression of the instrumental stem
    warmth: float = 0.0  # dB on a 250 Hz low shelf
    brightness: float = 0.0  # dB on a 6 kHz high shelf
    width: float = 1.0  # stereo width (side gain)
    delay: float = 0.0  # 0..1 dotted-eighth echo
    density: float = 0.0  # -1 sparse .. +1 dense arrangement

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Mix:
        known = {f.name for f in fields(cls)}
        return cls(**{k: float(v) for k, v in (data or {}).items() if k in known})


_LIMITS = {"reverb": (0.0, 1.0), "drive": (0.0, 1.0), "crush": (0.0, 1.0), "vinyl": (0.0, 1.0),
           "punch": (0.0, 1.0), "warmth": (-6.0, 6.0), "brightness": (-6.0, 6.0), "width": (0.0, 1.6),
           "delay": (0.0, 1.0), "density": (-1.0, 1.0)}


def build_mix(preset: dict[str, float], words: list[str], weight: float) -> Mix:
    """The genre's mix, then each production word's changes scaled by ``weight`` (sound_strength)."""
    mix = Mix.from_dict(preset)
    values = mix.to_dict()
    for w in words:
        for k, v in PRODUCTION.get(w, {}).items():
            if k == "lowpass":
                values[k] = v if values[k] <= 0 else min(values[k], v)
            else:
                values[k] += v * weight
    for k, (lo, hi) in _LIMITS.items():
        values[k] = float(np.clip(values[k], lo, hi))
    return Mix(**values)


def room_settings(mix: Mix) -> tuple[float, float, float, float]:
    """FluidSynth reverb (roomsize, damping, width, level) for the mix's reverb amount."""
    r = mix.reverb
    return 0.2 + 0.7 * r, 0.35 - 0.25 * r, 0.6 + 0.4 * min(mix.width, 1.0), 0.7 + 0.3 * r


def send_scale(mix: Mix) -> float:
    """Reverb sends relative to the arrangement's defaults (which suit reverb 0.3)."""
    return 0.35 + 2.2 * mix.reverb


def add_vinyl(x: np.ndarray, sr: int, amount: float, seed: int, chunk: int = 1 << 18) -> None:
    """Add hiss and sparse soft crackles to planar ``x`` in place, seeded: the same song, the same noise."""
    rng = rng_for(seed, "vinyl")
    n = x.shape[1]
    count = int(n / sr * 6 * amount)
    pos = np.sort(rng.integers(0, max(1, n - 64), size=count))
    amp = rng.uniform(0.01, 0.04, size=count) * amount * rng.choice([-1.0, 1.0], size=count)
    tick = np.exp(-np.arange(64) / 12.0)  # a crackle is a 1.5 ms decaying tick
    board = pedalboard.Pedalboard([pedalboard.HighpassFilter(800.0), pedalboard.LowpassFilter(7000.0)])
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        noise = rng.standard_normal(b - a) * (0.004 * amount)
        for p, g in zip(pos[(pos >= a - 64) & (pos < b)].tolist(), amp[(pos >= a - 64) & (pos < b)].tolist(),
                        strict=True):
            lo, hi = max(p, a), min(p + 64, b)
            noise[lo - a: hi - a] += g * tick[lo - p: hi - p]
        x[:, a:b] += board(noise[None, :].astype(np.float32), sr, reset=a == 0)


def instrumental_chain(mix: Mix, sr: int, bpm: float) -> list[pedalboard.Plugin]:
    chain: list[pedalboard.Plugin] = []
    if mix.drive > 0.02:
        chain.append(pedalboard.Distortion(drive_db=4.0 + 18.0 * mix.drive))
        chain.append(pedalboard.Gain(gain_db=-(2.0 + 12.0 * mix.drive)))
    if mix.crush > 0.02:
        chain.append(pedalboard.Bitcrush(bit_depth=float(16.0 - 9.0 * mix.crush)))
    if mix.lowpass > 0:
        chain.append(pedalboard.LowpassFilter(cutoff_frequency_hz=float(mix.lowpass)))
    if abs(mix.warmth) > 0.1:
        chain.append(pedalboard.LowShelfFilter(cutoff_frequency_hz=250.0, gain_db=float(mix.warmth)))
    if abs(mix.brightness) > 0.1:
        chain.append(pedalboard.HighShelfFilter(cutoff_frequency_hz=6000.0, gain_db=float(mix.brightness)))
    if mix.punch > 0.05:
        chain.append(pedalboard.Compressor(threshold_db=-10.0 - 14.0 * mix.punch, ratio=1.5 + 2.5 * mix.punch,
                                           attack_ms=12.0, release_ms=120.0))
    if mix.delay > 0.02:
        chain.append(pedalboard.Delay(delay_seconds=0.75 * 60.0 / bpm, feedback=0.25 + 0.3 * mix.delay,
                                      mix=0.12 + 0.25 * mix.delay))
    return chain


def hold_samples(x: np.ndarray, factor: int, chunk: int = 1 << 18) -> None:
    """Sample-rate reduction in place: every ``factor`` samples repeat the first (zero-order hold)."""
    chunk -= chunk % factor
    for a in range(0, x.shape[1], chunk):
        seg = x[:, a: a + chunk]
        seg[:] = np.repeat(seg[:, ::factor], factor, axis=1)[:, : seg.shape[1]]


def process_instrumental(audio: np.ndarray, sr: int, mix: Mix, bpm: float, seed: int) -> np.ndarray:
    """The instrumental stem after its mix chain, in place on planar (2, samples) float32."""
    out = audio
    if mix.crush > 0.35:  # lo-fi sample rate: 2x to 4x fewer distinct samples
        hold_samples(out, 2 + int(round(3 * (mix.crush - 0.35))))
    if instrumental_chain(mix, sr, bpm):  # its plugins keep the channels apart: one board per channel
        apply_per_channel(lambda: pedalboard.Pedalboard(instrumental_chain(mix, sr, bpm)), out, sr)
    if abs(mix.width - 1.0) > 0.02:
        step = 1 << 18
        for a in range(0, out.shape[1], step):
            side = (out[0, a: a + step] - out[1, a: a + step]) * np.float32(0.5 * (mix.width - 1.0))
            out[0, a: a + step] += side
            out[1, a: a + step] -= side
    if mix.vinyl > 0.02:
        add_vinyl(out, sr, mix.vinyl, seed)
    return out


@dataclass(frozen=True)
class VocalBalance:
    """How the voice sits in a genre's mix."""

    level_db: float = 8.0  # lead over backing while words are sung (K-weighted level), dB
    carve_db: float = 8.0  # how far the backing dips around the voice's band (0.7-4.5 kHz) while it sings
    presence_db: float = 2.5  # vocal presence boost at 3 kHz
    ratio: float = 3.0  # vocal compression ratio (threshold -22 dB)
    space: float = 1.0  # scale of the vocal room's and echo's wet level
    breath: float = 0.1  # breath before a phrase, relative to the phrase's level

    @property
    def target_range(self) -> tuple[float, float]:
        """The vocal-over-backing levels a song of this genre may show during sung words."""
        return self.level_db - 1.5, self.level_db + 1.5


# dense, loud genres push the voice less but carve deeper; sparse ones leave the voice well on top
VOCAL_BALANCE: dict[str, VocalBalance] = {
    "pop": VocalBalance(8.0, 8.0, 2.5, 3.0, 0.9, 0.1),
    "rock": VocalBalance(9.0, 9.0, 3.5, 3.5, 0.8, 0.06),
    "metal": VocalBalance(7.0, 10.0, 4.0, 4.0, 0.7, 0.04),
    "edm": VocalBalance(7.5, 9.0, 3.0, 3.5, 0.9, 0.06),
    "hiphop": VocalBalance(8.5, 8.0, 3.0, 3.5, 0.7, 0.08),
    "jazz": VocalBalance(8.0, 6.0, 2.0, 2.5, 1.0, 0.12),
    "ballad": VocalBalance(8.5, 6.0, 2.0, 2.5, 1.0, 0.14),
    "ambient": VocalBalance(8.0, 6.0, 2.0, 2.5, 1.0, 0.12),
    "orchestral": VocalBalance(8.0, 7.0, 2.5, 3.0, 0.9, 0.1),
    "folk": VocalBalance(8.0, 6.5, 2.0, 2.5, 0.9, 0.12),
    "reggae": VocalBalance(8.0, 7.0, 2.5, 3.0, 0.8, 0.08),
    "latin": VocalBalance(8.0, 7.0, 2.5, 3.0, 0.9, 0.1),
}


def vocal_balance(style: dict[str, Any] | None) -> VocalBalance:
    """The balance of the style's family (pop when unknown)."""
    family = (style or {}).get("family") or ""
    return VOCAL_BALANCE.get(family, VOCAL_BALANCE["pop"])


def vocal_chain(mix: Mix, bpm: float, rasp: float, balance: VocalBalance | None = None) -> pedalboard.Pedalboard:
    """Vocal stem: high-pass, optional grit, presence, a levelling compressor, the room and an echo.

    The room is mono (width 0) so that the lead stays in the centre and only the
    harmony voice, panned off-centre, makes the two channels differ. It is fed
    40 ms late (a pre-delay) and without the lows, and the echo is quieter than the
    voice by 12 dB or more, so consonants are heard before the tail blurs them.
    """
    bal = balance or VocalBalance()
    chain: list[pedalboard.Plugin] = [pedalboard.HighpassFilter(cutoff_frequency_hz=100.0)]
    if rasp > 0.05:
        chain += [pedalboard.Distortion(drive_db=6.0 + 14.0 * min(rasp, 1.0)),
                  pedalboard.Gain(gain_db=-(4.0 + 10.0 * min(rasp, 1.0)))]
    if bal.presence_db > 0.1:
        chain.append(pedalboard.PeakFilter(cutoff_frequency_hz=3000.0, gain_db=bal.presence_db, q=0.8))
    chain.append(pedalboard.Compressor(threshold_db=-22.0, ratio=bal.ratio, attack_ms=5.0, release_ms=80.0))
    wet = (0.06 + 0.18 * mix.reverb) * bal.space
    room = [pedalboard.Delay(delay_seconds=0.04, feedback=0.0, mix=1.0),
            pedalboard.HighpassFilter(cutoff_frequency_hz=250.0),
            pedalboard.Reverb(room_size=0.25 + 0.5 * mix.reverb, damping=0.6, wet_level=wet, dry_level=0.0,
                              width=0.0)]
    chain.append(pedalboard.Mix([pedalboard.Pedalboard([pedalboard.Gain(gain_db=0.0)]), pedalboard.Pedalboard(room)]))
    if mix.delay > 0.02:
        chain.append(pedalboard.Delay(delay_seconds=0.75 * 60.0 / bpm, feedback=0.25,
                                      mix=(0.06 + 0.14 * mix.delay) * bal.space))
    return pedalboard.Pedalboard(chain)
