"""Personas: a voice and a style taken from a clip, for later songs to sing with.

From a composer clip the voice is the singer the engine used (exact), with the range of the notes
it sang; from any other clip (an upload, a neural song) it is measured from the clip's vocal part
(``audio/voice.py``). The style is the clip's prompt words, with the request's ``styles`` first.
"""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np

from openproducer.audio.voice import NoVoiceFound, measure_voice
from openproducer.core.errors import InvalidParameter
from openproducer.core.produce import load_parent
from openproducer.core.services import Services
from openproducer.engines.base import ParentClip
from openproducer.store.clock import utcnow
from openproducer.store.tables import Clip, Persona

__all__ = ["make_persona", "voice_of"]


def _score_voice(parent: ParentClip, start: float | None, end: float | None) -> dict[str, Any] | None:
    score = parent.score or {}
    mel = score.get("melody") or {}
    if score.get("engine") != "composer" or not mel.get("voice"):
        return None
    spb = 60.0 / float(score["bpm"])
    lo = parent.offset + (start or 0.0)
    hi = parent.offset + end if end is not None else float("inf")
    pitches = [n[2] for n in mel.get("notes", []) if n[4] and lo <= n[0] * spb < hi]
    if not pitches:
        return None
    singer = dict(mel.get("singer") or {})
    singer.setdefault("espeak", mel["voice"])
    gender = singer.get("gender") or ("female" if str(mel["voice"]).split("+")[-1].startswith("f") else "male")
    return {"gender": gender, "low": float(np.percentile(pitches, 5)), "high": float(np.percentile(pitches, 95)),
            "singer": singer, "source": "score"}


def voice_of(parent: ParentClip, start: float | None = None, end: float | None = None) -> dict[str, Any]:
    """The voice of ``parent``'s own part (or its window [start, end), seconds of that part)."""
    found = _score_voice(parent, start, end)
    if found is not None:
        return found
    vocals = parent.vocal_parts()["vocals"]
    sr = parent.sample_rate
    a = int(round((parent.offset + (start or 0.0)) * sr))
    b = len(vocals) if end is None else int(round((parent.offset + end) * sr))
    try:
        profile = measure_voice(vocals[a:b], sr)
    except NoVoiceFound as exc:
        raise InvalidParameter("clip_id", f"has no voice to take a persona from: {exc}") from None
    return {"gender": profile.gender, "low": profile.low, "high": profile.high, "timbre": profile.timbre,
            "measured": profile.to_dict(), "source": "measured"}


def make_persona(services: Services, api_key_id: int, params: dict[str, Any], clip: Clip) -> Persona:
    parent = load_parent(services, clip)
    voice = voice_of(parent, params.get("vocal_start_s"), params.get("vocal_end_s"))
    style = ", ".join(part for part in (params.get("styles"), clip.sound) if part)[:500]
    return Persona(
        id=f"persona-{uuid.uuid4()}", api_key_id=api_key_id, name=params["name"],
        description=params.get("description", ""), clip_id=clip.id,
        profile={"voice": voice, "style": style}, created_at=utcnow(),
    )
