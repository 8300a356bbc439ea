"""The create-voice task (``/sonic/create-voice``): a persona measured from a recording of one singer.

The recording is fetched like an upload (the same size, length and address rules), its pitch
range, gender and timbre measured (``audio/voice.py``), and a persona stored with the task's
SUCCESS. The poll answer's ``data[0]`` is the persona: its ``clip_id`` *is* the persona id (the
official client's typed ``get_task`` keeps only clip fields), repeated as ``persona_id``.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from openproducer.audio.voice import NoVoiceFound, measure_voice
from openproducer.core.uploads import import_audio
from openproducer.core.works.context import WorkContext, WorkOutput
from openproducer.engines.base import EngineError
from openproducer.store.clock import utcnow
from openproducer.store.tables import Persona

__all__ = ["MIN_RECORDING_S", "create_voice", "voice_words"]

MIN_RECORDING_S = 10.0  # the vendor asks for more than 10 s of one clear voice
_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def _note(midi: float) -> str:
    m = int(round(midi))
    return f"{_NAMES[m % 12]}{m // 12 - 1}"


def voice_words(voice: dict[str, Any]) -> str:
    """'female voice, range A3-E5, bright' for a measured voice."""
    words = [f"{voice['gender']} voice", f"range {_note(voice['low'])}-{_note(voice['high'])}"]
    words += list((voice.get("timbre") or {}).keys())
    return ", ".join(words)


def create_voice(ctx: WorkContext) -> WorkOutput:
    task = ctx.task
    url = task.params["audio_url"]

    def report(percent: float, stage: str) -> None:
        ctx.report(percent / 100.0 * 0.7, stage)

    recording = import_audio(ctx.services, url, str(uuid.uuid4()), task.api_key_id, task.id, report)
    seconds = len(recording.mix) / recording.sample_rate
    if seconds < MIN_RECORDING_S:
        raise EngineError(f"audio_url: the recording is {seconds:.1f} s long; a voice needs more than "
                          f"{MIN_RECORDING_S:g} s of one singer")
    ctx.report(0.75, "measuring the voice")
    try:
        profile = measure_voice(recording.mix, recording.sample_rate)
    except NoVoiceFound:
        try:  # a voice over an accompaniment: measure the separated vocal part
            profile = measure_voice(recording.stems["vocals"], recording.sample_rate)
        except (NoVoiceFound, KeyError) as exc:
            raise EngineError(f"audio_url: no singing voice could be measured ({exc})") from None
    voice = {"gender": profile.gender, "low": profile.low, "high": profile.high, "timbre": profile.timbre,
             "measured": profile.to_dict(), "source": "recording"}
    persona_id = f"persona-{uuid.uuid5(uuid.NAMESPACE_URL, f'openproducer:voice:{task.id}')}"
    host = urlsplit(url).hostname or "a recording"
    now = utcnow()
    persona = Persona(id=persona_id, api_key_id=task.api_key_id, name=f"Voice from {host}"[:200],
                      description=voice_words(voice), clip_id=None, profile={"voice": voice, "style": ""},
                      created_at=now)
    item = {
        "clip_id": persona_id, "persona_id": persona_id, "state": "succeeded", "title": persona.name,
        "tags": voice_words(voice), "lyrics": None, "image_url": None, "audio_url": None, "video_url": None,
        "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "gpt_description_prompt": None,
        "duration": round(seconds, 2), "negative_tags": None, "style_weight": None,
        "weirdness_constraint": None, "mv": None,
    }
    return WorkOutput(items=[item], rows=[persona])
