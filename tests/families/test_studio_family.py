"""The Studio family keeps the family contract; each field the client sends maps onto something real."""

from __future__ import annotations

import pytest

from openproducer.core.config import Settings
from openproducer.core.errors import InvalidParameter
from openproducer.families.base import PlanContext
from openproducer.families.studio import STUDIO, StudioCreate
from tests.families.contract import FamilyContract
from tests.support.songs import LYRICS

BASE = {"prompt": "dreamy indie pop with shimmering guitars", "prompt_strength": 0.5, "clarity_strength": 0.5,
        "lyrics_strength": 0.5, "generation_quality": 0.8, "model_type": "studio130-v1.5",
        "config": {"mode": "regular"}}


class TestStudioFamily(FamilyContract):
    family = STUDIO
    submit_model = StudioCreate
    requests = {"create_music": StudioCreate(**{**BASE, "lyrics_type": "instrumental", "song_section_start": 0,
                                                "song_section_end": 3}).fields()}
    done_item = {"id": "c1", "tags": "pop", "title": "Song", "lyrics": "", "prompt": "pop",
                 "song_path": "/media/tok/audio.mp3", "image_path": "/media/tok/cover.png", "duration": 3.0,
                 "created_at": "2026-11-27T10:00:00Z", "finished": True}

    def accepted_task_types(self) -> tuple[str, ...]:
        return ("create_music",)


def _params(tmp_path, **body):
    ctx = PlanContext(session=None, api_key_id=1, settings=Settings(data_dir=tmp_path))  # type: ignore[arg-type]
    plan = STUDIO.plan(ctx, "create_music", StudioCreate(**{**BASE, **body}).fields())
    ctx.problems.raise_if_any()
    return plan.params


def test_lyrics_types(tmp_path):
    sung = _params(tmp_path, lyrics_type="user", lyrics=LYRICS)
    assert sung["lyrics"] == LYRICS.strip() and not sung["make_instrumental"] and "lyrics_from" not in sung
    written = _params(tmp_path, lyrics_type="generate")
    assert written["lyrics_from"] == BASE["prompt"] and written["lyrics"] == ""
    assert _params(tmp_path, lyrics_type="instrumental")["make_instrumental"] is True


def test_strengths_quality_model_and_clarity(tmp_path):
    params = _params(tmp_path, lyrics_type="instrumental", prompt_strength=0.9, lyrics_strength=0.2, seed=12,
                     negative_prompt="no drums, no piano")
    assert (params["sound_strength"], params["lyrics_strength"], params["seed"]) == (0.9, 0.2, 12)
    assert {"drums", "piano"} <= set(params["avoid"])
    profiles = [_params(tmp_path, lyrics_type="instrumental", generation_quality=q)["profile"]
                for q in (0.1, 0.3, 0.6, 0.9)]
    assert profiles == ["basic", "simple", "standard", "full"]
    assert _params(tmp_path, lyrics_type="instrumental", model_type="studio32-v1.5",
                   generation_quality=1.0)["profile"] == "standard"
    assert _params(tmp_path, lyrics_type="instrumental", clarity_strength=0.9)["sound"].endswith("crisp clean")
    assert _params(tmp_path, lyrics_type="instrumental", clarity_strength=0.1)["sound"].endswith("hazy warm")
    assert _params(tmp_path, lyrics_type="instrumental")["sound"] == BASE["prompt"]


def test_section_and_lyric_placement_make_the_form(tmp_path):
    params = _params(tmp_path, lyrics_type="user", lyrics=LYRICS, song_section_start=30, song_section_end=60,
                     lyrics_placement_start=36, lyrics_placement_end=54)
    assert params["length"] == 30.0
    assert params["form"] == [["intro", 6.0], ["verse", 18.0], ["outro", 6.0]]
    whole = _params(tmp_path, lyrics_type="generate", song_section_start=0, song_section_end=20)
    assert whole["length"] == 20.0 and "form" not in whole


@pytest.mark.parametrize("body,fields", [
    ({"lyrics_type": "user"}, {"lyrics"}),
    ({"lyrics_type": "instrumental", "lyrics": LYRICS}, {"lyrics"}),
    ({"lyrics_type": "generate", "prompt": "test"}, {"prompt"}),
    ({"lyrics_type": "generate", "model_type": "studio64-v9", "config": {"mode": "turbo"}},
     {"model_type", "config.mode"}),
    ({"lyrics_type": "generate", "song_section_start": 10}, {"song_section_end"}),
    ({"lyrics_type": "generate", "song_section_start": 10, "song_section_end": 5}, {"song_section_end"}),
    ({"lyrics_type": "instrumental", "lyrics_placement_start": 2, "lyrics_placement_end": 9},
     {"lyrics_placement_start"}),
    ({"lyrics_type": "generate", "song_section_start": 0, "song_section_end": 20, "lyrics_placement_start": 5,
      "lyrics_placement_end": 30}, {"lyrics_placement_start"}),
])
def test_broken_rules_name_their_fields(tmp_path, body, fields):
    with pytest.raises(InvalidParameter) as refused:
        _params(tmp_path, **body)
    assert {field for field, _ in refused.value.problems} == fields
