"""Lyrics text -> sections of lines of words, and words -> syllables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MARKER = re.compile(r"^\s*\[([^\]]+)\]\s*$")
_VOWELS = re.compile(r"[aeiouyàáâäèéêëìíîïòóôöùúûü]+", re.IGNORECASE)

_KINDS = (
    ("pre", "pre-chorus"), ("post", "chorus"), ("chorus", "chorus"), ("hook", "chorus"),
    ("refrain", "chorus"), ("drop", "chorus"), ("verse", "verse"), ("bridge", "bridge"),
    ("intro", "intro"), ("outro", "outro"), ("end", "outro"), ("instrumental", "instrumental"),
    ("solo", "instrumental"), ("break", "instrumental"), ("interlude", "instrumental"),
)


@dataclass
class LyricSection:
    name: str
    kind: str
    lines: list[list[str]] = field(default_factory=list)


def section_kind(name: str) -> str:
    low = name.lower()
    for needle, kind in _KINDS:
        if needle in low:
            return kind
    return "verse"


def clean_word(token: str) -> str:
    """Strip surrounding punctuation, keep inner apostrophes and hyphens."""
    return token.strip(".,;:!?\"()[]{}…-–—*_'`’“”")


def line_words(line: str) -> list[str]:
    return [w for w in (clean_word(t) for t in line.split()) if w]


def parse_lyrics(text: str) -> list[LyricSection]:
    """Split lyrics on [Markers]; without markers, blank-line blocks become verses and choruses."""
    lines = text.replace("\r\n", "\n").split("\n")
    if any(_MARKER.match(line) for line in lines):
        sections: list[LyricSection] = []
        for line in lines:
            m = _MARKER.match(line)
            if m:
                name = m.group(1).strip().lower()
                sections.append(LyricSection(name, section_kind(name)))
            elif line_words(line):
                if not sections:
                    sections.append(LyricSection("verse 1", "verse"))
                sections[-1].lines.append(line_words(line))
        return sections
    blocks: list[list[list[str]]] = [[]]
    for line in lines:
        words = line_words(line)
        if words:
            blocks[-1].append(words)
        elif blocks[-1]:
            blocks.append([])
    blocks = [b for b in blocks if b]
    seen = [b for i, b in enumerate(blocks) if b in blocks[:i] or b in blocks[i + 1:]]
    out: list[LyricSection] = []
    verse_no = 0
    for i, block in enumerate(blocks):
        chorus = block in seen if seen else (len(blocks) > 1 and i % 2 == 1)
        if chorus:
            out.append(LyricSection("chorus", "chorus", block))
        else:
            verse_no += 1
            out.append(LyricSection(f"verse {verse_no}", "verse", block))
    return out


def syllables(word: str) -> list[str]:
    """Split a word at vowel groups: 'walking' -> ['wal', 'king']; silent final e is not a syllable."""
    low = word.lower()
    groups = list(_VOWELS.finditer(low))
    if len(groups) > 1 and low.endswith("e") and groups[-1].group() == "e" and groups[-1].start() == len(low) - 1:
        if not low.endswith(("le", "ee", "ye")):
            groups = groups[:-1]
    if len(groups) <= 1:
        return [word]
    cuts = []
    for prev, nxt in zip(groups, groups[1:], strict=False):
        gap = nxt.start() - prev.end()  # consonants between the vowel groups
        cuts.append(prev.end() + (gap // 2 if gap > 1 else 0))
    parts, start = [], 0
    for c in cuts:
        parts.append(word[start:c])
        start = c
    parts.append(word[start:])
    return [p for p in parts if p] or [word]
