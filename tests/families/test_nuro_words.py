"""Every enumerated Nuro value changes what the composer makes (its Style: genre, tempo, energy, mode,
instruments, mix, voice); none is accepted and then ignored."""

from __future__ import annotations

from typing import Any

import pytest

from openproducer.engines.base import EngineRequest, Operation
from openproducer.engines.composer.prompt import read_prompt
from openproducer.engines.composer.requested import shape_style
from openproducer.engines.composer.seeds import rng_for
from openproducer.engines.composer.words import BIGRAMS, INSTRUMENTS
from openproducer.families.nuro_words import (
    BGM_GENRES,
    BGM_INSTRUMENTS,
    BGM_MOODS,
    BGM_THEMES,
    GENDERS,
    VOCAL_GENRES,
    VOCAL_MOODS,
    VOCAL_TIMBRES,
    prompt_words,
)

BASE = "background music for a video"  # no genre or mood word: the composer's defaults


def _style(sound: str, voice: dict[str, Any] | None = None):
    style = read_prompt(sound, rng=rng_for(11))
    return shape_style(style, EngineRequest(Operation.CREATE, sound=sound, voice=voice))


def _heard(style) -> dict[str, Any]:
    return {k: v for k, v in style.to_dict().items() if k != "words"}


@pytest.mark.parametrize("table", [VOCAL_GENRES, VOCAL_MOODS, BGM_GENRES, BGM_MOODS, BGM_THEMES],
                         ids=["vocal genre", "vocal mood", "bgm genre", "bgm mood", "bgm theme"])
def test_every_genre_mood_and_theme_changes_the_style(table):
    base = _heard(_style(BASE))
    unchanged = [value for value, words in table.items() if _heard(_style(f"{words}, {BASE}")) == base]
    assert not unchanged, unchanged


def test_genre_values_that_name_a_genre_set_it():
    assert _style(VOCAL_GENRES["Bossa Nova"]).genre == "bossa nova"
    assert _style(VOCAL_GENRES["Trap Rap"]).genre == "trap"
    assert _style(VOCAL_GENRES["Pop Punk"]).genre == "punk"
    assert _style(BGM_GENRES["orchestral"]).genre == "orchestral"
    assert _style(BGM_GENRES["game"]).genre == "chiptune"
    # the first genre named sets the genre; the next ones add their mood and production words
    mixed = _style(prompt_words(["rock", "corporate"], [], [], [], BASE))
    assert mixed.genre == "rock" and _heard(mixed) != _heard(_style(prompt_words(["rock"], [], [], [], BASE)))


def _programs(style) -> set[int]:
    return {*style.instruments.values(), style.lead}


def _program_of(words: str) -> int | None:
    entry = BIGRAMS.get(words) or INSTRUMENTS.get(words.split()[0])
    return entry[1] if entry else None


def test_every_instrument_plays():
    base = _style(BASE)
    for value, words in BGM_INSTRUMENTS.items():
        program = _program_of(words)
        if program is None:  # the drum words
            continue
        style = _style(f"{words}, {BASE}")
        assert program in _programs(style), value
        # it changes the arrangement, or the default genre already plays it
        assert _heard(style) != _heard(base) or program in _programs(base), value


def test_five_instruments_of_one_role_all_play():
    named = ["piano", "guitar", "ukulele", "synth", "keyboard"]
    style = _style(prompt_words([], [], named, [], BASE))
    assert {_program_of(BGM_INSTRUMENTS[n]) for n in named} <= _programs(style)


def test_drums_and_percussion_give_a_kit_to_genres_without_one():
    assert _style("ambient soundscape").groove == "none"
    for value in ("drums", "percussion"):
        assert _style(f"{BGM_INSTRUMENTS[value]}, ambient soundscape").groove != "none", value
    assert _style("ambient soundscape, no drums").groove == "none", "'no drums' is not a request for drums"


def test_every_timbre_and_gender_changes_the_voice():
    base = _style(BASE)
    for value, timbre in VOCAL_TIMBRES.items():
        assert _style(BASE, {"timbre": timbre}).timbre != base.timbre, value
    for value, gender in GENDERS.items():
        assert _style(BASE, {"gender": gender}).voice == gender != base.voice, value
