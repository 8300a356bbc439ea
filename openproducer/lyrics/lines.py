"""Lines from templates: fill the slots from the song's pool, end on a chosen rhyme, fit the meter.

Each line is the best of a handful of filled templates: closest to the section's syllable count
(within one syllable costs little, beyond that a lot), carrying description words not yet sung,
repeating few words and templates, with a little chance on top so seeds differ. Templates that
cannot reach the count (even with an opening "oh," or "and") are not tried.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache

from openproducer.lyrics import phonetics
from openproducer.lyrics.pool import Filler, Picker, Pool
from openproducer.lyrics.templates import OPENERS, TEMPLATES
from openproducer.lyrics.theme import Theme

_SLOT = re.compile(r"^\{(\w+)\}(,?)$")
_CALLS = {"oh", "yeah", "hey", "baby", "look"}
_CONJUNCTIONS = {"and", "so", "but", "now", "still", "just", "maybe", "if"}
# A conjunction may open a line that starts with its subject: "And I left", "So the rain falls".
_SUBJECTS = {"i", "i'm", "i'll", "i'd", "we", "we're", "we'll", "they", "you", "the", "my", "your", "our",
             "this", "every", "everybody's", "nobody", "nothing", "there's", "it's"}
_TRIES = 6
_AGREEMENT = {"be": ("is", "are"), "was": ("was", "were")}


@dataclass(frozen=True)
class Template:
    text: str
    roles: str
    moods: tuple[str, ...]  # empty: any mood
    tokens: tuple[tuple[str, str, str], ...]  # (word, "", "") or ("", slot, "," or "")
    end_slot: str | None  # the slot that ends the line, or None when a word does
    end_word: str | None
    literal_syllables: int
    starts_with_call: bool


@dataclass
class Line:
    text: str
    syllables: int
    end: str
    template: str
    content: frozenset[str]
    keywords: tuple[str, ...] = ()
    opener: str = ""  # the word put before the template's line ("oh", "and"), if any


@dataclass
class Usage:
    """What a song (or a section) has used so far."""

    words: set[str] = field(default_factory=set)
    ends: list[str] = field(default_factory=list)
    templates: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    keywords: set[str] = field(default_factory=set)
    openers: list[str] = field(default_factory=list)

    def copy(self) -> Usage:
        return Usage(set(self.words), list(self.ends), set(self.templates), set(self.keys), set(self.keywords),
                     list(self.openers))


def clashes(a: str, b: str) -> bool:
    """Same word, or one ends with the other ("town"/"hometown"): not a rhyme worth making."""
    return a.endswith(b) or b.endswith(a)


@lru_cache(maxsize=1)
def all_templates() -> tuple[Template, ...]:
    out = []
    for spec in TEMPLATES:
        roles, moods, text = spec.split("|")
        tokens = []
        literal = 0
        for raw in text.split():
            m = _SLOT.match(raw)
            if m:
                tokens.append(("", m.group(1), m.group(2)))
                if m.group(1) in _AGREEMENT:
                    literal += 1
            else:
                tokens.append((raw, "", ""))
                literal += phonetics.syllables(raw.strip(","))
        last_word, last_slot, _ = tokens[-1]
        if last_slot in _AGREEMENT:
            raise ValueError(f"template ends in an agreement word: {text}")
        out.append(Template(
            text, roles, () if moods == "*" else tuple(moods.split(",")), tuple(tokens),
            last_slot or None, last_word.lower() or None, literal,
            tokens[0][0].strip(",").lower() in _CALLS or tokens[0][0].endswith(","),
        ))
    return tuple(out)


class Repertoire:
    """A theme's templates by role, the rhymes each role can end on, and how long each template
    can be: built once per description."""

    def __init__(self, pool: Pool, theme: Theme):
        self.pool = pool
        self.theme = theme
        self._by_role: dict[str, list[tuple[Template, float]]] = {}
        self._ends: dict[str, dict[str, list[tuple[str, float]]]] = {}
        self._range: dict[str, tuple[int, int]] = {}
        openers = list(OPENERS["*"])
        for mood in theme.moods:
            openers.extend(OPENERS.get(mood, ()))
        self.openers = openers
        self.calls = [w for w in openers if w in _CALLS]

    def templates(self, role: str) -> list[tuple[Template, float]]:
        if role not in self._by_role:
            chosen = []
            for t in all_templates():
                if role.startswith("h"):
                    if t.roles not in ({"hnp": ("hn", "hp")}.get(role) or (role,)):
                        continue
                elif t.roles.startswith("h") or (role not in t.roles and "v" not in t.roles):
                    continue
                w = 1.0 if not t.moods else 0.5 + 2.5 * sum(self.theme.moods.get(m, 0.0) for m in t.moods)
                if t.moods and w <= 0.5:
                    continue
                if role not in t.roles:
                    w *= 0.35
                if all(self.pool.slots.get(s) for _, s, _ in t.tokens if s and s not in _AGREEMENT and s != "T"):
                    chosen.append((t, w))
            self._by_role[role] = chosen
        return self._by_role[role]

    def fits(self, t: Template, target: int, title: Filler | None, end: Filler | None = None) -> bool:
        """Whether the template can come within one syllable of the target (with this end, if given)."""
        if t.text not in self._range:
            lo = hi = t.literal_syllables
            for i, (_, slot, _) in enumerate(t.tokens):
                if slot and slot not in _AGREEMENT and slot != "T" and not (i == len(t.tokens) - 1):
                    counts = [f.syllables for f in self.pool.slots[slot]]
                    lo, hi = lo + min(counts), hi + max(counts)
            self._range[t.text] = (lo, hi + (0 if t.starts_with_call else 2))
        lo, hi = self._range[t.text]
        if title is not None and "{T}" in t.text:
            lo, hi = lo + title.syllables, hi + title.syllables
        if end is not None:
            lo, hi = lo + end.syllables, hi + end.syllables
        elif t.end_slot and t.end_slot != "T":
            counts = [f.syllables for f in self.pool.slots[t.end_slot]]
            lo, hi = lo + min(counts), hi + max(counts)
        return lo - 1 <= target <= hi + 1

    def ends(self, role: str) -> dict[str, list[tuple[str, float]]]:
        """rhyme key -> [(end word, weight)], heaviest first, for ends this role's templates can make."""
        if role not in self._ends:
            slots = {t.end_slot for t, _ in self.templates(role) if t.end_slot}
            ends: dict[str, dict[str, float]] = {}
            for key, words in self.pool.index.items():
                for word, options in words.items():
                    w = max((f.weight for s, f in options if s in slots), default=0.0)
                    if w > 0:
                        ends.setdefault(key, {})[word] = w
            for t, w in self.templates(role):
                if t.end_word:
                    for key in phonetics.rhyme_keys(t.end_word)[:1]:
                        ends.setdefault(key, {}).setdefault(t.end_word, w)
            self._ends[role] = {k: sorted(v.items(), key=lambda item: -item[1]) for k, v in ends.items()}
        return self._ends[role]


class LineMaker:
    """One song's lines, drawn with its seed's random numbers and weights."""

    def __init__(self, repertoire: Repertoire, picker: Picker, rng: random.Random):
        self.rep = repertoire
        self.pool = repertoire.pool
        self.picker = picker
        self.rng = rng

    def templates(self, role: str) -> list[tuple[Template, float]]:
        return self.rep.templates(role)

    def ends(self, role: str) -> dict[str, list[tuple[str, float]]]:
        return self.rep.ends(role)

    def choose_key(self, role: str, count: int, section: Usage, song: Usage, exclude: set[str]) -> str | None:
        keys: list[str] = []
        scores: list[float] = []
        for key, words in self.rep.ends(role).items():
            if len(words) < count or key in section.keys or key in exclude:
                continue
            picked: list[str] = []
            score = 0.0
            for w, wt in words:
                if any(clashes(w, e) for e in section.ends) or any(clashes(w, p) for p in picked):
                    continue
                picked.append(w)
                score += wt * (0.3 if w in song.ends else 1.0)
                if len(picked) == count:
                    break
            if len(picked) < count:
                continue
            score = score / count * (0.3 if key in song.keys else 1.0) * (0.4 + 1.2 * self.rng.random())
            keys.append(key)
            scores.append(score**1.5)
        if not keys:
            return None
        return self.rng.choices(keys, weights=scores)[0]

    # -- making a line
    def make(self, role: str, target: int, section: Usage, song: Usage, key: str | None = None,
             title: Filler | None = None) -> Line | None:
        templates = [(t, w) for t, w in self.templates(role) if self.rep.fits(t, target, title)] or \
            self.templates(role)
        by_slot: dict[str | None, list[tuple[Template, float]]] = {}
        for t, w in templates:
            by_slot.setdefault(t.end_slot, []).append((t, w))
        ends: list[tuple[str, list[tuple[str, Filler]], list[tuple[Template, float]]]] = []
        weights: list[float] = []
        if key is not None:
            for word, wt in self.ends(role).get(key, ()):
                if any(clashes(word, e) for e in section.ends):
                    continue
                options = [(s, f) for s, f in self.pool.index.get(key, {}).get(word, ()) if s in by_slot and any(
                    self.rep.fits(t, target, title, f) for t, _ in by_slot[s])]
                options = [(s, f) for s, f in options if section.words.isdisjoint(f.content)] or options
                fixed = [(t, w) for t, w in by_slot.get(None, ()) if t.end_word == word]
                if options or fixed:
                    ends.append((word, options, fixed))
                    weights.append(wt * (0.3 if word in song.ends else 1.0))
            if not ends:
                return None
        wanted = set(self.pool.keywords) - song.keywords
        best: tuple[float, Line] | None = None
        for attempt in range(_TRIES * 4):
            line = self._candidate(templates, by_slot, ends, weights, target, section, wanted, title)
            if line is not None:
                cost = self._cost(line, target, section, song)
                if best is None or cost < best[0]:
                    best = (cost, line)
            if best is not None and attempt >= _TRIES - 1 and abs(best[1].syllables - target) <= 1:
                break
        return best[1] if best else None

    def _candidate(self, templates: list[tuple[Template, float]],
                   by_slot: dict[str | None, list[tuple[Template, float]]],
                   ends: list[tuple[str, list[tuple[str, Filler]], list[tuple[Template, float]]]],
                   weights: list[float], target: int, section: Usage, wanted: set[str],
                   title: Filler | None) -> Line | None:
        """One filled template: any, or (with ``ends``) one ending on a word of the rhyme."""
        rng = self.rng
        end: Filler | None = None
        if not ends:
            template = _weighted(rng, templates)
        else:
            _, options, fixed = rng.choices(ends, weights=weights)[0]
            if fixed and (not options or rng.random() < 0.5):
                template = _weighted(rng, fixed)
            else:
                slot, end = rng.choices(options, weights=[self.picker.weight(f) for _, f in options])[0]
                template = _weighted(rng, [(t, w) for t, w in by_slot[slot] if self.rep.fits(t, target, title, end)]
                                     or by_slot[slot])
        if template is None:
            return None
        return self._fill(template, target, section, end, wanted, title)

    def _fill(self, template: Template, target: int, section: Usage, end: Filler | None, wanted: set[str],
              title: Filler | None) -> Line | None:
        out: list[str] = []
        syllables = template.literal_syllables
        plural = False
        avoid = set(section.words)
        prefer = {f"mood:{m}" for m in template.moods}
        if end is not None:
            avoid.update(end.content)
            prefer.add(end.group)
        keywords: list[str] = []
        last = len(template.tokens) - 1
        # syllables left for the slots still to fill, shared out as they are filled
        budget = target - syllables - (end.syllables if end else 0) - (title.syllables if title else 0)
        to_fill = sum(1 for i, (_, slot, _) in enumerate(template.tokens)
                      if slot and slot not in _AGREEMENT and slot != "T" and not (i == last and end is not None))
        for i, (word, slot, comma) in enumerate(template.tokens):
            if not slot:
                out.append(word)
                continue
            if slot in _AGREEMENT:
                out.append(_AGREEMENT[slot][plural] + comma)
                continue
            filler = title if slot == "T" else end if (i == last and end is not None) else None
            if filler is None:
                filler = self._pick(slot, avoid, frozenset(prefer), wanted.difference(keywords), budget / to_fill)
                if filler is None:
                    return None
                budget -= filler.syllables
                to_fill -= 1
                if i == last and any(clashes(filler.end, e) for e in section.ends):
                    return None
            avoid.update(filler.content)
            if filler.group not in ("desc", "general"):
                prefer.add(filler.group)
            out.append(filler.text + comma)
            syllables += filler.syllables
            plural = filler.plural
            if filler.keyword:
                keywords.append(filler.keyword)
        opener = self._opener(out, template, syllables, target)
        if opener:
            out.insert(0, f"{opener}," if opener in _CALLS else opener)
            syllables += phonetics.syllables(opener)
        text = " ".join(out)
        words = text.lower().replace(",", "").split()
        return Line(_capitalise(text), syllables, words[-1], template.text,
                    frozenset(w for w in words if len(w) > 3), tuple(keywords), opener)

    def _pick(self, slot: str, avoid: set[str], prefer: frozenset[str], wanted: set[str],
              share: float) -> Filler | None:
        """Of three draws, the one nearest its share of the syllables left (a wanted word wins)."""
        best: tuple[float, Filler] | None = None
        for _ in range(3):
            filler = self.picker.pick(slot, avoid, prefer, wanted)
            if filler is None:
                return None
            score = abs(filler.syllables - share) - (3.0 if filler.keyword in wanted else 0.0)
            if best is None or score < best[0]:
                best = (score, filler)
        return best[1] if best else None

    def _opener(self, out: list[str], template: Template, syllables: int, target: int) -> str:
        """A call or a conjunction to start a line that is short of the meter ("" for none)."""
        if template.starts_with_call:
            return ""
        short = target - syllables
        if short < 1 or (short == 1 and self.rng.random() < 0.6):
            return ""
        first = out[0].split()[0].strip(",").lower()
        words = self.rep.openers if first in _SUBJECTS and first not in _CONJUNCTIONS else self.rep.calls
        return self.rng.choice(words) if words else ""

    def _cost(self, line: Line, target: int, section: Usage, song: Usage) -> float:
        d = abs(line.syllables - target)
        cost = 0.7 * d + (8.0 * (d - 1) if d > 1 else 0.0)
        cost += 3.0 * len(line.content & section.words) + 1.0 * len(line.content & song.words)
        cost += 6.0 if line.template in section.templates else 2.0 if line.template in song.templates else 0.0
        cost -= 4.0 * len(set(line.keywords) - song.keywords)
        if line.opener:
            cost += 1.0 + 1.5 * len(section.openers) + (2.0 if line.opener in section.openers else 0.0)
        return cost + self.rng.random() * 1.2


def _weighted(rng: random.Random, choices: list[tuple[Template, float]]) -> Template | None:
    if not choices:
        return None
    return rng.choices([t for t, _ in choices], weights=[w for _, w in choices])[0]


def _capitalise(text: str) -> str:
    text = re.sub(r"\bi\b", "I", text)
    return text[:1].upper() + text[1:]
