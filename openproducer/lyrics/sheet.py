"""The lyric sheet every writer returns, and reading a sheet's text back into sections."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

_MARKER = re.compile(r"^\[([^\[\]]+)\]$")


@dataclass(frozen=True)
class LyricSheet:
    title: str
    lyrics: str  # "[Verse 1]\nline\nline\n...\n\n[Chorus]\n..."
    scheme: dict[str, str]  # section marker -> rhyme scheme, one letter per line ("X": unrhymed)


class LyricWriter(Protocol):
    def write(self, description: str, seed: int) -> LyricSheet: ...


def render(sections: list[tuple[str, list[str]]]) -> str:
    return "\n\n".join(f"[{name}]\n" + "\n".join(lines) for name, lines in sections)


def parse_sections(lyrics: str) -> list[tuple[str, list[str]]]:
    """[(marker, sung lines)] in order; lines before any marker are dropped."""
    sections: list[tuple[str, list[str]]] = []
    for raw in lyrics.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            continue
        m = _MARKER.match(line)
        if m:
            sections.append((m.group(1).strip(), []))
        elif sections:
            sections[-1][1].append(line)
    return sections


def sung_lines(lyrics: str) -> list[str]:
    return [line for _, lines in parse_sections(lyrics) for line in lines]


def line_words(line: str) -> list[str]:
    return re.findall(r"[A-Za-z]+(?:'[A-Za-z]+)?", line)


def relabel_scheme(scheme: str) -> str:
    """Letters in order of first use, X kept: "XBXB" -> "XAXA", "CCDD" -> "AABB"."""
    names: dict[str, str] = {}
    return "".join(c if c == "X" else names.setdefault(c, "ABCDEFGHIJKLMNOPQRSTUVW"[len(names)]) for c in scheme)
