"""composer v1: a CPU music engine (prompt -> score -> General MIDI soundfont -> master)."""

from .engine import ComposerEngine

__all__ = ["ComposerEngine"]
