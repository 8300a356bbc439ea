"""A theme's words: every slot's fillers, weighted by how close they sit to the description, and
the rhyme index of the fillers that can end a line (rhyme key -> end word -> fillers). A ``Pool``
is built once per description; a ``Picker`` is one song's draw from it (its seed scales every
filler's weight by a random factor, so seeds favour different words)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from openproducer.lyrics import phonetics
from openproducer.lyrics.fields import FIELDS, GENERAL
from openproducer.lyrics.lexicon import (
    Noun,
    Phrase,
    Scene,
    Verb,
    make_verb,
    parse_nouns,
    parse_phrases,
    parse_scenes,
    parse_verbs,
    parse_words,
)
from openproducer.lyrics.moods import MOODS
from openproducer.lyrics.theme import Theme

# How much a word from each source is wanted (times a per-song random factor).
_W_DESCRIPTION = 10.0
_W_FIELD = 3.0
_W_MOOD = 3.0
_W_GENERAL = 0.6
_SCENE_FORMS = ("s", "ing", "base", "ed")
_VERB_FORMS = {"v": "base", "ving": "ing", "ved": "ed", "tv": "base", "tving": "ing", "tved": "ed"}
END_SLOTS = ("np", "n", "place", "scene_s", "scene_ing", "scene_base", "scene_ed", "feel", "adj", "padj", "v", "ving",
             "ved", "time")


@dataclass(frozen=True)
class Filler:
    text: str
    syllables: int
    weight: float
    plural: bool = False
    keyword: str | None = None  # the description word this filler carries
    group: str = ""  # where it comes from: "desc", a field's name, "mood:sad", "general"
    ident: int = -1  # its place in the pool
    end: str = field(init=False)  # the last word, lower case
    content: frozenset[str] = field(init=False)  # its words of four letters or more, lower case

    def __post_init__(self) -> None:
        words = self.text.lower().split()
        object.__setattr__(self, "end", words[-1])
        object.__setattr__(self, "content", frozenset(w for w in words if len(w) > 3))


def _syl(text: str) -> int:
    return phonetics.line_syllables(text.split())


def _sayable(text: str) -> bool:
    return all(phonetics.known(w) for w in text.split())


class Pool:
    def __init__(self, theme: Theme, rng: random.Random):
        self.theme = theme
        self.rng = rng  # for choices made once per description (which adjective a noun gets)
        self.slots: dict[str, list[Filler]] = {}
        self.size = 0
        self.keywords = list(dict.fromkeys(theme.keywords))
        self._add_description()
        for name, weight in theme.fields.items():
            self._add_spec(FIELDS[name], _W_FIELD * min(weight, 6.0) / 3.0, name)
        self._add_spec(GENERAL, _W_GENERAL, "general")
        for mood, share in theme.moods.items():
            spec = MOODS[mood]
            w = _W_MOOD * (0.4 + share)
            group = f"mood:{mood}"
            self._add_spec(spec, w, group)
            for phrase in parse_phrases(spec["feelings"]):
                self._add("feel", phrase.text, w, group, phrase.plural)
            for verb in parse_verbs(spec["tverbs"]):
                self._add_verb(verb, w, group, transitive=True)
        self.index = self._rhyme_index()
        self.carrying = {slot: [f for f in fillers if f.keyword] for slot, fillers in self.slots.items()}

    # -- building
    def _add(self, slot: str, text: str, weight: float, group: str, plural: bool = False,
             keyword: str | None = None) -> None:
        if not _sayable(text):
            return
        self.slots.setdefault(slot, []).append(Filler(text, _syl(text), weight, plural, keyword, group, self.size))
        self.size += 1

    def _add_noun(self, noun: Noun, weight: float, adjs: Sequence[str], group: str,
                  keyword: str | None = None) -> None:
        variants = [noun.phrase(noun.adj)] if noun.adj else []
        variants.append(noun.phrase())
        if adjs and self.rng.random() < 0.6:
            variants.append(noun.phrase(self.rng.choice(adjs)))
        for text in variants:
            self._add("np", text, weight, group, noun.plural, keyword)
            if noun.prep:
                self._add("place", f"{noun.prep} {text}", weight, group, noun.plural, keyword)
        if not noun.plural and noun.det in ("the", "my") and not noun.adj:
            self._add("n", noun.words, weight * 0.5, group, False, keyword)

    def _add_verb(self, verb: Verb, weight: float, group: str, transitive: bool = False,
                  keyword: str | None = None) -> None:
        for slot, form in _VERB_FORMS.items():
            if slot.startswith("t") == transitive:
                self._add(slot, verb.form(form), weight, group, keyword=keyword)

    def _add_scene(self, scene: Scene, weight: float, group: str) -> None:
        for form in _SCENE_FORMS:
            self._add(f"scene_{form}", scene.clause(form), weight, group, scene.subject.plural)

    def _add_spec(self, spec: dict[str, str], weight: float, group: str) -> None:
        adjs = parse_words(spec.get("adjs", ""))
        for word in adjs:
            self._add("adj", word, weight, group)
            if group.startswith("mood:"):
                self._add("padj", word, weight, group)
        for noun in parse_nouns(spec.get("nouns", "")):
            self._add_noun(noun, weight, adjs, group)
        for scene in parse_scenes(spec.get("scenes", "")):
            self._add_scene(scene, weight, group)
        for verb in parse_verbs(spec.get("verbs", "")):
            self._add_verb(verb, weight, group)
        for phrase in parse_phrases(spec.get("times", "")):
            self._add("time", phrase.text, weight * 0.8, group)

    def _add_description(self) -> None:
        theme = self.theme
        adjs = [a for a in theme.adjs if phonetics.known(a)]
        for noun in theme.nouns:  # only the description's own adjective: "old" of "old truck" is not "old girl"
            self._add_noun(noun, _W_DESCRIPTION, [], "desc", keyword=noun.head.lower())
        for verb in theme.verbs:
            self._add_verb(verb, _W_DESCRIPTION, "desc", keyword=verb.base.split()[0])
        for verb, obj in theme.actions:  # "leave my hometown": sung whole, as what I do
            action = make_verb(f"{verb.base} {obj.phrase(obj.adj)}")
            self._add_verb(action, _W_DESCRIPTION, "desc", keyword=obj.head.lower())
        for adj in adjs:
            self._add("adj", adj, _W_DESCRIPTION * 0.5, "desc")
            self._add("padj", adj, _W_DESCRIPTION * 0.5, "desc")
        for phrase in _time_phrases(theme):
            self._add("time", phrase.text, _W_DESCRIPTION * 0.6, "desc", keyword=phrase.head)

    def _rhyme_index(self) -> dict[str, dict[str, list[tuple[str, Filler]]]]:
        """By the first (most common) pronunciation only: "wind" the noun does not rhyme with "behind"."""
        index: dict[str, dict[str, list[tuple[str, Filler]]]] = {}
        for slot in END_SLOTS:
            for filler in self.slots.get(slot, ()):
                for key in phonetics.rhyme_keys(filler.end)[:1]:
                    index.setdefault(key, {}).setdefault(filler.end, []).append((slot, filler))
        return index



class Picker:
    """One song's weights over a pool, and weighted choices from it."""

    def __init__(self, pool: Pool, rng: random.Random):
        self.pool = pool
        self.rng = rng
        self.factor = [0.4 + 1.2 * rng.random() for _ in range(pool.size)]
        self._cum: dict[tuple[str, frozenset[str]], list[float]] = {}

    def weight(self, filler: Filler) -> float:
        return filler.weight * self.factor[filler.ident]

    def pick(self, slot: str, avoid: set[str], prefer: frozenset[str], wanted: set[str]) -> Filler | None:
        """A weighted choice among the slot's fillers: most often one carrying a ``wanted``
        description word when there is one; fillers from the ``prefer`` groups weigh six times
        more; one whose words are in ``avoid`` is drawn again (a few times)."""
        fillers = self.pool.slots.get(slot)
        if not fillers:
            return None
        if wanted and self.rng.random() < 0.8:
            carrying = [f for f in self.pool.carrying[slot] if f.keyword in wanted and avoid.isdisjoint(f.content)]
            if carrying:
                return self.rng.choice(carrying)
        cum = self._cum.get((slot, prefer))
        if cum is None:
            cum = self._cum[(slot, prefer)] = list(
                accumulate(self.weight(f) * (6.0 if f.group in prefer else 1.0) for f in fillers))
        for _ in range(4):
            filler = self.rng.choices(fillers, cum_weights=cum)[0]
            if avoid.isdisjoint(filler.content):
                break
        return filler


def _time_phrases(theme: Theme) -> list[Phrase]:
    """The description's own times: "at dawn", "in the summer", "tonight"."""
    out = []
    for noun in theme.nouns:
        if noun.head in ("dawn", "sunrise", "sunset", "midnight", "noon", "dusk", "daybreak", "sundown"):
            out.append(Phrase(f"at {noun.head}"))
        elif noun.head in ("morning", "evening", "summer", "winter", "spring", "autumn", "fall", "night"):
            out.append(Phrase(f"in the {noun.head}"))
        elif noun.head in ("fifties", "sixties", "seventies", "eighties", "nineties"):
            out.append(Phrase(f"back in the {noun.head}"))
    return out
