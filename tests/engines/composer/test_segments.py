"""A form the request names (segments.py): sections in order, each starting within a beat of where
the form puts it; with lyrics, the singing between the instrumental head and tail."""

from __future__ import annotations

from openproducer.core.validation import lyric_words
from openproducer.engines.composer.compose import create_score
from openproducer.engines.composer.lyrics import parse_lyrics
from openproducer.engines.composer.prompt import read_prompt
from openproducer.engines.composer.score import meta_sections
from openproducer.engines.composer.seeds import rng_for
from openproducer.engines.composer.segments import _worst_beats, fit_tempo, score_in_form, segment_kind
from tests.support.songs import LYRICS

FORM = [("intro", 20.0), ("verse", 25.0), ("chorus", 30.0), ("outro", 15.0)]


def _score(sound: str, form, lyrics: str | None = None, seed: int = 1):
    rng = rng_for(seed)
    style = read_prompt(sound, rng=rng)
    sections = parse_lyrics(lyrics) if lyrics else None
    return score_in_form(form)(style, sections, None, profile="full", rng=rng, weirdness=0.5,
                               lead_stem="vocals" if lyrics else "instrumental", seed=seed)


def _starts(form) -> list[float]:
    out, t = [], 0.0
    for _, seconds in form:
        out.append(t)
        t += seconds
    return out


def test_kinds_from_names():
    assert [segment_kind(n, sung=False) for n in ("Intro", "verse 1", "Chorus", "inst", "bridge", "outro")] == [
        "intro", "development", "theme", "theme", "development", "outro"]
    assert segment_kind("pre-chorus", sung=True) == "pre-chorus" and segment_kind("inst", sung=True) == "instrumental"


def test_tempo_moves_only_a_little_to_put_boundaries_on_bar_lines():
    ends = [20.0, 45.0, 75.0, 90.0]
    assert fit_tempo(104.0, ends, 4) == 96.0 and _worst_beats(ends, 96.0, 4) == 0.0
    assert fit_tempo(104.0, ends, 4, fixed=True) == 104.0
    assert _worst_beats(ends, 104.0, 4) > 1.0, "without the move a boundary would be off by more than a beat"
    assert abs(fit_tempo(150.0, ends, 4) - 150.0) <= 150.0 * 0.12


def test_instrumental_sections_start_where_the_form_says():
    for sound, seed in (("upbeat corporate pop", 1), ("calm ambient soundscape", 2), ("fast punk", 3)):
        score = _score(sound, FORM, seed=seed)
        beat = 60.0 / score["bpm"]
        sections = meta_sections(score)
        assert [s.name for s in sections] == [name for name, _ in FORM]
        for section, start in zip(sections, _starts(FORM), strict=True):
            assert abs(section.start - start) <= beat, (sound, section, start, beat)
        assert 90.0 <= score["duration"] <= 91.5
        melody_bars = {int(n[0] // score["beats_per_bar"]) for n in score["melody"]["notes"]}
        assert melody_bars, "the theme and development sections carry a melody"


def test_lyrics_are_sung_between_the_instrumental_head_and_tail():
    form = [("intro", 10.0), ("verse", 34.0), ("outro", 8.0)]
    score = _score("warm acoustic folk", form, LYRICS)
    beat_s = 60.0 / score["bpm"]
    sung = [n[0] * beat_s for n in score["melody"]["notes"] if n[5] >= 0]
    assert abs(sung[0] - 10.0) <= 2 * beat_s, "singing starts where the head ends (on its bar)"
    assert sung[-1] <= 44.0 + beat_s, "and ends inside the sung span"
    sections = meta_sections(score)
    assert sections[0].name == "intro" and abs(sections[-1].start - 44.0) <= beat_s
    assert 52.0 <= score["duration"] <= 53.5


def test_lyrics_longer_than_their_span_are_all_sung():
    score = _score("warm acoustic folk", [("intro", 4.0), ("verse", 8.0), ("outro", 4.0)], LYRICS)
    assert len(score["melody"]["words"]) == len(lyric_words(LYRICS))
    assert score["duration"] > 16.0, "the span grows rather than cut the words"


def test_without_a_form_nothing_changes():
    rng = rng_for(4)
    style = read_prompt("upbeat corporate pop", rng=rng)
    plain = create_score(style, None, 30.0, profile="full", rng=rng, weirdness=0.5, lead_stem="instrumental", seed=4)
    assert [s["name"] for s in plain["sections"]][:2] == ["intro", "theme"]
