"""Seeded random generators: every random choice derives from the request seed."""

from __future__ import annotations

import zlib

import numpy as np


def rng_for(seed: int, *salt: str | int) -> np.random.Generator:
    """A generator for (seed, salt...) -- e.g. ``rng_for(7, "create", "melody")``."""
    words = [abs(int(seed)) & 0xFFFFFFFFFFFF]
    for s in salt:
        words.append(zlib.crc32(s.encode()) if isinstance(s, str) else abs(int(s)) & 0xFFFFFFFF)
    return np.random.default_rng(np.random.SeedSequence(words))
