"""Typed words: nouns, verbs (with their inflections), scenes and phrases, parsed from the
notation of ``fields.py`` and ``moods.py``. Inflections come from ``lemminflect``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

_DETERMINERS = ("the", "my", "your", "our", "this", "a", "an", "every", "one")


@dataclass(frozen=True)
class Noun:
    words: str  # "front porch"
    det: str = "the"  # "" for a proper name or a bare noun
    prep: str | None = None  # set when the noun is also a place: "on" -> "on the train"
    plural: bool = False
    adj: str | None = None  # the description's own adjective for it ("lonely lighthouse")

    @property
    def head(self) -> str:
        return self.words.split()[-1]

    def phrase(self, adj: str | None = None) -> str:
        parts = [self.det] if self.det else []
        if adj:
            parts.append(adj)
        parts.append(self.words)
        return " ".join(parts)


@dataclass(frozen=True)
class Verb:
    base: str  # "wave goodbye"
    s: str  # "waves goodbye"
    ing: str  # "waving goodbye"
    ed: str  # "waved goodbye"

    def form(self, name: str) -> str:
        return {"base": self.base, "s": self.s, "ing": self.ing, "ed": self.ed}[name]


@dataclass(frozen=True)
class Scene:
    """A thing and what it does: "the whistle" + "blow"."""

    subject: Noun
    verb: Verb

    def clause(self, form: str) -> str:
        """form: s ("the wheels turn"), ing ("the wheels are turning"), base ("the wheels turn",
        after "watch"/"let"), ed ("the wheels turned")."""
        subject = self.subject.phrase()
        if form == "ing":
            return f"{subject} {'are' if self.subject.plural else 'is'} {self.verb.ing}"
        if form == "s":
            return f"{subject} {self.verb.base if self.subject.plural else self.verb.s}"
        return f"{subject} {self.verb.form(form)}"


@dataclass(frozen=True)
class Phrase:
    """A fixed phrase that fills a slot: a feeling ("my heart") or a time ("at dawn")."""

    text: str
    plural: bool = False

    @property
    def head(self) -> str:
        return self.text.split()[-1]


def _items(spec: str) -> list[str]:
    return [item for item in spec.split() if item]


def parse_noun(item: str) -> Noun:
    word, _, prep = item.partition("/")
    plural = word.endswith("+")
    words = word.rstrip("+").replace("_", " ")
    first, _, rest = words.partition(" ")
    if first in _DETERMINERS and rest:
        return Noun(rest, det=first, prep=prep or None, plural=plural)
    return Noun(words, prep=prep or None, plural=plural)


@lru_cache(maxsize=1024)
def parse_nouns(spec: str) -> tuple[Noun, ...]:
    return tuple(parse_noun(item) for item in _items(spec))


@lru_cache(maxsize=1024)
def parse_phrases(spec: str) -> tuple[Phrase, ...]:
    return tuple(Phrase(item.rstrip("+").replace("_", " "), plural=item.endswith("+")) for item in _items(spec))


@lru_cache(maxsize=1024)
def parse_words(spec: str) -> tuple[str, ...]:
    return tuple(item.replace("_", " ") for item in _items(spec))


@lru_cache(maxsize=1024)
def parse_verbs(spec: str) -> tuple[Verb, ...]:
    return tuple(make_verb(item.replace("_", " ")) for item in _items(spec))


@lru_cache(maxsize=1024)
def parse_scenes(spec: str) -> tuple[Scene, ...]:
    scenes = []
    for item in _items(spec):
        subject, _, verb = item.partition(":")
        scenes.append(Scene(parse_noun(subject), make_verb(verb.replace("_", " "))))
    return tuple(scenes)


@lru_cache(maxsize=4096)
def make_verb(base: str) -> Verb:
    """Inflect the first word of a (possibly phrasal) verb: "fall apart" -> "falls apart"."""
    head, _, rest = base.partition(" ")
    tail = f" {rest}" if rest else ""
    return Verb(base, inflect(head, "VBZ") + tail, inflect(head, "VBG") + tail, inflect(head, "VBD") + tail)


@lru_cache(maxsize=8192)
def inflect(word: str, tag: str) -> str:
    import lemminflect

    forms = lemminflect.getInflection(word, tag=tag)
    return forms[0] if forms else word


@lru_cache(maxsize=8192)
def parts_of_speech(word: str) -> dict[str, tuple[str, ...]]:
    """{"NOUN": lemmas, "VERB": lemmas, "ADJ": lemmas, ...} from lemminflect's dictionary."""
    import lemminflect

    return dict(lemminflect.getAllLemmas(word.lower()))
