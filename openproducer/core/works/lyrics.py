"""The legacy asynchronous lyrics task (``/suno/make-lyrics``): a titled sheet for a description."""

from __future__ import annotations

from openproducer.core.works.context import WorkContext, WorkOutput

__all__ = ["make_lyrics"]


def make_lyrics(ctx: WorkContext) -> WorkOutput:
    from openproducer.lyrics import writer_from_settings

    ctx.report(0.1, "writing lyrics")
    description = ctx.task.params["description"]
    sheet = writer_from_settings(ctx.services.settings.lyrics).write(description, int(ctx.task.params["seed"]))
    return WorkOutput(items=[{"title": sheet.title, "text": sheet.lyrics}])
