"""No click at any edit boundary: the final audio is built the way the task runner builds it.

The runner renders the edit, then keeps the parent's own samples outside the edited
window (``splice.keep_outside`` with 10 ms fades). The largest sample-to-sample jump
within 10 ms of each join must not exceed the largest jump anywhere else in the clip.
"""

from __future__ import annotations

import numpy as np
import pytest

from openproducer.audio import splice
from openproducer.engines.base import ClipMeta, Operation, ParentClip, RenderResult
from openproducer.engines.composer import ComposerEngine

from .conftest import as_parent, make

FADE = 0.01


def runner_join(parent: ParentClip, result: RenderResult, starts_at: float, ends_at: float | None) -> dict:
    """The mix and stems as the runner stores them."""
    out = {"mix": splice.keep_outside(parent.audio, result.mix, parent.sample_rate, starts_at, ends_at, FADE)}
    for name, stem in result.stems.items():
        if name in parent.stems:
            out[name] = splice.keep_outside(parent.stems[name], stem, parent.sample_rate, starts_at, ends_at, FADE)
    return out


def assert_no_click(audio: np.ndarray, sr: int, joins: list[float]) -> None:
    steps = np.max(np.abs(np.diff(audio.astype(np.float64), axis=0)), axis=1)
    elsewhere = np.ones(len(steps), dtype=bool)
    for t in joins:
        elsewhere[max(0, int((t - FADE) * sr)): int((t + FADE) * sr) + 1] = False
    near = max(splice.max_jump_near(audio, t, sr, FADE) for t in joins)
    assert near <= float(steps[elsewhere].max()), (joins, near, float(steps[elsewhere].max()))


@pytest.fixture(scope="module")
def lofi_parent(engine: ComposerEngine) -> ParentClip:
    return as_parent(make(engine, sound="lo-fi hip hop with vinyl crackle", make_instrumental=True, seed=21,
                          length=16))


@pytest.fixture(scope="module")
def upload_parent() -> ParentClip:
    sr = 44100
    t = np.arange(int(sr * 8.0)) / sr
    tone = 0.2 * np.sin(2 * np.pi * 220 * t) * (1 + 0.3 * np.sin(2 * np.pi * 1.5 * t))
    audio = np.stack([tone, tone * 0.9], axis=1).astype(np.float32)
    return ParentClip("up", sr, audio, {}, None, ClipMeta(bpm=100.0, key="E minor", duration=8.0), "upload",
                      sound="indie rock")


@pytest.mark.parametrize(("op", "starts_at", "ends_at"), [
    (Operation.EXTEND, 14.0, None), (Operation.EXTEND, 13.37, None),
    (Operation.REPLACE, 10.0, 20.0), (Operation.REPLACE, 9.71, 18.3),
])
def test_sung_parent_joins_without_clicks(engine: ComposerEngine, sung_parent, op, starts_at, ends_at) -> None:
    parent = as_parent(sung_parent)
    res = make(engine, operation=op, parent=parent, starts_at=starts_at, ends_at=ends_at, length=12.0, seed=5)
    final = runner_join(parent, res, starts_at, ends_at)
    joins = [starts_at] + ([ends_at] if ends_at is not None else [])
    for name, audio in final.items():
        if name != "vocals":  # the vocal stem may be silent at the join, where any step is "largest"
            assert_no_click(audio, parent.sample_rate, joins)


@pytest.mark.parametrize(("op", "starts_at", "ends_at"), [(Operation.EXTEND, 7.3, None),
                                                          (Operation.REPLACE, 4.1, 9.9)])
def test_instrumental_parent_joins_without_clicks(engine: ComposerEngine, lofi_parent, op, starts_at,
                                                  ends_at) -> None:
    res = make(engine, operation=op, parent=lofi_parent, starts_at=starts_at, ends_at=ends_at, length=6.0, seed=2)
    final = runner_join(lofi_parent, res, starts_at, ends_at)
    assert_no_click(final["mix"], lofi_parent.sample_rate, [starts_at] + ([ends_at] if ends_at else []))


@pytest.mark.parametrize(("op", "starts_at", "ends_at"), [(Operation.EXTEND, 4.0, None),
                                                          (Operation.REPLACE, 3.0, 6.0)])
def test_upload_parent_joins_without_clicks(engine: ComposerEngine, upload_parent, op, starts_at, ends_at) -> None:
    res = make(engine, operation=op, parent=upload_parent, starts_at=starts_at, ends_at=ends_at, length=5.0, seed=3)
    final = runner_join(upload_parent, res, starts_at, ends_at)
    assert_no_click(final["mix"], upload_parent.sample_rate, [starts_at] + ([ends_at] if ends_at else []))
    if op is Operation.REPLACE:
        assert len(final["mix"]) == len(upload_parent.audio)
        assert res.meta.bpm == 100.0 and res.meta.key == "E minor"


def test_replace_recomposes_whole_bars_only(engine: ComposerEngine, sung_parent) -> None:
    """A window that starts inside a sung phrase: whole bars change, the phrase before it and every word stay."""
    parent = as_parent(sung_parent)
    res = make(engine, operation=Operation.REPLACE, parent=parent, starts_at=11.0, ends_at=18.3, seed=5)
    bar = 4 * 60.0 / parent.meta.bpm
    first, last = int(11.0 // bar), int(np.ceil(18.3 / bar))
    assert [w.word for w in res.meta.lyrics_timing] == [w.word for w in parent.meta.lyrics_timing]
    for old, new in zip(parent.score["tracks"], res.score["tracks"], strict=True):
        outside_old = [n for n in old["notes"] if not first * 4 <= n[0] < last * 4]
        outside_new = [n for n in new["notes"] if not first * 4 <= n[0] < last * 4]
        assert outside_old == outside_new, old["name"]
    assert res.score["chords"][:first] == parent.score["chords"][:first]
    before = [n for n in parent.score["melody"]["notes"] if n[0] < first * 4]
    assert [n for n in res.score["melody"]["notes"] if n[0] < first * 4] == before
    assert res.score["chords"][last:] == parent.score["chords"][last:]
