"""The built-in writer: a description and a seed -> a titled, rhymed, sectioned lyric sheet.

Plan: read the theme, pick a form for the genre (by seed), a title from the description's own
phrases, a hook line that sings the title; then write each section once (a repeated Chorus is
the same lines), rhyme group by rhyme group: pick a rhyme key with enough words in this song's
pool, then the best line for each position (see ``lines.py``).
"""

from __future__ import annotations

import hashlib
import random
from functools import lru_cache

from openproducer.lyrics import phonetics
from openproducer.lyrics.forms import FORMS, SectionSpec
from openproducer.lyrics.lexicon import Noun
from openproducer.lyrics.lines import Line, LineMaker, Repertoire, Usage, clashes
from openproducer.lyrics.pool import Filler, Picker, Pool
from openproducer.lyrics.sheet import LyricSheet, relabel_scheme, render
from openproducer.lyrics.theme import TIMES, analyse

MAX_DESCRIPTION = 400
_ROLES = {"verse": "v", "pre": "p", "chorus": "c", "bridge": "b", "outro": "o"}
_PLACES = {"in", "on", "at", "into", "inside", "through", "across", "along", "down"}  # "over the baby" is no place
_SMALL = {"a", "an", "the", "in", "on", "at", "of", "to", "by", "for", "and", "with", "from", "into"}


def _random(*parts: object) -> random.Random:
    digest = hashlib.sha256("\x00".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


@lru_cache(maxsize=256)
def _repertoire(description: str) -> Repertoire:
    """Everything about a description that no seed changes, built once."""
    theme = analyse(description)
    return Repertoire(Pool(theme, _random("pool", description)), theme)


def preload() -> None:
    """Load the pronouncing dictionary, the inflection tables and the templates (about a second),
    so that the first sheet a server writes is as fast as the others."""
    write_lyrics("a bittersweet song about a lost love and the morning light in the city", 0)


def write_lyrics(description: str, seed: int) -> LyricSheet:
    """The built-in writer: deterministic for the same (description, seed)."""
    text = " ".join(description.split())[:MAX_DESCRIPTION]
    return _Song(_repertoire(text), _random(seed, text)).build()


class BuiltinWriter:
    """The built-in writer as a ``LyricWriter``."""

    def write(self, description: str, seed: int) -> LyricSheet:
        return write_lyrics(description, seed)


class _Song:
    def __init__(self, repertoire: Repertoire, rng: random.Random):
        theme = repertoire.theme
        self.theme = theme
        self.rng = rng
        self.pool = repertoire.pool
        self.maker = LineMaker(repertoire, Picker(self.pool, rng), rng)
        self.song = Usage()
        self.form = FORMS[rng.choice(theme.genre.forms)]
        self.target = theme.genre.syllables + rng.choice((-1, 0, 0, 1))
        self.hook: Line | None = None
        self.chorus_target = self.target

    def build(self) -> LyricSheet:
        title, role, filler = self._title()
        self.title_role, self.title_filler = role, filler
        written: dict[str, tuple[list[str], str]] = {}
        order: list[tuple[str, list[str]]] = []
        for spec in self.form:
            if spec.name not in written:
                written[spec.name] = self._section(spec)
            order.append((spec.name, written[spec.name][0]))
        return LyricSheet(title, render(order), {name: scheme for name, (_, scheme) in written.items()})

    # -- the title and its hook
    def _title(self) -> tuple[str, str, Filler]:
        theme, rng = self.theme, self.rng
        options: list[tuple[float, str, str, str | None]] = []  # weight, role, phrase, keyword
        for head, noun in theme.gerund_phrases:
            options.append((4.0, "hg", f"{head} {noun.phrase(noun.adj)}", noun.head.lower()))
        adjs = theme.adjs or [f.text for f in self.pool.slots.get("adj", ())]
        for noun in theme.nouns:
            # a title that names a place or a time may follow "take me back to"; a person may not
            role = "hnp" if noun.prep in _PLACES or noun.head.lower() in TIMES else "hn"
            if " " in noun.words:
                options.append((4.0, role, noun.phrase(noun.adj), noun.head.lower()))
            adj = noun.adj or (rng.choice(adjs) if adjs else None)
            if adj:
                options.append((2.0, role, noun.phrase(adj), noun.head.lower()))
            if not noun.plural and noun.det == "the":
                if theme.mood == "sad":
                    options.append((1.0, role, Noun(noun.words, adj="last").phrase("last"), noun.head.lower()))
                elif theme.mood in ("happy", "love"):
                    options.append((1.0, role, f"one more {noun.words}", noun.head.lower()))
        options = [o for o in options if len(o[2].split()) <= 5 and all(phonetics.known(w) for w in o[2].split())]
        if not options:
            nps = sorted(self.pool.slots.get("np", ()), key=lambda f: -f.weight)[:6]
            options = [(1.0, "hn", f.text, f.keyword) for f in nps] or [(1.0, "hnp", "the open road", None)]
        _, role, phrase, keyword = rng.choices(options, weights=[o[0] for o in options])[0]
        filler = Filler(phrase, phonetics.line_syllables(phrase.split()), 1.0, False, keyword)
        return _title_case(phrase), role, filler

    # -- sections
    def _section(self, spec: SectionSpec) -> tuple[list[str], str]:
        role = _ROLES[spec.kind]
        scheme = self.rng.choice(spec.schemes)
        usage = Usage()
        lines: list[Line | None] = [None] * spec.lines
        target = self.target - 1 if spec.kind in ("pre", "bridge") else self.target
        if spec.kind == "chorus":
            target, scheme = self._hook_lines(lines, usage, scheme)
        elif spec.kind == "outro" and self.hook is not None:
            target = self.chorus_target
            lines[0] = self.hook
            if not self._can_rhyme(role, self.hook.end, spec.lines - 1, usage):
                scheme = "X" * spec.lines
            self._use(self.hook, usage, None)
        rhymed = list(scheme)
        for letter in dict.fromkeys(c for c in scheme if c != "X"):
            positions = [i for i, c in enumerate(scheme) if c == letter]
            usage = self._rhyme_group(role, target, positions, lines, usage)
            if sum(lines[i] is not None for i in positions) < 2:
                for i in positions:
                    rhymed[i] = "X"
        for i in range(spec.lines):
            if lines[i] is None:
                lines[i] = self.maker.make(role, target, usage, self.song)
                rhymed[i] = "X"
                if lines[i] is not None:
                    self._use(lines[i], usage, None)
        return [line.text for line in lines if line is not None], relabel_scheme("".join(rhymed))

    def _rhyme_group(self, role: str, target: int, positions: list[int], lines: list[Line | None],
                     usage: Usage) -> Usage:
        """Fill ``positions`` with lines on one rhyme; up to four rhyme keys are tried until every
        line comes within one syllable of the target. Returns the section's usage afterwards."""
        fixed = [lines[i] for i in positions if lines[i] is not None]
        open_positions = [i for i in positions if lines[i] is None]
        best: tuple[tuple[int, int], dict[int, Line], Usage, Usage] | None = None
        tried: set[str] = set()
        for _ in range(1 if fixed else 4):
            key = self._fixed_key(role, fixed[0].end, len(open_positions), usage) if fixed else \
                self.maker.choose_key(role, len(positions), usage, self.song, tried)
            if key is None:
                break
            tried.add(key)
            trial, song = usage.copy(), self.song.copy()
            made: dict[int, Line] = {}
            for i in open_positions:
                line = self.maker.make(role, target, trial, song, key=key)
                if line is not None:
                    made[i] = line
                    _use(line, trial, song, key)
            off = sum(abs(line.syllables - target) > 1 for line in made.values())
            score = (len(open_positions) - len(made), off)
            if best is None or score < best[0]:
                best = (score, made, trial, song)
            if score == (0, 0):
                break
        if best is None:
            return usage
        _, made, trial, song = best
        for i, line in made.items():
            lines[i] = line
        self.song = song
        return trial

    def _hook_lines(self, lines: list[Line | None], usage: Usage, scheme: str) -> tuple[int, str]:
        # a chorus line may run a syllable longer than a verse line
        hook = self.maker.make(self.title_role, self.target + 1, usage, self.song, title=self.title_filler)
        if hook is None:
            return self.target, scheme
        self.hook = hook
        target = hook.syllables  # the chorus keeps the hook's length
        self.chorus_target = target
        lines[0] = hook
        self._use(hook, usage, None)
        if scheme[0] != "X" and not self._can_rhyme("c", hook.end, scheme.count(scheme[0]) - 1, usage):
            scheme = "XAXA"
        if scheme == "XAXA":
            again = self.maker.make(self.title_role, target, usage, self.song, title=self.title_filler)
            lines[2] = again or hook
            self._use(lines[2], usage, None)
        return target, scheme

    def _fixed_key(self, role: str, end: str, needed: int, usage: Usage) -> str | None:
        ends = self.maker.ends(role)
        for key in phonetics.rhyme_keys(end)[:1]:
            free = [w for w, _ in ends.get(key, ()) if not any(clashes(w, e) for e in usage.ends)]
            if len(free) >= needed:
                return key
        return None

    def _can_rhyme(self, role: str, end: str, needed: int, usage: Usage) -> bool:
        return needed <= 0 or self._fixed_key(role, end, needed, usage) is not None

    def _use(self, line: Line, usage: Usage, key: str | None) -> None:
        _use(line, usage, self.song, key)


def _use(line: Line, section: Usage, song: Usage, key: str | None) -> None:
    for u in (section, song):
        u.words.update(line.content)
        u.ends.append(line.end)
        u.templates.add(line.template)
        if line.opener:
            u.openers.append(line.opener)
        if key:
            u.keys.add(key)
    song.keywords.update(line.keywords)


def _title_case(phrase: str) -> str:
    words = phrase.split()
    if len(words) > 1 and words[0] in ("the", "a", "an"):
        words = words[1:]
    return " ".join(w if i and w in _SMALL else w[:1].upper() + w[1:] for i, w in enumerate(words))
