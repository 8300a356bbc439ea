"""The Riffusion family keeps the family contract; its planning rules, without HTTP."""

from __future__ import annotations

import pytest

from openproducer.core.config import Settings
from openproducer.core.errors import InvalidParameter
from openproducer.families.base import PlanContext
from openproducer.families.riffusion import RIFFUSION, RIFFUSION_TASK_TYPES, RiffusionCreate
from tests.families.contract import FamilyContract
from tests.support.songs import LYRICS


class TestRiffusionFamily(FamilyContract):
    family = RIFFUSION
    submit_model = RiffusionCreate
    requests = {"create_music": RiffusionCreate(custom_mode=True, lyrics=LYRICS + "Hold on to the morning\n" * 2,
                                                sound="pop", mv="FUZZ-1.1", seed=3).fields({"task_type"})}
    done_item = {
        "clip_id": "c1", "title": "Starts", "sound": "pop", "lyrics": LYRICS, "image_url": "/media/tok/cover.png",
        "audio_url": "/media/tok/audio.mp3", "video_url": None, "created_at": "2026-11-27T10:00:00Z",
        "mv": "FUZZ-1.1", "vocal_variation": None, "duration": 12.5, "timestamp": {"words": [], "sections": []},
        "state": "succeeded",
    }


def _plan(tmp_path, task_type: str, **body):
    ctx = PlanContext(session=None, api_key_id=1, settings=Settings(data_dir=tmp_path))  # type: ignore[arg-type]
    fields = RiffusionCreate(task_type=task_type, **body).fields({"task_type"})
    plan = RIFFUSION.plan(ctx, task_type, fields)
    ctx.problems.raise_if_any()
    return plan


def test_every_task_type_costs_twelve_and_makes_two_clips():
    assert len(RIFFUSION_TASK_TYPES) == 11
    for task_type in RIFFUSION_TASK_TYPES:
        spec = RIFFUSION.spec(task_type)
        assert (spec.price, spec.clips, spec.kind) == (12, 2, "render")
        assert (spec.parent_field is None) == (task_type == "create_music")
    assert RIFFUSION.price("upload") == 2


def test_description_mode_writes_lyrics_for_the_prompt(tmp_path):
    plan = _plan(tmp_path, "create_music", mv="FUZZ-1.0", prompt="a hopeful folk song about coming home")
    assert plan.params["lyrics_from"] == "a hopeful folk song about coming home"
    assert plan.params["sound"] == plan.params["lyrics_from"] and plan.params["lyrics"] == ""
    assert plan.params["profile"] == "simple"  # FUZZ-1.0's route
    instrumental = _plan(tmp_path, "create_music", prompt="a calm piano ballad about the sea", make_instrumental=True)
    assert "lyrics_from" not in instrumental.params and instrumental.params["make_instrumental"] is True


def test_custom_mode_sings_lyrics_in_sound(tmp_path):
    plan = _plan(tmp_path, "create_music", custom_mode=True, lyrics=LYRICS + "Hold on to the morning\n" * 2,
                 sound="pop", vocal_variation=0.9, title="Starts", seed=5)
    params = plan.params
    assert params["sound"] == "pop" and params["lyrics"].startswith("[Verse 1]") and "lyrics_from" not in params
    assert params["weirdness"] == 0.9 and params["wire"]["vocal_variation"] == 0.9 and params["seed"] == 5


@pytest.mark.parametrize("body,fields", [
    ({"custom_mode": True, "sound": "pop"}, {"lyrics"}),
    ({"custom_mode": True, "lyrics": LYRICS * 2, "prompt": "a song about the sea"}, {"prompt"}),
    ({"custom_mode": False, "prompt": "test"}, {"prompt"}),
    ({"custom_mode": False, "prompt": "a song about the sea", "lyrics": LYRICS * 2}, {"lyrics"}),
    ({"custom_mode": True, "make_instrumental": True}, {"sound"}),
    ({"mv": "FUZZ-2.0", "prompt": "a song about the sea"}, {"mv"}),
])
def test_broken_rules_name_their_fields(tmp_path, body, fields):
    with pytest.raises(InvalidParameter) as refused:
        _plan(tmp_path, "create_music", **body)
    assert {field for field, _ in refused.value.problems} == fields
