"""The kinds of work a task can be, found by name (a family's ``TaskSpec.kind``).

A work makes a task's clips: new clips as drafts (the runner stores them and commits them with
the task's SUCCESS), or existing clips the result refers to (a download). Works never write the
database; they report progress through their context.
"""

from __future__ import annotations

from openproducer.core.works.context import WORK_FROM, WORK_TO, Work, WorkContext, WorkOutput, clip_seed
from openproducer.core.works.lyrics import make_lyrics
from openproducer.core.works.remix import mashup, replace_section, sample
from openproducer.core.works.render import render
from openproducer.core.works.songs import concat, remaster
from openproducer.core.works.stems import stems
from openproducer.core.works.transfer import download, upload
from openproducer.core.works.voice import create_voice

__all__ = ["WORKS", "WORK_FROM", "WORK_TO", "Work", "WorkContext", "WorkOutput", "clip_seed"]

# The one place works are registered: kind -> function.
WORKS: dict[str, Work] = {
    "render": render,
    "upload": upload,
    "download": download,
    "concat": concat,
    "remaster": remaster,
    "lyrics": make_lyrics,
    "stems": stems,
    "voice": create_voice,
    "mashup": mashup,
    "sample": sample,
    "replace_section": replace_section,
}
