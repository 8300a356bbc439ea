"""A live server whose FUZZ-2.0 is ace-step on tiny weights: tasks run end to end, routing included."""

from __future__ import annotations

from pathlib import Path

from tests.support.server import start_server
from tests.support.songs import LYRICS as SONG

from .conftest import needs_gpu_extra, neural_settings, registry_with_fake_composer

pytestmark = needs_gpu_extra


def test_fuzz_2_runs_on_ace_step_and_swaps_go_to_the_fallback(tmp_path: Path, weights: dict[str, Path]) -> None:
    settings = neural_settings(tmp_path, weights)
    live = start_server(tmp_path, workers=2, engines=registry_with_fake_composer(settings),
                        ace_step=settings.ace_step.model_dump(), stable_audio_3=settings.stable_audio_3.model_dump())
    try:
        with live.client(live.new_key(credits=500)) as client:
            models = {m["mv"]: m for m in client.get("/models").json()["data"]}
            assert models["FUZZ-2.0"]["engine"] == "ace-step" and models["FUZZ-2.0"]["available"] is True
            assert models["stable-audio-3"]["available"] is True

            task = client.post("/producer/create", json={"sound": "dreamy synth pop, 100 bpm", "lyrics": SONG,
                                                         "length": 3, "seed": 5}).json()["task_id"]
            body = live.wait(client, task)
            assert body["status"] == "SUCCESS", body
            clip = body["data"][0]
            assert clip["mv"] == "FUZZ-2.0" and abs(clip["duration"] - 3.0) < 0.01

            swap = client.post("/producer/create", json={"task_type": "swap_music_vocals",
                                                         "clip_id": clip["clip_id"], "seed": 6}).json()["task_id"]
            body = live.wait(client, swap)
            assert body["status"] == "SUCCESS", body
        with live.runtime.services.db.session(write=False) as session:
            from openproducer.store.tables import Clip

            made = {c.id: c for c in session.query(Clip).all()}
        assert made[clip["clip_id"]].engine == "ace-step"
        swapped = made[body["data"][0]["clip_id"]]
        assert swapped.engine == "composer"
        assert any("ace-step cannot swap vocals" in note for note in swapped.meta["notes"])
    finally:
        live.stop()
