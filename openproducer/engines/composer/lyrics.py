"""Lyrics text -> sections of lines of words; words -> syllables with lexical stress.

Syllables come from spelling (vowel groups, silent final e); stress from a few
English rules: function words are unstressed, two-syllable words with a
weak prefix (a-, be-, re-, ...) stress the second syllable, words ending in
-tion/-sion/-ic/-ity stress the syllable before the ending, others the first.

Rhythms of sung and played phrases: a phrase of ``beats`` beats holds ``n``
notes and ends in a breath. On the grid, notes sit on eighths (sixteenths when
the line is long, or sometimes when the song is weird) and stressed syllables
are pushed onto beats. In speech rhythm, every syllable lasts in proportion to
its weight (stressed syllables and word ends are longer, the line's last
syllable longest). ``lyrics_strength`` blends the grid (0) into speech (1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

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


_FUNCTION = frozenset(
    "a an the of to in on at and but or nor for with is are was were be been am i'm my your his her its our "
    "their we you they he she it me us them as by from that this so if than then can will just do does did "
    "'s 're 'm 'll 've don't i've we're you're they're it's there their's into onto upon".split()
)
_WEAK_PREFIX = ("a", "be", "de", "re", "un", "in", "im", "con", "com", "dis", "ex", "to", "with", "pre", "for")
_STRESS_BEFORE = ("tion", "sion", "ic", "ity", "ical", "ian", "ious")


def stresses(word: str) -> list[int]:
    """1 for a stressed syllable, 0 for an unstressed one."""
    parts = syllables(word)
    low = word.lower().strip("'")
    if len(parts) == 1:
        return [0 if low in _FUNCTION else 1]
    out = [0] * len(parts)
    if low.endswith(_STRESS_BEFORE) and len(parts) >= 3:
        out[-2 if low.endswith(("ic", "tion", "sion", "ian", "ious")) else -3] = 1
    elif parts[0].lower() in _WEAK_PREFIX and len(parts) == 2 and not low.endswith(("ing", "er", "y", "ly", "ed")):
        out[1] = 1
    else:
        out[0] = 1
    return out


Rhythm = list[tuple[float, float]]


def rest_beats(beats: float) -> float:
    return 1.5 if beats <= 8 else 2.5


def grid_rhythm(n: int, beats: float, rng: np.random.Generator, stress: list[int] | None = None,
                word_ends: list[bool] | None = None, sync: float = 0.3, fine: float = 0.0) -> Rhythm:
    """``n`` (onset, duration) pairs on a grid, ending in a long note and a breath."""
    stress = stress or [0] * n
    ends = word_ends or [False] * n
    room = beats - rest_beats(beats)
    grid = 0.5 if n <= room / 0.5 else 0.25
    if grid == 0.5 and n <= room / 0.25 and rng.random() < fine:
        grid = 0.25
    slots = int(room / grid)
    if n > slots:
        step = (beats - 0.5) / n
        return [(i * step, step * 0.95) for i in range(n)]
    per_beat = int(round(1.0 / grid))
    start = 1 if (slots - n >= 2 and rng.random() < sync) else 0
    spare = slots - n - start
    positions: list[int] = []
    p = start
    for i in range(n):
        if stress[i] and p % per_beat and spare > 0:
            need = per_beat - p % per_beat
            if need <= spare and rng.random() < 0.9:
                p += need
                spare -= need
        positions.append(p)
        p += 1
    lengths = [b - a for a, b in zip(positions, positions[1:], strict=False)] + [1]
    # whole beats of the remaining room go to word ends and the last note, so stresses stay on beats
    weights = np.array([1.0 + 1.5 * e for e in ends]) + np.eye(n)[-1] * 4.0
    while spare >= per_beat:
        i = int(rng.choice(n, p=weights / weights.sum()))
        lengths[i] += per_beat
        spare -= per_beat
    lengths[-1] += spare
    onsets = np.concatenate([[positions[0]], positions[0] + np.cumsum(lengths)[:-1]])
    return [(float(o * grid), float(ln * grid)) for o, ln in zip(onsets, lengths, strict=True)]


def speech_rhythm(grid: Rhythm, stress: list[int], word_ends: list[bool]) -> Rhythm:
    """The same span as ``grid``, divided in proportion to how long each syllable is spoken."""
    n = len(grid)
    w = np.array([1.0 + 0.9 * s + 0.6 * e for s, e in zip(stress, word_ends, strict=True)])
    w[-1] += 1.2
    start = grid[0][0]
    span = grid[-1][0] + grid[-1][1] - start
    bounds = start + span * np.concatenate([[0.0], np.cumsum(w) / w.sum()])
    return [(float(bounds[i]), float(bounds[i + 1] - bounds[i])) for i in range(n)]


def blend(grid: Rhythm, speech: Rhythm, strength: float) -> Rhythm:
    """Onsets moved from the grid towards speech by ``strength`` (0..1), on a 1/24-beat raster."""
    s = float(np.clip(strength, 0.0, 1.0))
    if s <= 0.0:
        return list(grid)
    onsets = [round((g[0] + s * (sp[0] - g[0])) * 24) / 24 for g, sp in zip(grid, speech, strict=True)]
    end = grid[-1][0] + grid[-1][1]
    out = []
    for i, o in enumerate(onsets):
        nxt = onsets[i + 1] if i + 1 < len(onsets) else end
        out.append((float(o), float(max(1 / 24, nxt - o))))
    return out


def phrase_rhythm(n: int, beats: float, rng: np.random.Generator, stress: list[int], word_ends: list[bool],
                  weirdness: float, lyrics_strength: float, sung: bool) -> Rhythm:
    """The rhythm of one phrase: the grid version, blended towards speech when words are sung."""
    grid = grid_rhythm(n, beats, rng, stress if sung else None, word_ends, sync=0.2 + 0.5 * weirdness,
                       fine=0.6 * weirdness)
    if not sung:
        return grid
    return blend(grid, speech_rhythm(grid, stress, word_ends), lyrics_strength)
