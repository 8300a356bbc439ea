"""Song form, melody, harmony and arrangement, checked on the score (no audio rendered)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from openproducer.engines.composer import drums as grooves
from openproducer.engines.composer.compose import create_score
from openproducer.engines.composer.lyrics import parse_lyrics, stresses, syllables
from openproducer.engines.composer.prompt import read_prompt
from openproducer.engines.composer.seeds import rng_for

SONG = """[Intro]
[Verse 1]
Walking through the city lights
Feeling the rhythm of the night
[Pre-Chorus]
Hold on, hold on
[Chorus]
We're alive, we're free tonight
Dancing till the morning light
[Verse 2]
Every step a new surprise
Under these electric skies
[Chorus]
We're alive, we're free tonight
Dancing till the morning light
[Bridge]
Celebration in the street
[Instrumental]
[Chorus]
We're alive, we're free tonight
Dancing till the morning light
[Outro]
"""


def score_for(sound: str = "pop in C major", lyrics: str | None = SONG, seed: int = 1, weirdness: float = 0.5,
              lyrics_strength: float = 0.5, length: float | None = None, profile: str = "full") -> dict:
    rng = rng_for(seed, "create")
    style = read_prompt(sound, rng=rng)
    secs = parse_lyrics(lyrics) if lyrics else None
    return create_score(style, secs, length, profile=profile, rng=rng, weirdness=weirdness,
                        lead_stem="vocals" if lyrics else "instrumental", seed=seed, lyrics_strength=lyrics_strength)


def phrase_notes(score: dict) -> dict[int, list[list]]:
    out: dict[int, list[list]] = {}
    for n in score["melody"]["notes"]:
        out.setdefault(n[6], []).append(n)
    return out


def test_sections_follow_the_markers() -> None:
    score = score_for()
    kinds = [s["kind"] for s in score["sections"]]
    assert kinds == ["intro", "verse", "pre-chorus", "chorus", "verse", "chorus", "bridge", "instrumental", "chorus",
                     "outro"]
    assert all(s["end_bar"] > s["start_bar"] for s in score["sections"])


def test_every_line_is_one_phrase_with_a_note_per_syllable() -> None:
    score = score_for()
    lines = [line for sec in parse_lyrics(SONG) for line in sec.lines]
    phrases = phrase_notes(score)
    assert len(phrases) == len(lines)
    words = score["melody"]["words"]
    for notes, line in zip(phrases.values(), lines, strict=True):
        assert [words[i] for i in dict.fromkeys(n[5] for n in notes)] == line
        assert len(notes) == sum(len(syllables(w)) for w in line)


def test_syllables_and_stress() -> None:
    assert stresses("walking") == [1, 0] and stresses("tonight") == [0, 1] and stresses("the") == [0]
    assert stresses("celebration") == [0, 0, 1, 0] and stresses("electric") == [0, 1, 0]
    score = score_for(lyrics_strength=0.0)
    notes = score["melody"]["notes"]
    words = score["melody"]["words"]
    marks = [m for i in sorted({n[5] for n in notes}) for m in stresses(words[i])]
    assert len(marks) == len(notes)
    stressed = [abs(n[0] - round(n[0])) < 1e-6 for n, m in zip(notes, marks, strict=True) if m]
    unstressed = [abs(n[0] - round(n[0])) < 1e-6 for n, m in zip(notes, marks, strict=True) if not m]
    assert np.mean(stressed) > 0.8 and np.mean(stressed) > np.mean(unstressed) + 0.2


def test_chorus_melody_returns() -> None:
    score = score_for(seed=4)
    choruses = [s for s in score["sections"] if s["kind"] == "chorus"]
    assert len(choruses) == 3

    def tune(sec: dict) -> list[int]:
        a, b = sec["start_bar"] * 4, sec["end_bar"] * 4
        return [n[2] for n in score["melody"]["notes"] if a <= n[0] < b]

    def rhythm(sec: dict) -> list[float]:
        return [round(n[0] - sec["start_bar"] * 4, 4) for n in score["melody"]["notes"]
                if sec["start_bar"] * 4 <= n[0] < sec["end_bar"] * 4]

    first = tune(choruses[0])
    assert len(first) >= 10
    assert all(tune(c) == first and rhythm(c) == rhythm(choruses[0]) for c in choruses[1:])


def test_harmony_voice_on_chorus_lines_only() -> None:
    score = score_for()
    mel = score["melody"]
    chorus_bars = [(s["start_bar"] * 4, s["end_bar"] * 4) for s in score["sections"] if s["kind"] == "chorus"]
    in_chorus = [n for n in mel["notes"] if any(a <= n[0] < b for a, b in chorus_bars)]
    assert len(mel["harmony"]) == len(in_chorus) > 0
    for lead, harm in zip(in_chorus, mel["harmony"], strict=True):
        assert harm[0] == lead[0] and harm[4] == lead[4] and harm[2] - lead[2] in (3, 4, 5, 8, 9, 12)


@pytest.mark.parametrize(("lyrics", "length"), [(SONG, 150.0), (None, 47.0), (None, 95.0)])
def test_length_shapes_the_form(lyrics: str | None, length: float) -> None:
    score = score_for(lyrics=lyrics, length=length)
    assert score["duration"] == pytest.approx(length)
    kinds = [s["kind"] for s in score["sections"]]
    assert kinds[0] == "intro" and kinds[-1] == "outro"
    if lyrics is None:
        assert "development" in kinds and "theme" in kinds


def test_arrangement_parts_fills_build_and_ending() -> None:
    score = score_for()
    tracks = {t["name"]: t for t in score["tracks"]}
    assert {"drums", "bass", "comp", "pad", "extra", "counter"} <= set(tracks)
    drums = tracks["drums"]["notes"]
    for s in score["sections"][1:-1]:
        last = s["end_bar"] - 1
        bar_notes = [n for n in drums if last * 4 + 2 <= n[0] < last * 4 + 4]
        assert {n[2] for n in bar_notes} & ({grooves.SNARE} | set(grooves.TOMS)), s["name"]
    pre = next(s for s in score["sections"] if s["kind"] == "pre-chorus")
    snares = [n for n in drums if n[2] == grooves.SNARE and (pre["end_bar"] - 1) * 4 <= n[0] < pre["end_bar"] * 4]
    assert len(snares) >= 8 and snares[-1][3] > snares[0][3], "a rising snare roll builds into the chorus"
    final = score["chords"][-1]
    assert final["root"] == score["tonic"]
    held = [n for n in tracks["comp"]["notes"] if n[0] == (score["bars"] - 1) * 4]
    assert held and min(n[1] for n in held) >= 4.0

    def loudness(kind: str) -> float:
        bars = [(s["start_bar"] * 4, s["end_bar"] * 4) for s in score["sections"] if s["kind"] == kind]
        vel = [n[3] for t in tracks.values() for n in t["notes"] if any(a <= n[0] < b for a, b in bars)]
        return float(np.mean(vel)) * len(vel) / sum(b - a for a, b in bars)

    assert loudness("chorus") > loudness("verse")


def test_older_profiles_are_simpler() -> None:
    counts = {p: len(score_for(profile=p)["tracks"]) for p in ("full", "standard", "basic")}
    assert counts["full"] > counts["standard"] > counts["basic"]


def distinct(score: dict) -> tuple[int, int]:
    """Distinct chord symbols, and distinct one-bar rhythms summed over the parts."""
    chords = {c["symbol"] for c in score["chords"]}
    rhythms = 0
    for t in [*score["tracks"], score["melody"]]:
        bars: dict[int, list[float]] = {}
        for n in t["notes"]:
            bars.setdefault(int(n[0] // 4), []).append(round(n[0] % 4, 3))
        rhythms += len({tuple(sorted(set(v))) for v in bars.values()})
    return len(chords), rhythms


def test_weirdness_widens_harmony_and_rhythm() -> None:
    low = [distinct(score_for(seed=s, weirdness=0.0, lyrics_strength=0.0)) for s in range(3)]
    high = [distinct(score_for(seed=s, weirdness=1.0, lyrics_strength=0.0)) for s in range(3)]
    assert sum(h[0] for h in high) > sum(lo[0] for lo in low) + 3
    assert sum(h[1] for h in high) > sum(lo[1] for lo in low)


def test_lyrics_strength_moves_onsets_from_grid_to_speech() -> None:
    grid = [n[0] for n in score_for(lyrics_strength=0.0)["melody"]["notes"]]
    speech = [n[0] for n in score_for(lyrics_strength=1.0)["melody"]["notes"]]
    assert len(grid) == len(speech) and grid != speech
    assert all(abs(b * 4 - round(b * 4)) < 1e-6 for b in grid), "strength 0 keeps syllables on sixteenths"
    assert np.mean([abs(b * 4 - round(b * 4)) > 1e-6 for b in speech]) > 0.3


def test_seed_fixes_every_choice() -> None:
    a, b = score_for(seed=9), score_for(seed=9)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert json.dumps(score_for(seed=10), sort_keys=True) != json.dumps(a, sort_keys=True)


def test_three_four_time() -> None:
    score = score_for("a gentle waltz in F major", lyrics=None, length=30.0)
    assert score["time_signature"] == "3/4" and score["beats_per_bar"] == 3
    bass = next(t for t in score["tracks"] if t["name"] == "bass")["notes"]
    assert all(abs(n[0] % 3) < 1e-6 or abs(n[0] % 3 - 2) < 1e-6 for n in bass[:-1])


def _syllable_gaps(score: dict) -> np.ndarray:
    """Seconds between consecutive sung syllables' onsets within each phrase."""
    spb = 60.0 / score["bpm"]
    gaps = [np.diff(sorted(n[0] for n in notes)) for notes in phrase_notes(score).values()]
    return np.concatenate(gaps) * spb


def test_fast_songs_are_sung_in_half_time() -> None:
    from openproducer.engines.composer.form import vocal_pace

    assert vocal_pace(176) == 2 and vocal_pace(148) == 1 and vocal_pace(None) == 1
    fast = score_for("fast punk rock, 176 bpm", seed=3)
    assert fast["bpm"] == 176
    lines = [line for sec in parse_lyrics(SONG) for line in sec.lines]
    assert len(phrase_notes(fast)) == len(lines)
    # about a syllable per beat at 176 BPM (0.34 s) instead of per eighth (0.17 s)
    assert np.median(_syllable_gaps(fast)) >= 0.3
    # the same song held to a length its half-time lines would outlast: eighth notes, as before
    held = score_for("fast punk rock, 176 bpm", seed=3, length=40.0)
    assert held["duration"] == pytest.approx(40.0)
    assert np.median(_syllable_gaps(held)) <= 0.22
    assert np.median(_syllable_gaps(fast)) >= 1.6 * np.median(_syllable_gaps(held))


def test_half_time_rhythm_is_the_eighth_note_rhythm_doubled() -> None:
    # on the grid (lyrics_strength 0) a half-time line's syllables start on beats where an eighth-note line's
    # start on half beats too
    fast = score_for("fast punk rock, 176 bpm", seed=3, lyrics_strength=0.0)
    held = score_for("fast punk rock, 176 bpm", seed=3, lyrics_strength=0.0, length=40.0)

    def on_beats(score: dict) -> float:
        return float(np.mean([abs(n[0] - round(n[0])) < 1e-6 for n in score["melody"]["notes"]]))

    assert on_beats(fast) >= 0.9 and on_beats(held) <= 0.8


def test_an_extension_of_a_fast_song_keeps_its_requested_length() -> None:
    from openproducer.engines.base import EngineRequest, Operation
    from openproducer.engines.composer.edits import extend

    parent = score_for("fast punk rock, 176 bpm", seed=3, length=40.0)
    request = EngineRequest(operation=Operation.EXTEND, lyrics=SONG, starts_at=30.0, length=40.0, seed=4)
    out = extend(parent, request, rng_for(4, "extend"))
    # in half time these lines would run the song to ~100 s; held to 40 s more they are sung in eighth notes
    assert out["duration"] == pytest.approx(30.0 + 40.0, abs=1.5)
    late = [n for n in out["melody"]["notes"] if n[0] * 60.0 / out["bpm"] >= 30.0]
    assert late and max(n[0] + n[1] for n in late) * 60.0 / out["bpm"] <= out["duration"]
