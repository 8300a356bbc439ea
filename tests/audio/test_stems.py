"""Carrying a mix's processing onto its parts: the parts sum to the mix, a silent part stays silent."""

from __future__ import annotations

import numpy as np
import pedalboard

from openproducer.audio.master import master, master_filters
from openproducer.audio.stems import carry_processing, level_below

SR = 44100


def _parts(seconds: float = 6.0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    t = np.arange(int(seconds * SR)) / SR
    beat = (np.sin(2 * np.pi * 55 * t) * np.exp(-(t % 0.5) * 12)).astype(np.float32)
    chord = sum(np.sin(2 * np.pi * f * t) for f in (261.6, 329.6, 392.0)).astype(np.float32) * 0.15
    voice = (np.sin(2 * np.pi * 440 * t + 3 * np.sin(2 * np.pi * 5 * t)) * 0.4).astype(np.float32)
    voice[(t % 2.0) > 1.2] = 0.0  # lines with rests between them
    hiss = (rng.standard_normal(len(t)) * 0.01).astype(np.float32)
    return {name: np.stack([x, 0.8 * x], axis=1) for name, x in
            (("drums", beat), ("keys", chord + hiss), ("vocals", voice))}


def _filtered(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(pedalboard.Pedalboard(master_filters())(np.ascontiguousarray(x.T), SR).T)


def test_parts_carried_through_the_master_sum_to_it_and_the_model_explains_it():
    parts = _parts()
    mix, _ = master(sum(parts.values()), SR)
    carried = carry_processing(parts, mix, linear=_filtered, quiet=("vocals",))
    total = sum(carried.parts.values())
    assert level_below(mix, mix - total) > 100  # exact, to float rounding
    assert carried.residual_db >= 30, carried.residual_db  # the filter and the moving gain explain the master
    phase = np.arange(len(mix)) / SR % 2.0
    rest = (phase > 1.45) & (phase < 1.95)  # between lines (a short-time frame reaches 23 ms ahead)
    assert np.max(np.abs(carried.parts["vocals"][rest])) < 1e-4
    for name, part in parts.items():  # each stem is its part, louder or softer, not another part
        ref = _filtered(part)
        corr = np.corrcoef(ref[:, 0], carried.parts[name][:, 0])[0, 1]
        assert corr > 0.98, (name, corr)


def test_a_nonlinear_mix_is_still_summed_exactly_and_the_residual_says_how_much_was_shared():
    parts = _parts()
    driven = np.tanh(3.0 * sum(parts.values())).astype(np.float32)  # saturation is no gain
    carried = carry_processing(parts, driven)
    assert level_below(driven, driven - sum(carried.parts.values())) > 100
    assert carried.residual_db < 30
