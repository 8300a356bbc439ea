"""Splicing edits onto a parent: untouched samples bit-identical, joins without clicks."""

from __future__ import annotations

import numpy as np
import pytest

from openproducer.audio.splice import fade_curves, keep_outside, max_jump, max_jump_near

SR = 44100


def _sine(freq: float, seconds: float, phase: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    mono = 0.5 * np.sin(2 * np.pi * freq * t + phase)
    return np.stack([mono, mono * 0.9], axis=1).astype(np.float32)


def _jump_elsewhere(audio: np.ndarray, joins: list[float], guard_s: float = 0.02) -> float:
    keep = np.ones(len(audio), dtype=bool)
    for j in joins:
        keep[max(0, int((j - guard_s) * SR)) : int((j + guard_s) * SR)] = False
    # Jumps between consecutive kept samples only.
    diffs = np.abs(np.diff(audio, axis=0)).max(axis=1)
    return float(diffs[keep[1:] & keep[:-1]].max())


PARENT = _sine(220.0, 10.0)
NEW_EXTEND = _sine(330.0, 14.0, phase=1.3)


def test_extend_keeps_parent_bits_and_takes_new_length() -> None:
    start = 4.1234
    out = keep_outside(PARENT, NEW_EXTEND, SR, start)
    s = round(start * SR)
    assert out.shape == NEW_EXTEND.shape and out.dtype == np.float32
    assert np.array_equal(out[:s], PARENT[:s])
    fade = round(0.01 * SR)
    assert np.array_equal(out[s + fade :], NEW_EXTEND[s + fade :])


def test_replace_keeps_parent_bits_outside_the_window() -> None:
    new = _sine(330.0, 10.0, phase=0.4)
    start, end = 3.0007, 6.5
    out = keep_outside(PARENT, new, SR, start, end)
    s, e = round(start * SR), round(end * SR)
    assert out.shape == PARENT.shape
    assert np.array_equal(out[:s], PARENT[:s])
    assert np.array_equal(out[e:], PARENT[e:])
    fade = round(0.01 * SR)
    assert np.array_equal(out[s + fade : e - fade], new[s + fade : e - fade])


@pytest.mark.parametrize("start", [1.0, 2.3457, 4.1234, 5.00001, 7.77])
def test_no_click_at_the_joins(start: float) -> None:
    replaced = keep_outside(PARENT, _sine(330.0, 10.0, phase=2.1), SR, start, start + 1.5)
    extended = keep_outside(PARENT, NEW_EXTEND, SR, start)
    for out, joins in ((replaced, [start, start + 1.5]), (extended, [start])):
        elsewhere = _jump_elsewhere(out, joins)
        for j in joins:
            # Crossfaded joins step no more than the signals do elsewhere (within the ramp's own 5%).
            assert max_jump_near(out, j, SR, 0.01) <= 1.06 * elsewhere
    # The detector works: a hard cut is a click many times larger.
    hard = keep_outside(PARENT, NEW_EXTEND, SR, start, fade_s=0.0)
    assert max_jump_near(hard, start, SR, 0.01) > 5 * _jump_elsewhere(hard, [start])


def test_short_new_audio_is_padded_and_short_windows_still_fade() -> None:
    out = keep_outside(PARENT, _sine(330.0, 5.0), SR, 4.0, 8.0)
    assert out.shape == PARENT.shape
    assert np.all(out[round(5.0 * SR) : round(7.99 * SR)] == 0.0)
    assert np.array_equal(out[round(8.0 * SR) :], PARENT[round(8.0 * SR) :])
    tiny = keep_outside(PARENT, _sine(330.0, 10.0), SR, 4.0, 4.004)  # 4 ms < two 10 ms fades
    s, e = round(4.0 * SR), round(4.004 * SR)
    assert np.array_equal(tiny[:s], PARENT[:s]) and np.array_equal(tiny[e:], PARENT[e:])


def test_extend_past_the_parent_end_and_bad_windows() -> None:
    out = keep_outside(PARENT, NEW_EXTEND, SR, 12.0)  # clamps to the parent's end
    assert np.array_equal(out[: len(PARENT)], PARENT)
    assert np.array_equal(out[len(PARENT) :], NEW_EXTEND[len(PARENT) :])
    with pytest.raises(ValueError):
        keep_outside(PARENT, _sine(330.0, 2.0), SR, 4.0)  # new shorter than the start
    with pytest.raises(ValueError):
        keep_outside(PARENT, PARENT, SR, 5.0, 4.0)


def test_fade_curves() -> None:
    out, inn = fade_curves(100)
    assert np.allclose(out + inn, 1.0) and np.all(np.diff(inn[:, 0]) > 0)
    out, inn = fade_curves(100, "equal_power")
    assert np.allclose(out**2 + inn**2, 1.0, atol=1e-6)
    assert max_jump(np.zeros((1, 2))) == 0.0
