"""Work split by channel onto two threads: the same samples as the work done whole, in order."""

from __future__ import annotations

import threading

import numpy as np
import pedalboard

from openproducer.audio.channels import PARALLEL_FROM_SAMPLES, each
from openproducer.audio.master import apply_in_place, apply_per_channel, master_filters

SR = 44100


def test_long_work_runs_on_the_two_threads_and_comes_back_in_order() -> None:
    names = each(lambda i: (i, threading.current_thread().name), [0, 1, 2, 3], PARALLEL_FROM_SAMPLES)
    assert [i for i, _ in names] == [0, 1, 2, 3]
    assert all(name.startswith("channel") for _, name in names)
    short = each(lambda i: threading.current_thread().name, [0, 1], PARALLEL_FROM_SAMPLES - 1)
    assert short == [threading.current_thread().name] * 2


def test_a_chain_per_channel_gives_the_stereo_chains_samples() -> None:
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((2, 12 * SR)) * np.linspace(0.01, 0.5, 12 * SR)).astype(np.float32)
    x[1] *= 0.5  # channels that differ, so a linked compressor would show

    def chain() -> pedalboard.Pedalboard:
        return pedalboard.Pedalboard([
            pedalboard.Distortion(drive_db=8.0), pedalboard.Bitcrush(bit_depth=12.0), *master_filters(),
            pedalboard.Compressor(threshold_db=-20.0, ratio=3.0, attack_ms=10.0, release_ms=100.0),
            pedalboard.Delay(delay_seconds=0.3, feedback=0.3, mix=0.2),
        ])

    whole = apply_in_place(chain(), x.copy(), SR)
    apart = apply_per_channel(chain, x.copy(), SR)
    assert np.array_equal(whole, apart)
    assert not np.array_equal(whole, x)
