"""FluidSynth rendering: a stem cut in two in time, the parts' costs, the synth stopping after its tails."""

from __future__ import annotations

import numpy as np
import pytest

from openproducer.engines.composer import render
from openproducer.engines.composer.render import SoundfontHandle, render_parts, render_tracks, split_sample

SR = 44100
SPB = 0.5  # 120 BPM


def _tracks(beats: int = 32) -> list[dict]:
    """Drums on every beat, a bass on every other, a long string chord every four bars."""
    drums = {"channel": 9, "bank": 128, "program": 0, "notes": [[b, 0.25, 36 if b % 2 == 0 else 38, 100, "", -1]
                                                             for b in range(beats)]}
    bass = {"channel": 1, "program": 33, "notes": [[b, 1.5, 40 + (b // 8) % 3, 90, "", -1]
                                                 for b in range(0, beats, 2)]}
    strings = {"channel": 2, "program": 48, "notes": [[b, 8.0, p, 70, "", -1] for b in range(0, beats, 16)
                                                    for p in (60, 64, 67)]}
    return [drums, bass, strings]


def _cost(tracks: list[dict], before: float | None, after: float | None) -> float:
    return sum(n[1] + 0.5 for t in tracks for n in t["notes"]
               if (before is None or n[0] * SPB * SR < before) and (after is None or n[0] * SPB * SR >= after))


def test_a_stem_is_cut_where_each_part_costs_about_half() -> None:
    tracks = _tracks()
    at = split_sample(tracks, SPB, SR)
    assert at is not None and 0 < at < 32 * SPB * SR
    total = _cost(tracks, None, None)
    assert 0.4 <= _cost(tracks, at, None) / total <= 0.6  # notes before the cut
    assert split_sample([{"channel": 0, "program": 0, "notes": [[0, 1, 60, 90, "", -1]] * 3}], SPB, SR) is None


def test_the_parts_hold_the_notes_either_side_of_the_cut(engine) -> None:
    tracks = _tracks()
    n = int(34 * SPB * SR)
    at = split_sample(tracks, SPB, SR)
    first = render_tracks(engine._handle, tracks, SPB, n, SR, None, (at, 0))
    second = render_tracks(engine._handle, tracks, SPB, n, SR, None, (at, 1))
    assert not np.any(second[:, : at - 64])  # its synth starts at the cut
    level = lambda x: float(np.sqrt(np.mean(x**2)))  # noqa: E731
    # each part sounds while its own notes play and only rings on into the other's
    assert level(first[:, : at]) > 0.01
    assert level(second[:, at + SR:]) > 5 * level(first[:, at + SR:])
    whole = render_parts(engine._handle, tracks, SPB, n, SR, None, at)
    np.testing.assert_allclose(whole, first + second, atol=1e-7)
    alone = render_tracks(engine._handle, tracks, SPB, n, SR, None)
    # the same notes, the same levels: the parts and the uncut stem differ only in the reverb's modulation
    assert level(whole) == pytest.approx(level(alone), rel=0.03)


def test_the_synth_stops_once_its_tails_have_died_away(engine, monkeypatch) -> None:
    note = [{"channel": 0, "program": 0, "notes": [[0, 0.5, 60, 100, "", -1]]}]
    n = 20 * SR
    stopped = render_tracks(engine._handle, note, SPB, n, SR, (0.3, 0.3, 0.8, 0.8))
    monkeypatch.setattr(render, "_QUIET", 0.0)  # never stop early: every sample rendered
    full = render_tracks(engine._handle, note, SPB, n, SR, (0.3, 0.3, 0.8, 0.8))
    silent_from = int(np.nonzero(stopped[0])[0][-1]) + 1
    assert silent_from < 10 * SR  # a piano note and its room are gone well before 20 s
    assert np.max(np.abs(full - stopped)) < 1e-5  # what was left out is under -100 dBFS
    assert np.max(np.abs(full[:, : silent_from - render._TAIL_STEP])) > 0.05


def test_used_synths_make_way_for_spares_that_play_the_same(engine) -> None:
    handle = SoundfontHandle(engine.soundfont, SR)
    try:
        tracks = _tracks(8)
        n = int(10 * SPB * SR)
        first = render_tracks(handle, tracks, SPB, n, SR, (0.3, 0.3, 0.8, 0.8))  # made on demand
        handle._janitor.submit(lambda: None).result()  # the helper thread has replaced it
        spare = handle._spares[SR][-1][0]
        assert len(handle._spares[SR]) == 1
        synth, _ = handle.new_synth(SR)
        assert synth is spare and not handle._spares[SR]
        handle.retire(synth, SR, [])
        handle._janitor.submit(lambda: None).result()
        again = render_tracks(handle, tracks, SPB, n, SR, (0.3, 0.3, 0.8, 0.8))  # played by a spare
        assert np.array_equal(first, again)
    finally:
        handle.close()
    assert not handle._spares and handle._keeper is None


def test_collected_parts_are_let_go(engine) -> None:
    import gc
    import weakref

    tracks = [{**t, "stem": "instrumental"} for t in _tracks(32)]
    score = {"duration": 34 * SPB, "bpm": 120, "time_signature": [4, 4], "tracks": tracks}
    jobs = render.submit_stems(engine._handle, score, ("instrumental",), SR)
    assert len(jobs) == 2  # cut in time: two parts
    second = weakref.ref(jobs[1][1].result())
    first = jobs[0][1].result().copy()
    out = render.collect_stems(jobs)
    gc.collect()
    assert jobs == [] and second() is None  # the part summed into the other is freed, not held by its future
    assert not np.array_equal(out["instrumental"], first)  # the second part was added
