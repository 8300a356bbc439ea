"""Works that move audio in or out: an upload becomes a clip; a download names an existing clip."""

from __future__ import annotations

from openproducer.core import uploads
from openproducer.core.works.context import WorkContext, WorkOutput

__all__ = ["download", "upload"]


def upload(ctx: WorkContext) -> WorkOutput:
    return WorkOutput(drafts=[uploads.import_upload(ctx.services, ctx.task, ctx.lease)])


def download(ctx: WorkContext) -> WorkOutput:
    clip = ctx.clip(ctx.task.params["clip_id"], "The clip to download no longer exists.")
    return WorkOutput(existing=[clip] if clip is not None else [])
