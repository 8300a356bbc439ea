"""Prompt reading, lyrics, form shaping and the master chain, without rendering songs."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from openproducer.audio.master import master, true_peak
from openproducer.engines.composer.form import bar_seconds, plan_form
from openproducer.engines.composer.lyrics import parse_lyrics, syllables
from openproducer.engines.composer.prompt import parse_key, read_prompt
from openproducer.engines.composer.seeds import rng_for

CEILING = 10 ** (-1 / 20)


@pytest.mark.parametrize(("text", "key"), [
    ("dark techno in D minor", (2, "minor")), ("ballad in Bb major", (10, "major")),
    ("song in the key of F#", (6, None)), ("no key here", None), ("C# minor groove", (1, "minor")),
])
def test_parse_key(text: str, key) -> None:
    assert parse_key(text) == key


def test_prompt_reads_genre_tempo_and_instruments() -> None:
    style = read_prompt("Energetic rock anthem with distorted electric guitars at 140 bpm", rng=rng_for(1))
    assert style.genre == "rock" and style.bpm == 140.0
    assert style.instruments["comp"] in (29, 30)
    calm = read_prompt("calm ambient meditation with soft piano", rng=rng_for(1))
    assert calm.genre == "ambient" and calm.bpm < 95 and calm.energy < 0.4
    assert read_prompt("", rng=rng_for(1)).genre == "pop"


def test_request_bpm_wins() -> None:
    assert read_prompt("house 128 bpm", bpm=100, rng=rng_for(2)).bpm == 100.0


def test_syllables_and_lyric_sections() -> None:
    assert syllables("walking") == ["wal", "king"] and syllables("night") == ["night"]
    secs = parse_lyrics("[Intro]\n[Verse 1]\nHello there world\n\n[Chorus]\nSing it loud\n[Outro]")
    assert [s.kind for s in secs] == ["intro", "verse", "chorus", "outro"]
    assert secs[1].lines == [["Hello", "there", "world"]]
    plain = parse_lyrics("one two\nthree\n\nla la la\n\nfour five\n\nla la la")
    assert [s.kind for s in plain] == ["verse", "chorus", "verse", "chorus"]


@pytest.mark.parametrize(("bpm", "length"), [(120, 30), (87, 47), (150, 180), (61, 20)])
def test_instrumental_form_fills_length_in_whole_bars(bpm: float, length: float) -> None:
    plan, duration = plan_form(None, bpm, length)
    bars = sum(s.bars for s in plan)
    assert duration == length
    assert 0.5 <= length - bars * bar_seconds(bpm) <= bar_seconds(bpm) + 1.7
    assert plan[0].kind == "intro" and plan[-1].kind == "outro"


def test_lyric_form_grows_with_instrumental_bars() -> None:
    lyrics = parse_lyrics("[Verse]\nA short line here\nAnother one\n[Chorus]\nSing it now")
    plan, natural = plan_form(lyrics, 100, None)
    longer, duration = plan_form(lyrics, 100, natural + 30)
    assert duration == pytest.approx(natural + 30) and len(longer) > len(plan)
    assert [s.lines for s in longer if s.lines] == [s.lines for s in plan if s.lines]


def test_master_hits_loudness_and_true_peak() -> None:
    sr = 44100
    rng = np.random.default_rng(0)
    t = np.arange(sr * 10) / sr
    x = 0.05 * np.sin(2 * np.pi * 110 * t) + 0.02 * rng.standard_normal(len(t))
    x[:: sr // 4] += 0.9  # sharp transients force the limiter to work
    audio = np.stack([x, x * 0.8], axis=1).astype(np.float32)
    out, info = master(audio, sr)
    lufs = pyloudnorm.Meter(sr).integrated_loudness(out)
    assert abs(lufs + 14.0) <= 0.5
    assert float(np.max(np.abs(out))) <= CEILING + 1e-6 and true_peak(out) <= CEILING * 1.01
    assert info["limited"] is True
    raw, raw_info = master(audio, sr, mastered=False)
    assert raw_info["mastered"] is False and np.max(np.abs(raw)) <= CEILING


def test_true_peak_sees_intersample_peaks() -> None:
    sr = 44100
    n = np.arange(4410)
    x = np.sin(2 * np.pi * (sr / 4) * n / sr + np.pi / 4).astype(np.float32)  # samples at 0.707, peak 1.0
    audio = np.stack([x, x], axis=1)
    assert float(np.max(np.abs(audio))) == pytest.approx(0.7071, abs=1e-3)
    assert true_peak(audio) == pytest.approx(1.0, abs=0.02)
