"""The Sonic family keeps the family contract."""

from __future__ import annotations

from openproducer.families.sonic import SONIC, SonicCreate
from tests.families.contract import FamilyContract

LYRICS = ("[Verse]\nWalking through the city lights\nFeeling the rhythm of the night\nEvery step a new surprise\n"
          "Under these electric skies\n[Chorus]\nWe're alive we're free tonight\nDancing till the morning light")


class TestSonicFamily(FamilyContract):
    family = SONIC
    submit_model = SonicCreate
    requests = {"create_music": SonicCreate(custom_mode=True, prompt=LYRICS, tags="pop", mv="sonic-v4-5",
                                            seed=3).fields({"task_type"})}
    done_item = {
        "clip_id": "c1", "state": "succeeded", "title": "Starts", "tags": "pop", "lyrics": LYRICS,
        "image_url": "/media/tok/cover.png", "audio_url": "/media/tok/audio.mp3", "video_url": None,
        "created_at": "2026-11-27T10:00:00Z", "gpt_description_prompt": None, "duration": 12.5,
        "negative_tags": None, "style_weight": None, "weirdness_constraint": None, "mv": "sonic-v4-5",
    }
