"""create: tempo, length, key, loudness, determinism, stems and lyric timing, measured on the audio."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from openproducer.engines.base import Operation
from openproducer.engines.composer import ComposerEngine

from .conftest import LYRICS, correlation, key_of, make, mono, rms, tempo_of

CEILING = 10 ** (-1 / 20)


@pytest.fixture(scope="module")
def pop30(engine: ComposerEngine):
    return make(engine, sound="energetic pop rock with drums and bass, 120 bpm in D major",
                make_instrumental=True, seed=3, length=30)


def test_capabilities(engine: ComposerEngine) -> None:
    assert engine.name == "composer"
    assert engine.capabilities == frozenset(Operation)


def test_tempo_duration_and_stems(pop30) -> None:
    sr = pop30.sample_rate
    assert pop30.mix.dtype == np.float32 and pop30.mix.shape[1] == 2
    assert abs(len(pop30.mix) / sr - 30.0) < 1.0
    assert abs(tempo_of(pop30.mix, sr, 120.0) - 120.0) / 120.0 < 0.02
    assert set(pop30.stems) == {"instrumental"}
    assert pop30.meta.has_vocals is False and pop30.meta.vocal_kind is None
    assert pop30.meta.bpm == 120.0 and pop30.meta.key == "D major"


def test_key_is_detected(pop30) -> None:
    assert key_of(pop30.mix, pop30.sample_rate) == "D major"


@pytest.mark.parametrize(("sound", "bpm", "key"), [
    ("deep house in F# minor", 124.0, "F# minor"), ("boom bap in A minor", 90.0, "A minor"),
    ("a waltz in F major", 96.0, "F major"), ("punk rock in E major", 176.0, "E major"),
    ("reggae in C major", 76.0, "C major"),
])
def test_tempo_and_key_across_genres(engine: ComposerEngine, sound: str, bpm: float, key: str) -> None:
    res = make(engine, sound=sound, bpm=bpm, make_instrumental=True, seed=5, length=14)
    assert res.meta.key == key and res.meta.bpm == bpm
    measured = tempo_of(res.mix, res.sample_rate, bpm)
    assert abs(measured - bpm) / bpm < 0.02, measured
    assert key_of(res.mix, res.sample_rate) == key


def test_choruses_are_louder_than_verses(sung_parent) -> None:
    sr = sung_parent.sample_rate
    level = {s.name: rms(sung_parent.mix, sr, s.start, s.end) for s in sung_parent.meta.sections}
    assert level["chorus"] > level["verse 1"] * 1.1


def test_harmony_is_its_own_part_of_the_vocals(sung_parent) -> None:
    """The lead is centred; the chorus harmony is panned, so only choruses have a side signal."""
    sr = sung_parent.sample_rate
    vocals = sung_parent.stems["vocals"]
    side = vocals[:, 0] - vocals[:, 1]
    secs = {s.name: s for s in sung_parent.meta.sections}
    chorus, verse = secs["chorus"], secs["verse 1"]
    assert rms(side[:, None], sr, chorus.start, chorus.end) > 0.2 * rms(vocals, sr, chorus.start, chorus.end)
    assert rms(side[:, None], sr, verse.start, verse.end) < 1e-3 * rms(vocals, sr, verse.start, verse.end)


def test_weirdness_changes_the_audio(engine: ComposerEngine) -> None:
    calm = make(engine, sound="funk in A minor", make_instrumental=True, seed=8, length=12, weirdness=0.0)
    wild = make(engine, sound="funk in A minor", make_instrumental=True, seed=8, length=12, weirdness=1.0)
    sr = calm.sample_rate
    assert calm.meta.bpm == wild.meta.bpm
    assert correlation(mono(calm.mix, sr), mono(wild.mix, sr)) < 0.8


def test_loudness_and_peak(pop30, sung_parent) -> None:
    for res in (pop30, sung_parent):
        lufs = pyloudnorm.Meter(res.sample_rate).integrated_loudness(res.mix)
        assert abs(lufs + 14.0) <= 1.0
        assert float(np.max(np.abs(res.mix))) <= CEILING + 1e-6


def test_ending_decays(pop30) -> None:
    sr = pop30.sample_rate
    rms = [float(np.sqrt(np.mean(pop30.mix[int(t * sr): int((t + 0.25) * sr)] ** 2))) for t in (27.0, 29.7)]
    assert rms[0] > 0.01, "the final chord should still sound near the end"
    assert rms[1] < rms[0] * 0.5, "the song should decay, not stop at full level"


def test_same_seed_same_audio_other_seed_differs(engine: ComposerEngine, pop30) -> None:
    again = make(engine, sound="energetic pop rock with drums and bass, 120 bpm in D major",
                 make_instrumental=True, seed=3, length=30)
    assert np.array_equal(again.mix, pop30.mix)
    other = make(engine, sound="energetic pop rock with drums and bass, 120 bpm in D major",
                 make_instrumental=True, seed=4, length=30)
    assert not np.array_equal(other.mix, pop30.mix)


def test_lyrics_timing_covers_every_word(sung_parent) -> None:
    words = [w.strip(",.") for line in LYRICS.splitlines() if line and not line.startswith("[")
             for w in line.split()]
    timing = sung_parent.meta.lyrics_timing
    assert [w.word for w in timing] == words
    starts = [w.start for w in timing]
    assert starts == sorted(starts) and all(w.end > w.start for w in timing)
    assert timing[-1].end < sung_parent.meta.duration
    assert sung_parent.meta.has_vocals and sung_parent.meta.vocal_kind == "sung"
    assert any("synthesised" in n for n in sung_parent.meta.notes)
    vocals = sung_parent.stems["vocals"]
    assert float(np.sqrt(np.mean(vocals**2))) > 1e-3
    names = [s.name for s in sung_parent.meta.sections]
    assert "verse 1" in names and "chorus" in names


def test_lead_sounds_where_words_are_sung(sung_parent) -> None:
    sr = sung_parent.sample_rate
    vocals = sung_parent.stems["vocals"]
    w = sung_parent.meta.lyrics_timing[0]
    during = vocals[int(w.start * sr): int(w.end * sr)]
    before = vocals[: int(max(0.0, w.start - 1.0) * sr)]
    assert np.sqrt(np.mean(during**2)) > 5 * np.sqrt(np.mean(before**2) + 1e-12)


@pytest.mark.parametrize("profile", ["basic", "standard"])
def test_profiles_and_raw(engine: ComposerEngine, profile: str) -> None:
    full = make(engine, sound="chill lofi hip hop", make_instrumental=True, seed=5, length=12)
    res = make(engine, sound="chill lofi hip hop", make_instrumental=True, seed=5, length=12, profile=profile,
               mastered=False)
    assert len(res.score["tracks"]) < len(full.score["tracks"]) or profile == "standard"
    peak = float(np.max(np.abs(res.mix)))
    assert CEILING * 0.97 < peak <= CEILING + 1e-6


def test_unknown_words_and_empty_prompt(engine: ComposerEngine) -> None:
    res = make(engine, sound="zxqv flibbertigibbet", seed=1, length=10, make_instrumental=True)
    assert abs(res.meta.duration - 10.0) < 1.0 and np.isfinite(res.mix).all()
