"""A new master of finished music: the same notes and timing, a different sound.

Each variant draws a tonal balance (low, presence and air shelves), a compression and a stereo
width from its seed; ``category`` scales how far they move (subtle, normal, high). The result
then goes through the project's master (−14 LUFS, true peak ≤ −1 dBFS).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pedalboard

from openproducer.audio.master import apply_in_place, master_planar
from openproducer.audio.shape import interleaved
from openproducer.audio.shape import planar as as_planar  # (`planar` names the working array below)

__all__ = ["AMOUNTS", "remaster"]

AMOUNTS = {"subtle": 0.35, "normal": 0.7, "high": 1.0}


def _settings(category: str, seed: int) -> dict[str, float]:
    amount = AMOUNTS.get(category, AMOUNTS["normal"])
    rng = np.random.default_rng([seed & 0xFFFFFFFF, 0x5EA5])
    sign = lambda: float(rng.choice((-1.0, 1.0)))  # noqa: E731 - each band leans one way or the other
    return {
        "low_db": sign() * amount * float(rng.uniform(1.5, 4.0)),
        "presence_db": sign() * amount * float(rng.uniform(1.0, 3.0)),
        "air_db": sign() * amount * float(rng.uniform(1.5, 4.5)),
        "ratio": 1.0 + amount * float(rng.uniform(0.5, 2.5)),
        "width": 1.0 + sign() * amount * float(rng.uniform(0.1, 0.3)),
    }


def remaster(audio: np.ndarray, sr: int, category: str, seed: int) -> tuple[np.ndarray, dict[str, Any]]:
    """(samples, 2) float32 -> the remastered (samples, 2) and what was done."""
    chosen = _settings(category, seed)
    planar = as_planar(audio)
    board = pedalboard.Pedalboard([
        pedalboard.LowShelfFilter(cutoff_frequency_hz=150.0, gain_db=chosen["low_db"]),
        pedalboard.PeakFilter(cutoff_frequency_hz=3000.0, gain_db=chosen["presence_db"], q=0.8),
        pedalboard.HighShelfFilter(cutoff_frequency_hz=9000.0, gain_db=chosen["air_db"]),
        pedalboard.Compressor(threshold_db=-20.0, ratio=chosen["ratio"], attack_ms=10.0, release_ms=120.0),
    ])
    planar = apply_in_place(board, planar, sr)
    mid, side = (planar[0] + planar[1]) * 0.5, (planar[0] - planar[1]) * 0.5 * chosen["width"]
    planar = np.stack([mid + side, mid - side]).astype(np.float32)
    mastered, info = master_planar(planar, sr)
    return interleaved(mastered), {**{k: round(v, 3) for k, v in chosen.items()}, **info, "category": category}
