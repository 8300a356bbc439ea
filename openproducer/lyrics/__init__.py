"""Lyric writers: the built-in one (no network model, the default) and an optional language model
behind an OpenAI-compatible endpoint, which falls back to the built-in one. See docs/lyrics.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openproducer.lyrics.llm import OpenAIWriter
from openproducer.lyrics.sheet import LyricSheet, LyricWriter
from openproducer.lyrics.song import BuiltinWriter, preload, write_lyrics

if TYPE_CHECKING:
    from openproducer.core.config import LyricsSettings

__all__ = ["BuiltinWriter", "LyricSheet", "LyricWriter", "OpenAIWriter", "preload", "write_lyrics",
           "writer_from_settings"]


def writer_from_settings(settings: LyricsSettings) -> LyricWriter:
    """The writer the operator configured: ``builtin`` (default) or ``openai``."""
    builtin = BuiltinWriter()
    if settings.backend == "builtin":
        return builtin
    if not settings.base_url or not settings.model:
        raise ValueError("lyrics.backend 'openai' needs lyrics.base_url and lyrics.model")
    return OpenAIWriter(settings.base_url, settings.model, fallback=builtin, api_key=settings.api_key,
                        timeout_s=settings.timeout_s)
