"""Prompt reading shared by the neural engines (no torch needed)."""

from __future__ import annotations

import numpy as np
import pytest

from openproducer.audio.shape import fit_length
from openproducer.engines.base import EngineRequest, Operation
from openproducer.engines.neural.ace_step import DEFAULT_TRACKS, tracks_for
from openproducer.engines.neural.common import default_length, parse_bpm, parse_key, resample


@pytest.mark.parametrize(("text", "bpm"), [("house, 124 bpm", 124.0), ("97.5 BPM funk", 97.5), ("no tempo", None),
                                          ("1000 bpm", None), ("at 90 beats per minute", 90.0)])
def test_parse_bpm(text: str, bpm: float | None) -> None:
    assert parse_bpm(text) == bpm


@pytest.mark.parametrize(("text", "key"), [("in F# minor", "F# minor"), ("Bb major ballad", "Bb major"),
                                          ("c min", "C minor"), ("E-flat major", "Eb major"), ("no key", None)])
def test_parse_key(text: str, key: str | None) -> None:
    assert parse_key(text) == key


def test_tracks_named_in_the_sound() -> None:
    assert tracks_for("string quartet with cello and piano") == ("keyboard", "strings")
    assert tracks_for("something vague") == DEFAULT_TRACKS


def test_default_length_follows_the_lyrics() -> None:
    assert default_length(EngineRequest(Operation.CREATE), singing=False) == 30.0
    many = "\n".join(["[verse]"] + ["a line"] * 40)
    assert default_length(EngineRequest(Operation.CREATE, lyrics=many), singing=True) == 172.0


def test_resample_and_fit_length() -> None:
    x = np.ones((48000, 2), dtype=np.float32)
    y = resample(x, 48000, 44100)
    assert y.shape == (44100, 2) and y.dtype == np.float32
    z = fit_length(y, 44200)
    assert z.shape == (44200, 2) and not np.any(z[44100:])
    assert fit_length(y, 10) is not y and np.shares_memory(fit_length(y, 10), y) is False
