"""Lyric writers: the built-in one (no network model) and an optional OpenAI-compatible backend."""

from openproducer.lyrics.sheet import LyricSheet, LyricWriter
from openproducer.lyrics.song import BuiltinWriter, write_lyrics

__all__ = ["BuiltinWriter", "LyricSheet", "LyricWriter", "write_lyrics"]
