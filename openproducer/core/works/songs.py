"""Works on whole songs that need no engine: joining an extension to its song, remastering."""

from __future__ import annotations

from typing import Any

import numpy as np

from openproducer.audio import artwork
from openproducer.audio.remaster import remaster as remaster_audio
from openproducer.core.outputs import ClipDraft
from openproducer.core.works.context import WorkContext, WorkOutput, clip_seed
from openproducer.engines.base import EngineError, ParentClip
from openproducer.store.tables import Clip

__all__ = ["concat", "remaster"]


def _chain_lyrics(ctx: WorkContext, clip: Clip) -> str:
    """The words of a song made by extensions: each part's lyrics once, oldest first."""
    parts: list[str] = []
    seen: set[str] = set()
    current: Clip | None = clip
    while current is not None:
        text = (current.lyrics or "").strip()
        if text and text not in seen:
            parts.append(text)
            seen.add(text)
        if not (current.meta or {}).get("offset_s") or not current.parent_clip_id:
            break
        with ctx.services.db.session(write=False) as session:
            current = session.get(Clip, current.parent_clip_id)
    return "\n\n".join(reversed(parts))


def concat(ctx: WorkContext) -> WorkOutput:
    """The whole song an extension belongs to: the song it continues up to where it starts, then it."""
    task = ctx.task
    clip = ctx.clip(task.params["clip_id"], "The clip to concatenate no longer exists.")
    if clip is None or not (clip.meta or {}).get("offset_s"):
        raise EngineError("continue_clip_id is not an extension; there is nothing to join")
    ctx.report(0.1, "joining")
    song = ctx.parent(clip.id)
    whole = dict(clip.meta.get("timeline") or {})
    meta = {k: v for k, v in clip.meta.items() if k not in ("timeline", "offset_s")}
    meta.update(sections=whole.get("sections", []), lyrics_timing=whole.get("lyrics_timing", []),
                duration=round(len(song.audio) / song.sample_rate, 3))
    meta.setdefault("notes", [])
    meta["notes"] = [*meta["notes"], "The whole song: the clip it extends up to where the extension starts, "
                                     "then the extension."]
    ctx.report(0.8, "finishing")
    draft = ClipDraft(
        clip_id=task.clip_ids[0], api_key_id=task.api_key_id, task_id=task.id, source="generated",
        engine=clip.engine, sample_rate=song.sample_rate, mix=song.audio, stems=song.stems, score=song.score,
        meta=meta, cover_png=artwork.draw_cover(clip.title or "Untitled", clip.sound, clip.seed),
        title=clip.title, sound=clip.sound, lyrics=_chain_lyrics(ctx, clip), mv=task.params.get("mv") or clip.mv,
        seed=clip.seed, parent_clip_id=clip.id,
    )
    return WorkOutput(drafts=[draft])


def _own_part(parent: ParentClip) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    start = int(round(parent.offset * parent.sample_rate))
    return parent.audio[start:], {name: stem[start:] for name, stem in parent.stems.items()}


def remaster(ctx: WorkContext) -> WorkOutput:
    """New masters of the parent's music, one per clip, each with its own seed's sound."""
    task = ctx.task
    params: dict[str, Any] = task.params
    clip = ctx.clip(params["clip_id"])
    parent = ctx.parent(params["clip_id"])
    if clip is None or parent is None:
        raise EngineError("The clip to remaster no longer exists.")
    audio, stems = _own_part(parent)
    drafts = []
    for index, clip_id in enumerate(task.clip_ids):
        ctx.slice(index, len(task.clip_ids))(0.1, "remastering")
        seed = clip_seed(int(params["seed"]), index)
        mix, info = remaster_audio(audio, parent.sample_rate, params["variation_category"], seed)
        meta = {k: v for k, v in clip.meta.items() if k not in ("timeline", "offset_s")}
        meta["extra"] = {**meta.get("extra", {}), "remaster": info}
        drafts.append(ClipDraft(
            clip_id=clip_id, api_key_id=task.api_key_id, task_id=task.id, source="generated",
            engine=clip.engine, sample_rate=parent.sample_rate, mix=mix, stems=stems,
            score=parent.score if parent.offset == 0 else None,
            meta=meta, cover_png=artwork.draw_cover(clip.title or "Untitled", clip.sound, seed),
            title=clip.title, sound=clip.sound, lyrics=clip.lyrics, mv=params.get("mv") or clip.mv, seed=seed,
            parent_clip_id=clip.id,
        ))
    return WorkOutput(drafts=drafts)
