"""Rendering a clip: load the parent, ask the engine, splice edits onto the parent, draw the cover."""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from openproducer.audio import artwork, encode, splice
from openproducer.audio.master import master_planar
from openproducer.audio.shape import as_stereo, fit_length, interleaved
from openproducer.core.clips import blob_key
from openproducer.core.outputs import ClipDraft, load_audio, wait_until_stored
from openproducer.core.services import Services
from openproducer.engines.base import ClipMeta, EngineRequest, Operation, ParentClip, RenderResult
from openproducer.engines.registry import EngineRegistry
from openproducer.media import fetch
from openproducer.media.base import BlobStore
from openproducer.store.clock import as_utc, utcnow
from openproducer.store.tables import Clip, Task

__all__ = ["load_parent", "produce"]

log = logging.getLogger(__name__)

_JOIN_FADE_S = 0.01
_COVERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cover")


def load_parent(services: Services, clip: Clip) -> ParentClip:
    """The clip as an edit's parent: the whole song it belongs to (its timeline, for a clip that is
    the new part of an extension) with its stems, score and metadata."""
    blobs = services.blobs
    audio, sr = load_audio(blobs, clip.files.get("timeline") or clip.files["wav"])
    stems = {}
    for role, key in clip.files.items():
        if role.startswith("stem:") and _stored(blobs, key, clip):
            stems[role.removeprefix("stem:")], _ = load_audio(blobs, key)
    score = json.loads(blobs.get_bytes(clip.files["score"])) if "score" in clip.files else None
    return ParentClip(
        clip_id=clip.id, sample_rate=sr, audio=audio, stems=stems, score=score,
        meta=ClipMeta.from_dict(clip.meta), engine=clip.engine, sound=clip.sound, lyrics=clip.lyrics,
        seed=clip.seed, offset=float((clip.meta or {}).get("offset_s", 0.0)),
    )


# How long an edit waits for a young parent's stem that another process is still storing.
_STEM_WAIT_S = 30.0
_STEM_POLL_S = 0.05


def _stored(blobs: BlobStore, key: str, clip: Clip) -> bool:
    """Whether the stem ``key`` of ``clip`` can be read. Stems are stored just after their task
    answers SUCCESS (``outputs.store_clip``): this process waits for its own in ``load_audio``;
    one another worker is storing appears within moments. A stem that never came (its process
    stopped first) is left out: the edit works from the mix (``ParentClip.vocal_parts``)."""
    if not wait_until_stored(key):  # this process failed to store it
        log.warning("clip %s: stem %s was not stored; the edit works from the mix", clip.id, key)
        return False
    deadline = time.monotonic() + _STEM_WAIT_S
    young = utcnow() - as_utc(clip.created_at) < timedelta(seconds=_STEM_WAIT_S)
    while not blobs.exists(key):
        if not young or time.monotonic() > deadline:
            log.warning("clip %s: stem %s was never stored; the edit works from the mix", clip.id, key)
            return False
        time.sleep(_STEM_POLL_S)
    return True


def _request(params: dict[str, Any], parent: ParentClip | None) -> EngineRequest:
    """The engine request of a render. Times in ``params`` count from the start of the parent's own
    part; the engine works on the parent's whole song, so they move by the parent's offset."""
    offset = parent.offset if parent is not None else 0.0

    def absolute(seconds: float | None) -> float | None:
        return None if seconds is None else float(seconds) + offset

    voice = params.get("voice")
    return EngineRequest(
        operation=Operation(params["operation"]),
        sound=params["sound"] or (parent.sound if parent else ""),
        lyrics=params["lyrics"] or (parent.lyrics if parent and not params["make_instrumental"] else ""),
        title=params["title"],
        make_instrumental=params["make_instrumental"],
        seed=params["seed"],
        bpm=params["bpm"],
        length=params["length"],
        lyrics_strength=params["lyrics_strength"],
        sound_strength=params["sound_strength"],
        weirdness=params["weirdness"],
        cover_strength=params["cover_strength"],
        starts_at=absolute(params["starts_at"]),
        ends_at=absolute(params["ends_at"]),
        instruction=params["instruction"],
        profile=params.get("profile", "full"),
        mastered=params.get("mastered", True),
        parent=parent,
        avoid=tuple(params.get("avoid") or ()),
        voice=dict(voice) if voice else None,
        form=[(str(name), float(seconds)) for name, seconds in params["form"]] if params.get("form") else None,
    )


def _splice_onto_parent(result: RenderResult, request: EngineRequest, parent: ParentClip) -> None:
    """Outside the edited window the result carries the parent's own samples, bit for bit."""
    if request.operation not in (Operation.EXTEND, Operation.REPLACE) or request.starts_at is None:
        return
    if parent.sample_rate != result.sample_rate:
        raise ValueError("engine returned a different sample rate than its parent")
    end = request.ends_at if request.operation is Operation.REPLACE else None

    def join(old, new):  # type: ignore[no-untyped-def]
        return splice.keep_outside(old, new, result.sample_rate, request.starts_at, end, fade_s=_JOIN_FADE_S)

    result.mix = join(parent.audio, result.mix)
    for name, stem in list(result.stems.items()):
        if name in parent.stems:
            result.stems[name] = join(parent.stems[name], stem)
    result.meta.duration = len(result.mix) / result.sample_rate


# The part an add-vocals / add-instrumental request brings: the stem that is new.
_NEW_PART = {Operation.SWAP_VOCALS: "vocals", Operation.SWAP_SOUND: "instrumental"}
_OVERPAINT_FADE_S = 0.08


def _overpaint(result: RenderResult, request: EngineRequest, parent: ParentClip, window: list[float]) -> None:
    """Keep the new part only inside ``window`` (seconds of the parent's own part): outside it the
    parent's own part (its vocals, or its accompaniment) plays, joined with short crossfades; the
    mix is mastered again from the stems."""
    name = _NEW_PART.get(request.operation)
    if name is None or name not in result.stems:
        return
    sr = result.sample_rate
    start, end = parent.offset + float(window[0]), parent.offset + float(window[1])
    old = parent.vocal_parts()[name]
    new = fit_length(as_stereo(result.stems[name]), len(old))
    result.stems[name] = splice.keep_outside(old, new, sr, start, end, fade_s=_OVERPAINT_FADE_S)
    n = len(old)
    total = np.zeros((2, n), dtype=np.float32)
    for stem in result.stems.values():
        total += fit_length(as_stereo(stem), n).T
    mastered, _ = master_planar(total, sr, mastered=request.mastered)
    result.mix = interleaved(mastered)
    if name == "vocals":  # only the words inside the window are sung
        result.meta.lyrics_timing = [w for w in result.meta.lyrics_timing if start - 0.05 <= w.start < end]
    result.meta.duration = n / sr


def _cover_art(services: Services, params: dict[str, Any], notes: list[str]) -> bytes:
    url = params.get("cover_url")
    if url:
        try:
            fetched = fetch.fetch_url(
                url, max_bytes=10 * 1024 * 1024, timeout_s=services.settings.fetch_timeout_s,
                allow_private=services.settings.allow_private_urls, accept="image",
            )
            return artwork.normalise_cover(fetched.data)
        except (fetch.FetchError, artwork.ArtworkError) as exc:
            notes.append(f"cover_url was not used ({exc}); the cover is drawn instead.")
    return artwork.draw_cover(params["title"] or "Untitled", params["sound"], params["seed"])


def produce(
    services: Services,
    engines: EngineRegistry,
    task: Task,
    params: dict[str, Any],
    clip_id: str,
    parent: ParentClip | None,
    progress: Callable[[float, str], None],
) -> ClipDraft:
    """Render one clip of a "render" task up to its finished (not yet stored) draft.

    ``params`` are the task's render parameters (a multi-clip task varies the seed per clip);
    ``progress(fraction, stage)`` reports this clip's share of the task's progress. With
    ``new_part_only`` (Sonic's extend) the clip is the continuation alone: its files start at
    ``starts_at``, and the whole song is kept as its timeline.
    """
    progress(0.0, "composing")
    request = _request(params, parent)
    cover_notes: list[str] = []
    cover = _COVERS.submit(_cover_art, services, params, cover_notes)  # drawn (or fetched) while the engine works

    # The route's engine, or its fallback for an operation it cannot perform.
    engine, result = engines.render(task.engine, request, progress)
    if parent is not None:
        _splice_onto_parent(result, request, parent)
        if params.get("overpaint"):
            _overpaint(result, request, parent, params["overpaint"])
    progress(1.0, "finishing")
    offset = parent.offset if parent is not None else 0.0
    if params.get("new_part_only") and request.starts_at is not None:
        offset = float(request.starts_at)
    meta = result.meta
    cover_png = cover.result()
    meta.notes.extend(cover_notes)
    draft = ClipDraft(
        clip_id=clip_id, api_key_id=task.api_key_id, task_id=task.id, source="generated",
        engine=engine.name, sample_rate=result.sample_rate, mix=result.mix, stems=result.stems,
        score=result.score, meta=meta.to_dict(), cover_png=cover_png, title=params["title"] or _title(request),
        sound=request.sound, lyrics=request.lyrics, mv=params["mv"], seed=params["seed"],
        parent_clip_id=parent.clip_id if parent else None,
    )
    if offset > 0:
        keep_from(services, draft, offset)
    return draft


def keep_from(services: Services, draft: ClipDraft, offset: float) -> None:
    """Make ``draft`` the part of its song from ``offset`` on: the whole song is stored as the clip's
    timeline (for later edits and concatenation), its files and metadata cover the part alone."""
    sr = draft.sample_rate
    start = min(len(draft.mix), int(round(offset * sr)))
    with tempfile.TemporaryDirectory(prefix="op-timeline-") as tmp:
        path = encode.write_flac(Path(tmp) / "timeline.flac", draft.mix, sr)
        key = blob_key(draft.clip_id, "timeline.flac")
        services.blobs.put_file(key, path, "audio/flac")
    draft.extra_files["timeline"] = key
    draft.mix = draft.mix[start:]
    draft.meta = part_meta(draft.meta, start / sr, len(draft.mix) / sr)


def part_meta(meta: dict[str, Any], offset: float, duration: float) -> dict[str, Any]:
    """Metadata of the part of a song from ``offset`` on: times moved to the part's own clock; the
    whole song's sections and word timings are kept under ``timeline``."""
    sections = [
        {**s, "start": round(max(0.0, s["start"] - offset), 3), "end": round(s["end"] - offset, 3)}
        for s in meta.get("sections", []) if s["end"] > offset
    ]
    words = [
        {**w, "start": round(w["start"] - offset, 3), "end": round(w["end"] - offset, 3)}
        for w in meta.get("lyrics_timing", []) if w["start"] >= offset - 1e-6
    ]
    whole = meta.get("timeline") or {k: meta.get(k) for k in ("sections", "lyrics_timing", "duration")}
    return {**meta, "sections": sections, "lyrics_timing": words, "duration": round(duration, 3),
            "offset_s": round(offset, 6), "timeline": whole}


def _title(request: EngineRequest) -> str:
    words = request.sound.split()[:5] or ["Untitled"]
    return " ".join(w.strip(",.;:!") for w in words).title()[:80]
