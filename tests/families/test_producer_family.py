"""The Producer family keeps the family contract."""

from __future__ import annotations

from openproducer.families.producer import PRODUCER, ProducerCreate
from tests.families.contract import FamilyContract


class TestProducerFamily(FamilyContract):
    family = PRODUCER
    submit_model = ProducerCreate
    requests = {"create_music": ProducerCreate(sound="gentle acoustic guitar ballad with warm strings",
                                               make_instrumental=True, length=2).fields({"task_type"})}
    done_item = {
        "clip_id": "c1", "title": "Song", "sound": "pop", "lyrics": "", "lyrics_id": None,
        "lyrics_timing_markers": None, "created_at": "2026-11-27T10:00:00Z", "mv": "FUZZ-2.0", "seed": 1,
        "duration": 2.0, "state": "succeeded", "audio_url": "/media/tok/audio.mp3", "wav_url": "/media/tok/audio.wav",
        "image_url": "/media/tok/cover.png", "video_url": None, "metadata": {},
    }
