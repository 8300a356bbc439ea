"""Generation tasks: load the parent, ask the engine, splice edits onto the parent, finish."""

from __future__ import annotations

import json
import logging
from typing import Any

from openproducer.audio import artwork, splice
from openproducer.core.lease import Lease
from openproducer.core.outputs import ClipDraft, load_audio
from openproducer.core.services import Services
from openproducer.engines.base import ClipMeta, EngineRequest, Operation, ParentClip, RenderResult
from openproducer.engines.registry import EngineRegistry
from openproducer.media import fetch
from openproducer.store.tables import Clip, Task

__all__ = ["load_parent", "produce"]

log = logging.getLogger(__name__)

_JOIN_FADE_S = 0.01
# Share of the progress bar the engine's own work takes; finishing takes the rest.
_ENGINE_FROM, _ENGINE_TO = 5, 80


def load_parent(services: Services, clip: Clip) -> ParentClip:
    blobs = services.blobs
    audio, sr = load_audio(blobs, clip.files["wav"])
    stems = {}
    for role, key in clip.files.items():
        if role.startswith("stem:"):
            stems[role.removeprefix("stem:")], _ = load_audio(blobs, key)
    score = json.loads(blobs.get_bytes(clip.files["score"])) if "score" in clip.files else None
    return ParentClip(
        clip_id=clip.id, sample_rate=sr, audio=audio, stems=stems, score=score,
        meta=ClipMeta.from_dict(clip.meta), engine=clip.engine, sound=clip.sound, lyrics=clip.lyrics,
        seed=clip.seed,
    )


def _request(params: dict[str, Any], parent: ParentClip | None) -> EngineRequest:
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
        starts_at=params["starts_at"],
        ends_at=params["ends_at"],
        instruction=params["instruction"],
        profile=params.get("profile", "full"),
        mastered=params.get("mastered", True),
        parent=parent,
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


def produce(services: Services, engines: EngineRegistry, task: Task, lease: Lease, parent_clip: Clip | None):
    """Run a generation task up to the finished (not yet stored) clip draft."""
    params = task.params
    parent = load_parent(services, parent_clip) if parent_clip is not None else None
    lease.report(_ENGINE_FROM, "composing")
    request = _request(params, parent)

    def progress(fraction: float, stage: str) -> None:
        lease.report(_ENGINE_FROM + (_ENGINE_TO - _ENGINE_FROM) * max(0.0, min(1.0, fraction)), stage)

    # The route's engine, or its fallback for an operation it cannot perform.
    engine, result = engines.render(task.engine, request, progress)
    if parent is not None:
        _splice_onto_parent(result, request, parent)
    lease.report(_ENGINE_TO + 2, "finishing")
    meta = result.meta
    cover = _cover_art(services, params, meta.notes)
    return ClipDraft(
        clip_id=task.clip_ids[0], api_key_id=task.api_key_id, task_id=task.id, source="generated",
        engine=engine.name, sample_rate=result.sample_rate, mix=result.mix, stems=result.stems,
        score=result.score, meta=meta.to_dict(), cover_png=cover, title=params["title"] or _title(request),
        sound=request.sound, lyrics=request.lyrics, mv=params["mv"], seed=params["seed"],
        parent_clip_id=parent.clip_id if parent else None,
    )


def _title(request: EngineRequest) -> str:
    words = request.sound.split()[:5] or ["Untitled"]
    return " ".join(w.strip(",.;:!") for w in words).title()[:80]
