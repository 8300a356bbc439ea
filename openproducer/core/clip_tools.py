"""The Sonic family's synchronous clip tools: WAV link, MIDI, word timings, tempo, vocal segment,
tag expansion, and the one-shot uploads (upload then cover, extend or sample).

Each runs as an instant task (``core/instant.py``): planned and priced like a queued task, computed
in the request, charged and recorded only when it succeeded. Answers hold media paths; the router
adds the origin. Times a client sends and reads count from the start of the clip's own part.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import numpy as np

from openproducer.audio import artwork
from openproducer.core.clips import blob_key
from openproducer.core.errors import NotFound, ProducerError
from openproducer.core.instant import Computed, run_instant, upload_now
from openproducer.core.outputs import ClipDraft, store_clip
from openproducer.core.produce import load_parent
from openproducer.core.services import Services
from openproducer.engines.base import EngineError, ParentClip
from openproducer.families.base import Plan
from openproducer.families.common import media_path
from openproducer.families.sonic import SONIC
from openproducer.store.tables import Clip

__all__ = [
    "aligned_lyrics",
    "clip_bpm",
    "clip_midi",
    "upload",
    "upload_then",
    "upsample_tags",
    "vox",
    "wav",
]


def _clip(services: Services, clip_id: str) -> Clip:
    with services.db.session(write=False) as session:
        clip = session.get(Clip, clip_id)
    if clip is None:
        raise NotFound(f"Clip {clip_id} not found.")
    return clip


def _own_part(parent: ParentClip, audio: np.ndarray) -> np.ndarray:
    return audio[int(round(parent.offset * parent.sample_rate)):]


# --- WAV -------------------------------------------------------------------------------------------
def wav(services: Services, api_key_id: int, body: dict[str, Any], idempotency_key: str | None = None
        ) -> tuple[str, dict[str, Any]]:
    """``{"wav_url": ...}``: the clip's lossless file (every clip keeps one)."""
    def compute(plan: Plan, _task_id: str) -> Computed:
        clip = _clip(services, plan.params["clip_id"])
        path = media_path(clip, "audio.wav")
        if path is None:
            raise EngineError("clip_id: the clip has no WAV file")
        return Computed([{"wav_url": path}])

    task_id, result = run_instant(services, api_key_id, SONIC, "wav", body, compute, idempotency_key)
    return task_id, result[0]


def upload(services: Services, api_key_id: int, body: dict[str, Any], idempotency_key: str | None = None
           ) -> tuple[str, str]:
    """(task id, the uploaded clip's id)."""
    return upload_now(services, api_key_id, SONIC, "upload", body, body["url"], idempotency_key)


# --- MIDI ------------------------------------------------------------------------------------------
def _transcribed_parts(parent: ParentClip) -> list[Any]:
    from openproducer.audio.midi import VOICE_PROGRAM, MidiPart
    from openproducer.audio.transcribe import drum_hits, transcribe, voice_line

    split = parent.vocal_parts()
    vocals, band = _own_part(parent, split["vocals"]), _own_part(parent, split["instrumental"])
    sr = parent.sample_rate
    parts = []
    if parent.meta.has_vocals or parent.engine == "upload":
        line = voice_line(vocals, sr)
        if line:
            parts.append(MidiPart("Vocals", VOICE_PROGRAM, False, line))
    notes = transcribe(band, sr)
    bass = [n for n in notes if n.pitch < 48]
    rest = [n for n in notes if n.pitch >= 48]
    if bass:
        parts.append(MidiPart("Bass", 33, False, bass))
    if rest:
        parts.append(MidiPart("Instrumental", 0, False, rest))
    hits = drum_hits(band, sr)
    if hits:
        parts.append(MidiPart("Drums", 0, True, hits))
    return parts


def clip_midi(services: Services, api_key_id: int, body: dict[str, Any], idempotency_key: str | None = None
              ) -> tuple[str, dict[str, Any]]:
    """``{"midi_url", "instruments", "source"}``: the score as MIDI, or a transcription of the audio."""
    from openproducer.audio.midi import instruments_json, parts_from_score, write_midi

    def compute(plan: Plan, _task_id: str) -> Computed:
        clip = _clip(services, plan.params["clip_id"])
        if "midi" in clip.files and "midi_json" in clip.files:  # made before: the same file again
            cached = json.loads(services.blobs.get_bytes(clip.files["midi_json"]))
            return Computed([{"midi_url": media_path(clip, "song.mid"), **cached}])
        parent = load_parent(services, clip)
        score = parent.score or {}
        if score.get("engine") == "composer":
            parts = parts_from_score(score, parent.offset)
            source = "score"
        else:
            parts = _transcribed_parts(parent)
            source = "transcription (basic-pitch)"
        if not parts:
            raise EngineError("clip_id: no notes were found in the clip")
        data = write_midi(parts, float(parent.meta.bpm or 120.0))
        listing = {"instruments": instruments_json(parts), "source": source}
        services.blobs.put_bytes(blob_key(clip.id, "song.mid"), data, "audio/midi")
        services.blobs.put_bytes(blob_key(clip.id, "midi.json"), json.dumps(listing).encode(), "application/json")
        clip.files = {**clip.files, "midi": blob_key(clip.id, "song.mid"), "midi_json": blob_key(clip.id, "midi.json")}
        return Computed([{"midi_url": media_path(clip, "song.mid"), **listing}], rows=[clip])

    task_id, result = run_instant(services, api_key_id, SONIC, "midi", body, compute, idempotency_key)
    return task_id, result[0]


# --- word timings ----------------------------------------------------------------------------------
def _engine_words(clip: Clip) -> list[dict[str, Any]] | None:
    timing = (clip.meta or {}).get("lyrics_timing") or []
    if not timing:
        return None
    return [{"word": w["word"], "start_s": round(float(w["start"]), 3), "end_s": round(float(w["end"]), 3),
             "success": True, "p_align": 1.0} for w in timing]


def aligned_lyrics(services: Services, api_key_id: int, body: dict[str, Any], idempotency_key: str | None = None
                   ) -> tuple[str | None, dict[str, Any]]:
    """(task id, ``{"alignment": [{word, start_s, end_s, success, p_align}], "source"}``); the first
    call per clip costs a credit (a task), later ones answer the stored alignment free (no task)."""
    from openproducer.audio.align import align_words, lyric_lines

    clip = _owned_clip(services, api_key_id, body.get("clip_id"))
    cached = (clip.meta or {}).get("alignment")
    if cached:
        return None, cached
    if not (clip.lyrics or "").strip() or not (clip.meta or {}).get("has_vocals", clip.source == "upload"):
        raise NotFound(f"Clip {clip.id} has no sung lyrics to align.")

    def compute(plan: Plan, _task_id: str) -> Computed:
        words = _engine_words(clip)
        source = "engine"
        if words is None:
            parent = load_parent(services, clip)
            vocals = _own_part(parent, parent.vocal_parts()["vocals"])
            found = align_words(vocals, parent.sample_rate, lyric_lines(clip.lyrics))
            if not found:
                raise EngineError("clip_id: no sung voice was found to align the lyrics to")
            words = [{"word": w.word, "start_s": w.start, "end_s": w.end, "success": w.success,
                      "p_align": w.p_align} for w in found]
            source = "forced alignment"
        answer = {"alignment": words, "source": source}
        clip.meta = {**clip.meta, "alignment": answer}
        return Computed([answer], rows=[clip])

    task_id, result = run_instant(services, api_key_id, SONIC, "aligned_lyrics", body, compute, idempotency_key)
    return task_id, result[0]


def _owned_clip(services: Services, api_key_id: int, clip_id: Any) -> Clip:
    if not isinstance(clip_id, str) or not clip_id or len(clip_id) > 64:
        raise NotFound("Clip not found.")
    clip = _clip(services, clip_id)
    if clip.api_key_id != api_key_id:
        raise NotFound(f"Clip {clip_id} not found.")
    return clip


# --- tempo -----------------------------------------------------------------------------------------
def clip_bpm(services: Services, api_key_id: int, body: dict[str, Any], idempotency_key: str | None = None
             ) -> tuple[str, dict[str, float]]:
    from openproducer.audio.tempo import NoBeat, measure_bpm

    def compute(plan: Plan, _task_id: str) -> Computed:
        parent = load_parent(services, _clip(services, plan.params["clip_id"]))
        try:
            return Computed([measure_bpm(_own_part(parent, parent.audio), parent.sample_rate)])
        except NoBeat as exc:
            raise EngineError(f"clip_id: {exc}") from None

    task_id, result = run_instant(services, api_key_id, SONIC, "bpm", body, compute, idempotency_key)
    return task_id, result[0]


# --- vocal segment ---------------------------------------------------------------------------------
def vox(services: Services, api_key_id: int, body: dict[str, Any], idempotency_key: str | None = None
        ) -> tuple[str, dict[str, Any]]:
    """The vocal part between vocal_start_s and vocal_end_s, as a new clip (usable as a clip id)."""
    def compute(plan: Plan, task_id: str) -> Computed:
        clip = _clip(services, plan.params["clip_id"])
        parent = load_parent(services, clip)
        sr = parent.sample_rate
        vocals = _own_part(parent, parent.vocal_parts()["vocals"])
        start, end = float(plan.params["start"]), float(plan.params["end"])
        segment = vocals[int(round(start * sr)): int(round(end * sr))]
        if not np.any(np.abs(segment) > 1e-4):
            raise EngineError("vocal_start_s: there is no voice in this window of the clip")
        exact = "vocals" in parent.stems and (parent.score or {}).get("engine") == "composer"
        method = "exact: the song's own vocal part" if exact else "separation (repet-sim)"
        meta = {k: v for k, v in (clip.meta or {}).items() if k not in ("timeline", "offset_s", "alignment")}
        meta.update(duration=round(len(segment) / sr, 3), sections=[], has_vocals=True, extra={
            **(meta.get("extra") or {}), "vox_of": clip.id, "vox_window": [start, end], "vox_method": method})
        meta["lyrics_timing"] = [{**w, "start": round(w["start"] - start, 3), "end": round(w["end"] - start, 3)}
                                 for w in meta.get("lyrics_timing", []) if start <= w["start"] < end]
        draft = ClipDraft(
            clip_id=str(uuid.uuid4()), api_key_id=clip.api_key_id, task_id=task_id, source="vox",
            engine=clip.engine, sample_rate=sr, mix=segment, stems={"vocals": segment}, score=None, meta=meta,
            cover_png=artwork.draw_cover(f"{clip.title or 'Untitled'} (vox)", clip.sound, clip.seed),
            title=f"{clip.title or 'Untitled'} (vox)"[:200], sound=clip.sound, lyrics=clip.lyrics, mv=clip.mv,
            seed=clip.seed, parent_clip_id=clip.id,
        )
        stored = store_clip(services.blobs, draft)
        data = {"vox_audio_id": stored.id, "clip_id": stored.id, "audio_url": media_path(stored, "audio.mp3"),
                "wav_url": media_path(stored, "audio.wav"), "vocal_start_s": round(start, 3),
                "vocal_end_s": round(end, 3), "duration": round(len(segment) / sr, 3), "method": method}
        return Computed([data], rows=[stored])

    task_id, result = run_instant(services, api_key_id, SONIC, "vox", body, compute, idempotency_key)
    return task_id, result[0]


# --- tags ------------------------------------------------------------------------------------------
def upsample_tags(services: Services, api_key_id: int, body: dict[str, Any], idempotency_key: str | None = None
                  ) -> tuple[str, str]:
    from openproducer.core.tag_words import expand_tags

    def compute(plan: Plan, _task_id: str) -> Computed:
        return Computed([{"upsampled_tags": expand_tags(plan.params["tags"])}])

    task_id, result = run_instant(services, api_key_id, SONIC, "upsample_tags", body, compute, idempotency_key)
    return task_id, result[0]["upsampled_tags"]


# --- one call, two steps ---------------------------------------------------------------------------
def upload_then(services: Services, api_key_id: int, body: dict[str, Any], step: str, task_type: str,
                parent_field: str, idempotency_key: str | None = None) -> tuple[int, dict[str, Any]]:
    """Upload ``body["url"]``, then submit ``task_type`` on the new clip. (HTTP status, answer):

    * the upload fails: 400, nothing made or charged, ``failed_step`` "upload";
    * the second step is refused: 200 with ``code`` 400, the uploaded clip in ``steps.upload``
      (it was made and charged, and can be used), ``failed_step`` naming the step;
    * both succeed: 200 with ``code`` 200, ``task_id`` to poll at ``/sonic/task/{task_id}``.
    """
    from openproducer.core.submit import submit

    steps: dict[str, Any] = {}
    first = f"{idempotency_key}:upload" if idempotency_key else None
    try:
        upload_task, clip_id = upload(services, api_key_id, {"url": body["url"]}, first)
    except ProducerError as exc:
        steps["upload"] = {"success": False, "error": exc.message}
        return exc.status, {"code": exc.status, "type": exc.type, "error": exc.message,
                            "message": f"upload failed: {exc.message}", "steps": steps, "failed_step": "upload"}
    steps["upload"] = {"success": True, "clip_id": clip_id, "task_id": upload_task}
    rest = {k: v for k, v in body.items() if k != "url"}
    rest[parent_field] = clip_id
    second = f"{idempotency_key}:{step}" if idempotency_key else None
    try:
        task_id = submit(services, api_key_id, SONIC, task_type, rest, second)
    except ProducerError as exc:
        steps[step] = {"success": False, "error": exc.message}
        return 200, {"code": exc.status, "message": f"{step} failed: {exc.message}", "steps": steps,
                     "failed_step": step}
    steps[step] = {"success": True, "task_id": task_id}
    return 200, {"code": 200, "message": "success", "task_id": task_id, "steps": steps}
