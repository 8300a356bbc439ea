"""The stems task (``/sonic/stems/basic``, ``/sonic/stems/full``): one new clip per stem.

A stem clip's id is derived from the task's id and the stem's name, so a rerun of the task
overwrites its own clips (the invariant that fixed clip ids keep for other tasks).
"""

from __future__ import annotations

import uuid
from typing import Any

from openproducer.core.outputs import ClipDraft
from openproducer.core.stem_split import split_song
from openproducer.core.works.context import WorkContext, WorkOutput
from openproducer.engines.base import EngineError
from openproducer.store.tables import Clip

__all__ = ["stem_clip_id", "stems"]

# The order stems are listed in (the rest alphabetically after these).
_ORDER = ("vocals", "instrumental", "drums", "bass", "keys", "guitar", "strings", "brass", "woodwinds", "synth")


def stem_clip_id(task_id: str, stem: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"openproducer:stems:{task_id}:{stem}"))


def _soundfont(ctx: WorkContext) -> Any:
    try:
        return getattr(ctx.engines.get("composer"), "soundfont", None)
    except EngineError:
        return None


def _separator(ctx: WorkContext) -> Any:
    model = ctx.services.settings.separation_model
    if not model:
        return None
    from openproducer.core.uploads import load_separator

    return load_separator(model)


def _meta(clip: Clip, stem: str, method: str, residual_db: float | None, notes: list[str]) -> dict[str, Any]:
    meta = {k: v for k, v in (clip.meta or {}).items() if k not in ("timeline", "offset_s")}
    vocal = stem in ("vocals", "backing vocals")
    meta["has_vocals"] = bool(vocal and meta.get("has_vocals"))
    meta["vocal_kind"] = meta.get("vocal_kind") if vocal else None
    if stem != "vocals":  # the word timings are the lead's
        meta["lyrics_timing"] = []
    made = "exact: rendered from the song's score" if method == "score" else method
    meta["notes"] = [f"The {stem} stem of the clip {clip.id} ({made}).", *notes]
    meta["extra"] = {**(meta.get("extra") or {}), "stem": stem, "stem_method": method, "stem_of": clip.id,
                     "model_residual_db": residual_db}
    return meta


def stems(ctx: WorkContext) -> WorkOutput:
    task = ctx.task
    clip = ctx.clip(task.params["clip_id"], "The clip to split no longer exists.")
    parent = ctx.parent(task.params["clip_id"])
    if clip is None or parent is None:
        raise EngineError("The clip to split no longer exists.")
    ctx.report(0.02, "loading")
    found = split_song(parent, bool(task.params.get("full")), _soundfont(ctx), _separator(ctx), ctx.report)
    start = int(round(parent.offset * parent.sample_rate))
    cover = ctx.services.blobs.get_bytes(clip.files["image"]) if "image" in clip.files else b""
    if not cover:
        from openproducer.audio import artwork

        cover = artwork.draw_cover(clip.title or "Untitled", clip.sound, clip.seed)
    names = sorted(found.stems, key=lambda s: (_ORDER.index(s) if s in _ORDER else len(_ORDER), s))
    drafts = []
    for name in names:
        method = found.method.get(name, "separation")
        drafts.append(ClipDraft(
            clip_id=stem_clip_id(task.id, name), api_key_id=task.api_key_id, task_id=task.id, source="stem",
            engine=clip.engine, sample_rate=parent.sample_rate, mix=found.stems[name][start:], stems={},
            score=None, meta=_meta(clip, name, method, found.residual_db, found.notes), cover_png=cover,
            title=f"{clip.title or 'Untitled'} ({name})"[:200], sound=clip.sound,
            lyrics=clip.lyrics if name == "vocals" else "", mv=clip.mv, seed=clip.seed, parent_clip_id=clip.id,
        ))
    return WorkOutput(drafts=drafts)
