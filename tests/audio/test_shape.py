"""The shape helpers: planar <-> interleaved copies equal to the transposes, never views."""

from __future__ import annotations

import numpy as np
import pytest

from openproducer.audio.shape import interleaved, planar


@pytest.mark.parametrize("channels", [1, 2, 3])
def test_interleaved_and_planar_are_the_transposes_as_new_contiguous_float32(channels: int) -> None:
    x = np.random.default_rng(channels).standard_normal((channels, 1000)).astype(np.float32)
    frames = interleaved(x)
    assert frames.shape == (1000, channels) and frames.dtype == np.float32 and frames.flags.c_contiguous
    assert np.array_equal(frames, x.T)
    back = planar(frames)
    assert back.flags.c_contiguous and np.array_equal(back, x)
    frames[0, 0] = 99.0
    assert x[0, 0] != 99.0 and back[0, 0] != 99.0  # copies, not views


def test_planar_of_a_one_dimensional_signal_and_of_float64() -> None:
    mono = np.linspace(-1, 1, 10)
    assert planar(mono).shape == (1, 10) and planar(mono).dtype == np.float32
    assert np.allclose(planar(np.stack([mono, -mono], axis=1)), [mono, -mono])
