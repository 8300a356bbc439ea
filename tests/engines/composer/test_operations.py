"""The six edits, measured on audio against their parent."""

from __future__ import annotations

import numpy as np
import pytest

from openproducer.engines.base import ClipMeta, EngineError, EngineRequest, Operation, ParentClip
from openproducer.engines.composer import ComposerEngine
from openproducer.engines.composer.compose import MOTIF_ALIAS
from openproducer.engines.composer.melody import MelodyWriter

from .conftest import as_parent, correlation, make, mono, tempo_of


def test_extend_keeps_the_start_and_continues(engine: ComposerEngine, sung_parent) -> None:
    parent = as_parent(sung_parent)
    res = make(engine, operation=Operation.EXTEND, parent=parent, starts_at=14.0, length=20.0, seed=2)
    sr = res.sample_rate
    assert abs(res.meta.duration - 34.0) < 1.0
    assert correlation(mono(res.mix, sr, 0, 14.0), mono(parent.audio, sr, 0, 14.0)) >= 0.9
    assert res.meta.bpm == parent.meta.bpm and res.meta.key == parent.meta.key
    assert abs(tempo_of(res.mix[int(14 * sr):], sr, 112.0) - 112.0) / 112.0 < 0.02
    tail = res.mix[int(15 * sr): int(30 * sr)]
    assert float(np.sqrt(np.mean(tail**2))) > 0.02, "the continuation must be music, not silence"
    assert res.score["sections"][-1]["kind"] == "outro"


def test_extend_follows_instruction_new_sound_and_motifs(engine: ComposerEngine, sung_parent) -> None:
    parent = as_parent(sung_parent)
    res = make(engine, operation=Operation.EXTEND, parent=parent, starts_at=20.0, length=16.0, seed=4,
               instruction="into a big chorus", sound="smooth jazz with saxophone")
    bar = 4 * 60.0 / parent.meta.bpm
    first_new = next(s for s in res.score["sections"] if s["start_bar"] * bar >= 20.0 - bar)
    assert first_new["name"] == "chorus" and first_new["kind"] == "theme"
    assert res.meta.extra["genre"] == "smooth jazz"
    assert res.meta.bpm == parent.meta.bpm and res.meta.key == parent.meta.key
    writer = MelodyWriter(0, "major", np.random.default_rng(0), 0.5)
    writer.load_motifs(parent.score["melody"]["motifs"], MOTIF_ALIAS)
    chorus = parent.score["melody"]["motifs"]["chorus|0"]["contour"]
    assert writer.motif("theme", 0, 8).contour == chorus, "the parent's chorus motif is the extension's theme"


def test_extend_default_start_is_clamped(engine: ComposerEngine, sung_parent) -> None:
    parent = as_parent(sung_parent)
    res = make(engine, operation=Operation.EXTEND, parent=parent, starts_at=500.0, length=8.0, seed=2)
    assert abs(res.meta.duration - (parent.meta.duration + 8.0)) < 1.0


def test_replace_changes_only_the_window(engine: ComposerEngine, sung_parent) -> None:
    parent = as_parent(sung_parent)
    res = make(engine, operation=Operation.REPLACE, parent=parent, starts_at=10.0, ends_at=20.0, seed=5)
    sr = res.sample_rate
    assert len(res.mix) == len(parent.audio)
    assert correlation(mono(res.mix, sr, 0, 8.0), mono(parent.audio, sr, 0, 8.0)) >= 0.95
    end = parent.meta.duration
    assert correlation(mono(res.mix, sr, 22.5, end), mono(parent.audio, sr, 22.5, end)) >= 0.95
    assert correlation(mono(res.mix, sr, 11.0, 19.0), mono(parent.audio, sr, 11.0, 19.0)) < 0.8
    assert [w.word for w in res.meta.lyrics_timing] == [w.word for w in parent.meta.lyrics_timing]


def test_swap_vocals_keeps_instrumental(engine: ComposerEngine, sung_parent) -> None:
    parent = as_parent(sung_parent)
    res = make(engine, operation=Operation.SWAP_VOCALS, parent=parent, sound="airy flute lead", seed=3)
    assert np.array_equal(res.stems["instrumental"], parent.stems["instrumental"])
    assert not np.array_equal(res.stems["vocals"], parent.stems["vocals"])
    assert res.score["melody"]["program"] == 73


def test_swap_vocals_with_new_lyrics(engine: ComposerEngine, sung_parent) -> None:
    parent = as_parent(sung_parent)
    lyrics = "Sun is rising over the bay\nWe will sail away today\nNothing left for us to say"
    res = make(engine, operation=Operation.SWAP_VOCALS, parent=parent, lyrics=lyrics, seed=3)
    words = [w.word for w in res.meta.lyrics_timing]
    assert words == lyrics.replace("\n", " ").split()


def test_swap_sound_keeps_vocals(engine: ComposerEngine, sung_parent) -> None:
    parent = as_parent(sung_parent)
    res = make(engine, operation=Operation.SWAP_SOUND, parent=parent, sound="heavy metal, distorted guitars", seed=4)
    assert np.array_equal(res.stems["vocals"], parent.stems["vocals"])
    sr = res.sample_rate
    assert correlation(mono(res.stems["instrumental"], sr), mono(parent.stems["instrumental"], sr)) < 0.5
    assert res.meta.extra["genre"] == "metal"


def test_cover_same_tempo_and_length_new_sound(engine: ComposerEngine, sung_parent) -> None:
    parent = as_parent(sung_parent)
    res = make(engine, operation=Operation.COVER, parent=parent, sound="smooth jazz with saxophone",
               cover_strength=0.9, seed=6)
    sr = res.sample_rate
    assert len(res.mix) == len(parent.audio) and res.meta.bpm == parent.meta.bpm
    assert abs(tempo_of(res.mix, sr, 112.0) - 112.0) / 112.0 < 0.02
    assert correlation(mono(res.mix, sr), mono(parent.audio, sr)) < 0.5
    same = [n[:3] for n in res.score["melody"]["notes"]] == [n[:3] for n in parent.score["melody"]["notes"]]
    assert same, "a cover keeps the melody"


def test_variation_grows_with_weirdness(engine: ComposerEngine, sung_parent) -> None:
    parent = as_parent(sung_parent)
    sr = parent.sample_rate
    ref = mono(parent.audio, sr)
    low = make(engine, operation=Operation.VARIATION, parent=parent, weirdness=0.1, seed=7)
    high = make(engine, operation=Operation.VARIATION, parent=parent, weirdness=0.95, seed=7)
    assert [s.name for s in low.meta.sections] == [s.name for s in parent.meta.sections]
    assert low.meta.bpm == parent.meta.bpm and low.meta.key == parent.meta.key
    c_low, c_high = correlation(mono(low.mix, sr), ref), correlation(mono(high.mix, sr), ref)
    assert c_low < 0.999 and c_high < c_low


@pytest.mark.parametrize("op", [Operation.EXTEND, Operation.REPLACE, Operation.COVER, Operation.SWAP_VOCALS,
                                Operation.SWAP_SOUND, Operation.VARIATION])
def test_upload_parents(engine: ComposerEngine, op: Operation) -> None:
    sr = 44100
    t = np.arange(int(sr * 8.0)) / sr
    audio = (0.2 * np.sin(2 * np.pi * 220 * t))[:, None].repeat(2, axis=1).astype(np.float32)
    meta = ClipMeta(bpm=100.0, key="E minor", duration=8.0)
    stems = {"instrumental": audio * 0.5, "vocals": audio * 0.5}
    parent = ParentClip("up", sr, audio, stems, None, meta, "upload", sound="indie rock")
    res = make(engine, operation=op, parent=parent, starts_at=4.0, ends_at=6.0, length=4.0, seed=1)
    assert res.meta.bpm == 100.0 and res.meta.key == "E minor"
    assert np.isfinite(res.mix).all() and float(np.max(np.abs(res.mix))) > 0.1
    if op is Operation.SWAP_VOCALS:
        assert np.array_equal(res.stems["instrumental"], stems["instrumental"])
    if op is Operation.SWAP_SOUND:
        assert np.array_equal(res.stems["vocals"], stems["vocals"])
    if op is not Operation.EXTEND:
        assert abs(res.meta.duration - 8.0) < 0.05


def test_edit_without_parent_fails(engine: ComposerEngine) -> None:
    with pytest.raises(EngineError):
        make(engine, operation=Operation.EXTEND)


@pytest.mark.parametrize("op", [Operation.SWAP_VOCALS, Operation.SWAP_SOUND])
def test_swaps_split_a_sung_parent_stored_without_stems(engine: ComposerEngine, op: Operation) -> None:
    """A neural engine's sung song has no stems: the composer keeps the part split from its mix."""
    sr = 44100
    t = np.arange(int(sr * 8.0)) / sr
    loop = 0.3 * np.sin(2 * np.pi * 110 * t) * np.exp(-8 * (t % 0.5))
    voice = 0.3 * np.sin(2 * np.pi * (300 * t + 25 * t**2))
    audio = (loop + voice)[:, None].repeat(2, axis=1).astype(np.float32)
    meta = ClipMeta(bpm=120.0, key="A minor", duration=8.0, has_vocals=True)
    parent = ParentClip("sung", sr, audio, {}, None, meta, "ace-step", sound="synth pop")
    parts = parent.vocal_parts()
    res = make(engine, operation=op, parent=parent, lyrics="[verse]\nla la la", seed=2)
    kept = "instrumental" if op is Operation.SWAP_VOCALS else "vocals"
    assert np.array_equal(res.stems[kept], parts[kept])
    assert not np.allclose(res.stems[kept], audio, atol=1e-3), "the old vocals are not kept in the instrumental"


def test_progress_moves_through_the_render(engine: ComposerEngine) -> None:
    """Polls see the render advance stage by stage, never backwards."""
    seen: list[tuple[float, str]] = []
    engine.render(EngineRequest(Operation.CREATE, sound="pop song", lyrics="[verse]\nla la la la\nsing it now",
                                length=12.0, seed=3), lambda f, s: seen.append((f, s)))
    stages = [stage for _, stage in seen]
    assert stages == ["reading prompt", "rendering", "singing", "playing", "mixing", "mastering", "done"]
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    seen.clear()
    engine.render(EngineRequest(Operation.CREATE, sound="ambient pads", make_instrumental=True, length=8.0, seed=3),
                  lambda f, s: seen.append((f, s)))
    assert [stage for _, stage in seen] == ["reading prompt", "rendering", "playing", "mixing", "mastering", "done"]


@pytest.mark.parametrize("op", [Operation.CREATE, Operation.SWAP_VOCALS, Operation.SWAP_SOUND])
def test_an_unmastered_mix_is_its_stems_summed(engine: ComposerEngine, sung_parent, op: Operation) -> None:
    """The stems, rendered or kept from the parent, add up to the mix (here only scaled to its ceiling),
    and a kept stem is left as the parent has it."""
    parent = as_parent(sung_parent)
    before = {name: stem.copy() for name, stem in parent.stems.items()}
    kwargs = {"sound": "lofi hip hop, 80 bpm", "lyrics": "[verse]\nstay a while and sing", "length": 12.0} \
        if op is Operation.CREATE else {"parent": parent, "lyrics": "[verse]\nstay a while and sing"}
    res = make(engine, operation=op, seed=6, mastered=False, **kwargs)
    assert set(res.stems) == {"instrumental", "vocals"}
    total = (res.stems["instrumental"].astype(np.float64) + res.stems["vocals"]).ravel()
    gain = float(np.dot(res.mix.ravel(), total) / np.dot(total, total))
    assert 0.2 < gain < 5.0
    assert np.max(np.abs(res.mix.ravel() - gain * total)) < 1e-5
    assert all(np.array_equal(parent.stems[name], stem) for name, stem in before.items())
