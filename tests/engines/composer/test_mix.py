"""The mix serves the voice: its level over the band, the band making room, sparse verses, parts stepping aside."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import butter, sosfiltfilt, tf2sos

from openproducer.engines.composer import engine as engine_module
from openproducer.engines.composer.density import FULL, sung_windows
from openproducer.engines.composer.mixing import vocal_balance
from openproducer.engines.composer.singer import espeak_available

from .conftest import LYRICS, make
from .test_score import score_for

sung = pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")


def k_weighted_db(x: np.ndarray, sr: int, spans: list[tuple[float, float]]) -> float:
    """K-weighted (BS.1770) mean power in dB of mono ``x`` over ``spans`` (seconds)."""
    meter = pyloudnorm.Meter(sr)
    sos = np.concatenate([tf2sos(f.b, f.a) for f in meter._filters.values()])
    from scipy.signal import sosfilt

    y = sosfilt(sos, x.astype(np.float64)) ** 2
    mask = np.zeros(len(y), dtype=bool)
    for a, b in spans:
        mask[int(a * sr): int(b * sr)] = True
    return 10 * np.log10(np.mean(y[mask]) + 1e-20)


@sung
@pytest.mark.parametrize("sound", ["heartfelt piano ballad, female vocals",
                                   "hard rock with distorted guitars, male vocals", "deep house with female vocals"])
def test_vocal_sits_in_its_genre_range_during_sung_words(engine, sound: str) -> None:
    res = make(engine, sound=sound, lyrics=LYRICS, seed=5)
    sr = res.sample_rate
    words = [(w.start, w.end) for w in res.meta.lyrics_timing]
    voice = k_weighted_db(res.stems["vocals"].mean(axis=1), sr, words)
    band = k_weighted_db(res.stems["instrumental"].mean(axis=1), sr, words)
    lo, hi = vocal_balance(res.score["style"]).target_range
    assert lo <= voice - band <= hi, (res.meta.extra["genre"], voice - band, (lo, hi))


def band_db(x: np.ndarray, sr: int, low: float, high: float, hop: float = 0.05) -> np.ndarray:
    """Level in dB per ``hop`` seconds of mono ``x`` filtered to ``low``..``high`` Hz."""
    sos = butter(4, (low, high), btype="bandpass", fs=sr, output="sos") if low > 0 else \
        butter(4, high, btype="lowpass", fs=sr, output="sos")
    y = sosfiltfilt(sos, x.astype(np.float64))
    n = int(hop * sr)
    frames = len(y) // n
    return 10 * np.log10(np.mean(y[: frames * n].reshape(frames, n) ** 2, axis=1) + 1e-20)


@sung
def test_backing_makes_room_in_the_vocal_band_while_words_are_sung(engine, monkeypatch) -> None:
    request = {"sound": "upbeat pop song with piano and drums, 112 bpm in G major", "lyrics": LYRICS, "seed": 11}
    carved = make(engine, **request)
    monkeypatch.setattr(engine_module, "carve", lambda backing, *args, **kwargs: backing)
    plain = make(engine, **request)
    sr = carved.sample_rate
    a, b = carved.stems["instrumental"].mean(axis=1), plain.stems["instrumental"].mean(axis=1)
    drop = band_db(a, sr, 1000.0, 4000.0) - band_db(b, sr, 1000.0, 4000.0)
    air = band_db(a, sr, 6000.0, 12000.0) - band_db(b, sr, 6000.0, 12000.0)
    lows = band_db(a, sr, 0.0, 200.0) - band_db(b, sr, 0.0, 200.0)
    t = (np.arange(len(drop)) + 0.5) * 0.05
    words = carved.meta.lyrics_timing
    during = np.zeros(len(t), dtype=bool)
    for w in words:
        during |= (t >= w.start + 0.1) & (t < w.end - 0.05)
    after = t > words[-1].end + 1.0  # the voice has stopped: the band is whole again
    before = t < words[0].start - 0.5
    assert during.sum() > 100 and after.sum() > 20 and before.sum() > 20
    assert np.median(drop[during]) < -2.5, "the backing's vocal band dips while words are sung"
    assert np.median(drop[after]) > -0.3 and np.median(drop[before]) > -0.3, "and comes back when the voice rests"
    assert -np.median(drop[during]) > -np.median(air[during]) > 2.5, "the air dips too, less than the band"
    assert np.median(air[after]) > -0.3 and np.median(air[before]) > -0.3, "and comes back"
    assert np.median(lows[during]) > -0.5, "the lows are not cut: no blanket volume drop"


def test_the_carve_never_boosts() -> None:
    from scipy.signal import sosfreqz

    from openproducer.engines.composer.balance import carve_filter

    f, h = sosfreqz(carve_filter(44100.0), worN=8192, fs=44100.0)
    for k in (0.2, 0.6, 0.75):  # the fraction taken away: 2 to 12 dB
        gain = 20 * np.log10(np.abs(1.0 - k * h))
        assert gain.max() < 0.01
        assert gain[np.argmin(np.abs(f - 100.0))] > -0.2, "the lows stay"
        assert gain[np.argmin(np.abs(f - 1800.0))] < 20 * np.log10(1 - k) + 1.0, "the band's full cut"
        full = 20 * np.log10(1 - k)
        assert 0.9 * full < gain[np.argmin(np.abs(f - 9000.0))] < 0.6 * full, "the air's share of the cut"


def parts_and_onsets(score: dict, kind: str) -> tuple[int, float]:
    """Sounding parts (tracks with notes) and accompaniment onsets per beat in the first section of ``kind``."""
    sec = next(s for s in score["sections"] if s["kind"] == kind)
    bpb = score["beats_per_bar"]
    a, b = sec["start_bar"] * bpb, sec["end_bar"] * bpb
    parts, onsets = 0, 0
    for t in score["tracks"]:
        starts = {round(n[0], 3) for n in t["notes"] if a <= n[0] < b}
        parts += bool(starts)
        onsets += len(starts)
    return parts, onsets / (b - a)


def test_a_ballad_verse_is_sparse_and_its_chorus_lifts() -> None:
    ballad = score_for("heartfelt ballad with piano", lyrics=LYRICS, seed=3)
    rock = score_for("energetic rock anthem with driving drums", lyrics=LYRICS, seed=3)
    ballad_verse, rock_verse = parts_and_onsets(ballad, "verse"), parts_and_onsets(rock, "verse")
    assert ballad_verse[0] <= 3 and ballad_verse[0] < rock_verse[0], (ballad_verse, rock_verse)
    assert ballad_verse[1] < 0.25 * rock_verse[1], (ballad_verse, rock_verse)
    chorus = parts_and_onsets(ballad, "chorus")
    assert chorus[0] > ballad_verse[0] and chorus[1] > ballad_verse[1], "the chorus lifts"
    verse = next(s for s in ballad["sections"] if s["kind"] == "verse")
    drums = next(t for t in ballad["tracks"] if t["name"] == "drums")["notes"]
    assert not [n for n in drums if verse["start_bar"] * 4 <= n[0] < verse["end_bar"] * 4], "no drums in the verse"


def test_older_profiles_keep_their_arrangement() -> None:
    """Only the full profile is shaped by section density: a standard ballad keeps its verse drums."""
    score = score_for("heartfelt ballad with piano", lyrics=LYRICS, seed=3, profile="standard")
    verse = next(s for s in score["sections"] if s["kind"] == "verse")
    drums = next(t for t in score["tracks"] if t["name"] == "drums")["notes"]
    assert [n for n in drums if verse["start_bar"] * 4 <= n[0] < verse["end_bar"] * 4]
    from openproducer.engines.composer.density import section_density

    assert all(section_density("ballad", k, p) == FULL for k in ("verse", "intro") for p in ("standard", "basic"))


def test_parts_in_the_vocal_range_step_aside_while_it_sings() -> None:
    score = score_for("pop song with piano, strings and bells", lyrics=LYRICS, seed=4)
    mel = score["melody"]
    sung_pitches = [n[2] for n in mel["notes"] if n[4]]
    lo, hi = min(sung_pitches) - 2, max(sung_pitches) + 2
    windows = sung_windows(mel)

    def inside(n: list) -> bool:
        return lo <= n[2] <= hi and any(n[0] < b and n[0] + n[1] > a for a, b in windows)

    tracks = {t["name"]: t["notes"] for t in score["tracks"]}
    assert not [n for n in tracks.get("extra", []) if inside(n)], "the colour line rests in the voice's range"
    pads = [n for n in tracks.get("pad", []) if inside(n)]
    assert all(n[2] - 12 < 50 for n in pads), "pad notes in the voice's range moved below it"
    comp_in = [n[3] for n in tracks["comp"] if inside(n)]
    comp_out = [n[3] for n in tracks["comp"] if not inside(n) and lo <= n[2] <= hi]
    assert comp_in and comp_out and np.mean(comp_in) < 0.85 * np.mean(comp_out), "comping in the range plays softer"
