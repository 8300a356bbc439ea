"""The Nuro family keeps the family contract; every enumerated value is accepted; its rules, without HTTP."""

from __future__ import annotations

import pytest

from openproducer.core.config import Settings
from openproducer.core.errors import InvalidParameter
from openproducer.families.base import PlanContext
from openproducer.families.nuro import NURO, NuroCreate
from openproducer.families.nuro_words import (
    BGM_GENRES,
    BGM_INSTRUMENTS,
    BGM_MOODS,
    BGM_THEMES,
    GENDERS,
    VOCAL_GENRES,
    VOCAL_MOODS,
    VOCAL_TIMBRES,
)
from tests.families.contract import FamilyContract
from tests.support.songs import LYRICS

WORDS = LYRICS + "[inst]\n[chorus]\nHold on to the morning light\nEvery mile brings me home to you\n"


class TestNuroFamily(FamilyContract):
    family = NURO
    submit_model = NuroCreate
    requests = {"create_music": NuroCreate(type="bgm", description="calm piano for a rainy afternoon",
                                           duration=3, seed=2).fields()}
    done_item = {"clip_id": "c1", "audio_url": "/media/tok/audio.wav", "lyrics": None, "duration": 3.0,
                 "genre": "ambient", "mood": "calm", "gender": None, "timbre": None}

    def accepted_task_types(self) -> tuple[str, ...]:
        return ("create_music",)


def _plan(tmp_path, **body):
    ctx = PlanContext(session=None, api_key_id=1, settings=Settings(data_dir=tmp_path))  # type: ignore[arg-type]
    plan = NURO.plan(ctx, "create_music", NuroCreate(**body).fields())
    ctx.problems.raise_if_any()
    return plan


def _chunks(values, size=5):
    values = list(values)
    return [values[i:i + size] for i in range(0, len(values), size)]


def test_every_vocal_value_is_accepted(tmp_path):
    for genre in VOCAL_GENRES:
        assert _plan(tmp_path, type="vocal", lyrics=WORDS, genre=genre).params["wire"]["genre"] == genre
    for mood in VOCAL_MOODS:
        assert _plan(tmp_path, type="vocal", lyrics=WORDS, mood=mood).params["wire"]["mood"] == mood
    for timbre, words in VOCAL_TIMBRES.items():
        assert _plan(tmp_path, type="vocal", lyrics=WORDS, timbre=timbre).params["voice"]["timbre"] == words
    for gender, voice in GENDERS.items():
        assert _plan(tmp_path, type="vocal", lyrics=WORDS, gender=gender).params["voice"]["gender"] == voice
    # matched without regard to case, answered in the vendor's spelling
    plan = _plan(tmp_path, type="vocal", lyrics=WORDS, genre="hip hop/rap", gender="female", timbre="warm")
    assert plan.params["wire"]["genre"] == "Hip Hop/Rap" and plan.params["wire"]["gender"] == "Female"


def test_every_bgm_value_is_accepted_five_at_a_time(tmp_path):
    for field, table in (("genre", BGM_GENRES), ("mood", BGM_MOODS), ("instrument", BGM_INSTRUMENTS),
                         ("theme", BGM_THEMES)):
        for chunk in _chunks(table):
            plan = _plan(tmp_path, type="bgm", description="music for a short film", **{field: chunk})
            for value in chunk:
                assert table[value] in plan.params["sound"], (field, value)


def test_vocal_plan_sings_the_lyrics_with_the_asked_singer(tmp_path):
    params = _plan(tmp_path, type="vocal", lyrics=WORDS, gender="Male", genre="Rock", mood="Happy",
                   timbre="Husky", duration=45, seed=4).params
    assert params["voice"] == {"gender": "male", "timbre": {"husky": 1.0}}
    assert params["length"] == 45 and params["make_instrumental"] is False and params["seed"] == 4
    assert "[instrumental]" in params["lyrics"] and "[inst]" not in params["lyrics"]
    assert params["wire"]["lyrics"] == WORDS.strip(), "the poll echoes the words as sent"
    assert params["sound"].startswith("rock")


def test_bgm_v2_segments_become_the_form(tmp_path):
    segments = [{"name": "intro", "duration": 20}, {"name": "verse", "duration": 25},
                {"name": "chorus", "duration": 30}, {"name": "outro", "duration": 15}]
    params = _plan(tmp_path, type="bgm", description="an upbeat corporate track", version="v2.0",
                   duration=90, segments=segments).params
    assert params["form"] == [["intro", 20.0], ["verse", 25.0], ["chorus", 30.0], ["outro", 15.0]]
    assert params["length"] == 90 and params["make_instrumental"] is True
    assert _plan(tmp_path, description="an upbeat corporate track", version="v2.0",
                 segments=segments).params["length"] == 90, "without duration the segments give it"


@pytest.mark.parametrize("body,fields", [
    ({"type": "vocal"}, {"lyrics"}),
    ({"type": "vocal", "lyrics": "我们在城市的灯光下行走 " * 10}, {"lyrics"}),
    ({"type": "vocal", "lyrics": WORDS, "genre": "Metalcore", "timbre": "Squeaky"}, {"genre", "timbre"}),
    ({"type": "vocal", "lyrics": WORDS, "duration": 20}, {"duration"}),
    ({"type": "vocal", "lyrics": WORDS, "description": "a song", "instrument": ["piano"]},
     {"description", "instrument"}),
    ({"type": "bgm"}, {"description"}),
    ({"type": "bgm", "description": "music for a film", "gender": "Male"}, {"gender"}),
    ({"type": "bgm", "description": "music for a film", "genre": ["rock", "pop", "jazz", "folk", "funk", "epic"]},
     {"genre"}),
    ({"type": "bgm", "description": "music for a film", "duration": 90}, {"duration"}),
    ({"type": "bgm", "description": "music for a film", "segments": [{"name": "intro", "duration": 5}]},
     {"segments"}),
    ({"type": "bgm", "description": "music for a film", "version": "v2.0", "duration": 30,
      "segments": [{"name": "intro", "duration": 5}, {"name": "verse", "duration": 1}]},
     {"segments", "segments.1.duration"}),
])
def test_broken_rules_name_their_fields(tmp_path, body, fields):
    with pytest.raises(InvalidParameter) as refused:
        _plan(tmp_path, **body)
    assert {field for field, _ in refused.value.problems} == fields
