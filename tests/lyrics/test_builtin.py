"""The built-in writer on fifty descriptions: structure, rhyme, meter, theme, determinism.

Measures (the same as docs/lyrics.md states):
- rhyme: for each section (once per marker), each pair of consecutive lines that the declared
  scheme gives the same letter must end in a perfect rhyme by the CMU dictionary (the first
  pronunciations' last stressed vowel onward equal, different words, neither word the end of
  the other: "town"/"hometown" does not count). Rate over all such couplets >= 80 %.
- meter: syllables per line (CMU, first pronunciation); in every section max - min <= 3, and
  in at least 95 % of sections max - min <= 2.
"""

import random
import re
import subprocess
import sys

import pytest

from openproducer.lyrics import LyricSheet, phonetics, write_lyrics
from openproducer.lyrics.sheet import line_words, parse_sections
from tests.lyrics.descriptions import DESCRIPTIONS

SEEDS = (1, 2)
_LINE = re.compile(r"^[A-Z][A-Za-z' ,]*$")


@pytest.fixture(scope="module")
def sheets() -> dict[tuple[str, int], LyricSheet]:
    return {(d, seed): write_lyrics(d, seed) for d, _ in DESCRIPTIONS for seed in SEEDS}


def _ends(lines: list[str]) -> list[str]:
    return [line_words(line)[-1].lower() for line in lines]


def _good_rhyme(a: str, b: str) -> bool:
    """Strict: the words' first (most common) pronunciations rhyme ("wind" the noun is not "behind")."""
    key = phonetics.rhyme_key(a)
    return key is not None and key == phonetics.rhyme_key(b) and not (a.endswith(b) or b.endswith(a))


def couplets(sheet: LyricSheet) -> list[tuple[str, str]]:
    """(end, end) for every pair of consecutive same-letter lines in each section's scheme."""
    sections = dict(parse_sections(sheet.lyrics))
    pairs = []
    for name, scheme in sheet.scheme.items():
        ends = _ends(sections[name])
        for letter in set(scheme) - {"X"}:
            positions = [i for i, c in enumerate(scheme) if c == letter]
            pairs.extend((ends[a], ends[b]) for a, b in zip(positions, positions[1:], strict=False))
    return pairs


def test_fifty_varied_descriptions():
    assert len(DESCRIPTIONS) == 50
    assert len({d for d, _ in DESCRIPTIONS}) == 50


def test_every_sheet_has_a_title_verse_and_chorus_markers_and_enough_lines(sheets):
    for (description, seed), sheet in sheets.items():
        sections = parse_sections(sheet.lyrics)
        names = [name for name, _ in sections]
        lines = [line for _, ls in sections for line in ls]
        assert sheet.title and sheet.title[0].isupper(), (description, seed)
        assert "Verse 1" in names and "Chorus" in names, (description, names)
        assert 20 <= len(lines) <= 40, (description, len(lines))
        assert sheet.lyrics.startswith("[Verse 1]\n")
        # the declared scheme names each distinct section and has one letter per line
        assert set(sheet.scheme) == set(names)
        for name, ls in sections:
            scheme = sheet.scheme[name]
            assert len(scheme) == len(ls) and re.fullmatch(r"[A-WX]+", scheme), (name, scheme)
        choruses = [tuple(ls) for name, ls in sections if name == "Chorus"]
        assert len(choruses) >= 2 and len(set(choruses)) == 1  # a chorus repeats unchanged


def test_only_markers_and_plain_dictionary_words(sheets):
    for sheet in sheets.values():
        for raw in sheet.lyrics.split("\n"):
            if not raw or re.fullmatch(r"\[[A-Za-z0-9 -]+\]", raw):
                continue
            assert _LINE.match(raw), raw
            unknown = [w for w in line_words(raw) if not phonetics.known(w)]
            assert not unknown, (raw, unknown)


def test_line_endings_rhyme_in_the_declared_scheme(sheets):
    pairs = [pair for sheet in sheets.values() for pair in couplets(sheet)]
    rate = sum(_good_rhyme(a, b) for a, b in pairs) / len(pairs)
    assert len(pairs) >= 50 * len(SEEDS) * 6
    assert rate >= 0.80, f"{rate:.1%} of {len(pairs)} couplets rhyme"


def test_the_rhyme_measure_can_fail_on_lines_out_of_order(sheets):
    """A control: the same measure on each sheet's line endings shuffled scores far below 80 %."""
    rng = random.Random(0)
    good = total = 0
    for sheet in sheets.values():
        ends = [e for _, ls in parse_sections(sheet.lyrics) for e in _ends(ls)]
        rng.shuffle(ends)
        for a, b in zip(ends[::2], ends[1::2], strict=False):
            good += _good_rhyme(a, b)
            total += 1
    assert good / total < 0.4


def test_lines_of_a_section_are_metrically_even(sheets):
    spreads = []
    for (description, _), sheet in sheets.items():
        for name, lines in parse_sections(sheet.lyrics):
            counts = [phonetics.line_syllables(line_words(line)) for line in lines]
            spreads.append(max(counts) - min(counts))
            assert max(counts) - min(counts) <= 3, (description, name, lines, counts)
    assert sum(s <= 2 for s in spreads) / len(spreads) >= 0.95


def test_the_description_s_words_come_back(sheets):
    carried = total = 0
    for (description, seed), sheet in sheets.items():
        sung = {w.lower() for w in line_words(sheet.lyrics)}
        words = [w.lower() for w in dict(DESCRIPTIONS)[description]]
        found = [w for w in words if w in sung]
        assert len(found) * 3 >= len(words) * 2, (description, seed, words, found)
        carried += len(found)
        total += len(words)
    assert carried / total >= 0.9


def test_the_same_description_and_seed_give_the_same_sheet():
    d = DESCRIPTIONS[0][0]
    assert write_lyrics(d, 7) == write_lyrics(d, 7)


def test_the_sheet_does_not_depend_on_the_process_hash_seed():
    code = "from openproducer.lyrics import write_lyrics; print(write_lyrics('upbeat summer party anthem', 5))"
    outs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": str(h), "PATH": ""}).stdout
        for h in (1, 2)
    }
    assert len(outs) == 1


def test_two_seeds_give_different_sheets(sheets):
    for description, _ in DESCRIPTIONS:
        a, b = sheets[(description, 1)], sheets[(description, 2)]
        assert a.lyrics != b.lyrics, description
        lines_a = set(sung for _, ls in parse_sections(a.lyrics) for sung in ls)
        lines_b = set(sung for _, ls in parse_sections(b.lyrics) for sung in ls)
        assert len(lines_a & lines_b) <= len(lines_a) // 3, description  # not a reshuffle of one text


def test_long_short_and_odd_descriptions_still_give_sheets():
    for description in ("", "x", "song", "zzqx blorf", "a" * 1000, "Über café naïve — 🎵 ★★★", "sad " * 150):
        sheet = write_lyrics(description, 3)
        lines = [line for _, ls in parse_sections(sheet.lyrics) for line in ls]
        assert len(lines) >= 8 and "[Chorus]" in sheet.lyrics and sheet.title
