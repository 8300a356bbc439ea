"""A description -> its theme: genre, moods, theme fields, and its own nouns, verbs and adjectives.

Words are classed by the lexicon first (a noun in a theme field is a noun), then by
``lemminflect``'s dictionary; words the pronouncing dictionary lacks are dropped (they could
not be sung reliably). A noun keeps the description's determiner ("my hometown") and, after a
preposition of place, its preposition ("in the city").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from openproducer.lyrics import phonetics
from openproducer.lyrics.fields import FIELDS
from openproducer.lyrics.forms import DECADES, GENRES, Genre, find_genre
from openproducer.lyrics.lexicon import Noun, Verb, make_verb, parse_nouns, parts_of_speech
from openproducer.lyrics.moods import DEFAULT_MOOD, MOODS

_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d+'?s?|[,.;:!?()]")
_POSSESSIVES = {"my", "our", "your", "his", "her", "their", "the"}
_ARTICLES = {"a", "an", "this", "that", "these", "those", "some"}
_PLACE_PREPS = {"in", "on", "at", "under", "through", "across", "along", "over", "into", "beneath", "inside",
                "near", "down"}
_TITLE_PREPS = _PLACE_PREPS | {"to", "from", "by", "with", "for", "around", "toward", "towards"}
_STOP = set("""
a an the and or but if of to in on at by for from with without about into onto over under through across
along around between after before during while when where who whom which what that this these those
is are was were be been being am do does did have has had will would can could should may might must
i me my mine we us our you your he him his she her it its they them their there here than then so as
just very really quite too also not no yes all any some each every one ones other another such own
same more most much many few lots lot bit kind sort type like get got make made let lets feel feels
song songs track tracks tune tunes anthem anthems ballad ballads lyrics lyric music musical instrumental
vocal vocals voice singer sung sing sings version remix cover style styled genre vibe vibes feat
featuring theme themed something someone somebody thing things stuff way ways idea story tell tells
upbeat catchy slow fast tempo bpm male female energetic epic groovy funky mellow heavy soft loud
modern classic classical minimal emotional atmospheric cinematic driving beat beats banger bop jam
jams written write about
""".split())
_MOOD_ADJECTIVES = {"bittersweet", "sad", "happy", "blue", "heartbroken", "fierce", "brave", "lonely", "hopeful",
                    "peaceful", "joyful", "tender", "rainy", "stormy", "sunny", "sleepy", "dreamy"}
# Nouns sung without an article when the description gives them none ("about faith and freedom").
_BARE_NOUNS = {"love", "faith", "grace", "heaven", "hell", "freedom", "hope", "money", "peace", "glory", "fame",
               "life", "truth", "justice", "home", "christmas", "paradise", "gold", "forever", "everything"}
TIMES = {"dawn", "sunrise", "sunset", "midnight", "noon", "dusk", "daybreak", "sundown", "morning", "evening",
          "night", "tonight", "summer", "winter", "spring", "autumn", "fifties", "sixties", "seventies", "eighties",
          "nineties"}
_INSTRUMENTS = {"piano", "guitar", "synth", "synths", "drums", "drum", "bass", "violin", "cello", "saxophone",
                "sax", "trumpet", "organ", "banjo", "ukulele", "harp", "flute", "strings", "acoustic"}
_MUSIC_NOUN = re.compile(r"songs?|ballads?|tracks?|tunes?|anthems?|beats?|music|instrumentals?|jams?|pop|rock")
_SUBJECTS = {"who", "that", "which", "i", "we", "you", "he", "she", "they", "it"}
# The mood a field brings when the description names none.
_FIELD_MOODS = {
    "party": "happy", "summer": "happy", "youth": "happy", "music": "happy", "love": "love", "family": "love",
    "heartbreak": "sad", "rain": "sad", "memory": "sad", "hustle": "defiant", "battle": "defiant",
    "city": "defiant", "faith": "hope", "space": "hope", "dawn": "hope", "flight": "hope", "freedom": "hope",
    "road": "hope", "night": "calm", "winter": "calm", "sea": "calm", "nature": "calm", "desert": "calm",
    "country": "happy", "hometown": "sad", "train": "sad",
}
_MOOD_DEFAULT_FIELDS = {
    "sad": ("heartbreak", "rain"), "happy": ("summer", "party"), "love": ("love", "night"),
    "hope": ("dawn", "flight"), "defiant": ("city", "battle"), "calm": ("sea", "nature"),
    "dark": ("night", "winter"),
}


@dataclass
class Theme:
    description: str
    genre: Genre
    moods: dict[str, float]  # mood -> share, summing to 1
    fields: dict[str, float]  # theme field -> weight
    nouns: list[Noun] = field(default_factory=list)  # the description's nouns
    verbs: list[Verb] = field(default_factory=list)  # intransitive: "hustling in the city"
    actions: list[tuple[Verb, Noun]] = field(default_factory=list)  # a verb and its object: "leaving my hometown"
    adjs: list[str] = field(default_factory=list)
    gerund_phrases: list[tuple[str, Noun]] = field(default_factory=list)  # ("hustling in", the city)
    keywords: list[str] = field(default_factory=list)  # the description's words the lyrics should carry

    @property
    def mood(self) -> str:
        return max(self.moods, key=lambda m: self.moods[m])


@lru_cache(maxsize=1)
def _lexicon_nouns() -> dict[str, Noun]:
    nouns: dict[str, Noun] = {}
    for spec in FIELDS.values():
        for noun in parse_nouns(spec["nouns"]):
            nouns.setdefault(noun.words, noun)
    return nouns


@lru_cache(maxsize=1)
def _lyrical_adjectives() -> frozenset[str]:
    """Adjectives a line may sing: the lexicon's, and a few mood words ("bittersweet")."""
    words = {w for spec in (*FIELDS.values(), *MOODS.values()) for w in spec.get("adjs", "").split()}
    return frozenset((words | _MOOD_ADJECTIVES) - _STOP)


@lru_cache(maxsize=1)
def _triggers() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    by_field: dict[str, list[str]] = {}
    for name, spec in FIELDS.items():
        for word in spec["triggers"].split():
            by_field.setdefault(word, []).append(name)
    by_mood: dict[str, list[str]] = {}
    for name, spec in MOODS.items():
        for word in spec["triggers"].split():
            by_mood.setdefault(word, []).append(name)
    return by_field, by_mood


def _tokens(description: str) -> list[tuple[str, str]]:
    """(lower case word, as written) for every word; decades become words ("90s" -> "nineties")."""
    out = []
    for raw in _TOKEN.findall(description):
        raw = raw.replace("’", "'")
        if not raw[0].isalnum():
            out.append((raw, raw))  # a break: no compound noun across it
            continue
        if raw[0].isdigit():
            word = DECADES.get(raw.rstrip("s'")[-2:]) if raw.rstrip("'").endswith("s") else None
            if word:
                out.append((word, word))
            continue
        out.append((raw.lower(), raw))
    return out


def _classify(word: str, before: str, before_kind: str, lexicon: dict[str, Noun]) -> tuple[str, str]:
    """(kind, lemma) with kind one of noun, noun-plural, verb, gerund, adj."""
    pos = parts_of_speech(word)
    nouns = pos.get("NOUN", ())
    if word in lexicon:
        return "noun", word
    if nouns and nouns[0] in lexicon and nouns[0] != word:
        return "noun-plural", nouns[0]
    if word.endswith("ing") and "VERB" in pos and before not in _POSSESSIVES | _ARTICLES and not (
            word in nouns and before_kind in ("noun", "adj")):
        return "gerund", pos["VERB"][0]
    if "VERB" in pos and before in _SUBJECTS:
        return "verb", pos["VERB"][0]
    if (before in _POSSESSIVES | _ARTICLES or before_kind == "adj") and not nouns and "ADJ" not in pos:
        return "noun", word  # "a smoky bar": what follows an article or an adjective is a thing
    if "ADJ" in pos:
        return "adj", word
    if nouns:
        return ("noun" if nouns[0] == word else "noun-plural"), nouns[0]
    if "VERB" in pos:
        return "verb", pos["VERB"][0]
    return "noun", word


def analyse(description: str) -> Theme:
    """Read a description into a Theme (deterministic; no randomness here)."""
    genre, genre_words = find_genre(description)
    skip = _STOP | genre_words
    by_field, by_mood = _triggers()
    lexicon = _lexicon_nouns()
    tokens = _tokens(description)
    moods: dict[str, float] = {}
    fields: dict[str, float] = {}
    theme = Theme(description, genre, moods, fields)
    classes: list[tuple[str, str] | None] = []
    for i, (word, _) in enumerate(tokens):
        if word in skip or len(word) < 3 or not phonetics.known(word):
            classes.append(None)
            continue
        before = tokens[i - 1][0] if i else ""
        before_class = classes[i - 1] if i else None
        classes.append(_classify(word, before, before_class[0] if before_class else "", lexicon))
    descriptors = _adjectival(tokens, classes)
    for i, (word, _) in enumerate(tokens):
        for m in by_mood.get(word, ()):
            moods[m] = moods.get(m, 0.0) + 1.0
        if i in descriptors or word in genre_words:
            continue
        lemma = (parts_of_speech(word).get("NOUN") or parts_of_speech(word).get("VERB") or (word,))[0]
        for f in by_field.get(word, by_field.get(lemma, ())):
            fields[f] = fields.get(f, 0.0) + 3.0
    _collect_words(theme, tokens, classes, lexicon)
    for m in genre.moods:
        moods.setdefault(m, 0.5)
    if not moods:
        for f, w in fields.items():
            moods[_FIELD_MOODS[f]] = moods.get(_FIELD_MOODS[f], 0.0) + w
    if not moods:
        moods[DEFAULT_MOOD] = 1.0
    total = sum(moods.values())
    theme.moods = {m: w / total for m, w in moods.items()}
    if not fields:
        for f in _MOOD_DEFAULT_FIELDS[theme.mood]:
            fields[f] = 1.5
    for f in genre.fields:
        fields[f] = fields.get(f, 0.0) + 2.0
    return theme


def _collect_words(theme: Theme, tokens: list[tuple[str, str]], classes: list[tuple[str, str] | None],
                   lexicon: dict[str, Noun]) -> None:
    seen: set[str] = set()
    for i, cls in enumerate(classes):
        if cls is None:
            continue
        kind, lemma = cls
        word, raw = tokens[i]
        if kind.startswith("noun"):
            noun = _description_noun(i, tokens, classes, lexicon)
            if noun.words not in seen:
                seen.add(noun.words)
                theme.nouns.append(noun)
                theme.keywords.append(noun.head.lower())
        elif kind in ("gerund", "verb"):
            if lemma not in seen and phonetics.known(lemma):
                seen.add(lemma)
                obj = _object(i, tokens, classes)
                if obj is not None:
                    theme.actions.append((make_verb(lemma), _description_noun(obj, tokens, classes, lexicon)))
                else:
                    theme.verbs.append(make_verb(lemma))
                theme.keywords.append(lemma)
            if kind == "gerund":
                phrase = _gerund_phrase(i, tokens, classes, lexicon)
                if phrase:
                    theme.gerund_phrases.append(phrase)
        elif kind == "adj" and word not in seen and word in _lyrical_adjectives():
            seen.add(word)
            theme.adjs.append(word)


def _adjectival(tokens: list[tuple[str, str]], classes: list[tuple[str, str] | None]) -> set[int]:
    """Participles before a noun describe it: "lost love", "abandoned house", "a burning castle";
    an instrument or a verb before a word about music is not a theme ("piano ballad"): their
    places are returned."""
    descriptors: set[int] = set()
    for i in range(len(tokens) - 1):
        cls, nxt = classes[i], classes[i + 1]
        word = tokens[i][0]
        if _MUSIC_NOUN.fullmatch(tokens[i + 1][0]) and (
                word in _INSTRUMENTS or (cls is not None and cls[0] in ("verb", "gerund"))):
            classes[i] = None  # "piano ballad", "haunting song": how it sounds, not what it is about
            descriptors.add(i)
            continue
        if cls is None or nxt is None or not nxt[0].startswith("noun"):
            continue
        verbs = parts_of_speech(word).get("VERB", ())
        if not verbs or verbs[0] == word:
            continue
        before = tokens[i - 1][0] if i else ""
        if not word.endswith("ing") or before in _POSSESSIVES | _ARTICLES:
            classes[i] = ("adj", word)
    return descriptors


def _object(i: int, tokens: list[tuple[str, str]], classes: list[tuple[str, str] | None]) -> int | None:
    """Where the noun right after verb ``i`` is ("making money", "leaving my old hometown"), if any."""
    j = i + 1
    while j < len(tokens) and tokens[j][0] in _POSSESSIVES | _ARTICLES:
        j += 1
    while j < len(tokens) and classes[j] is not None and classes[j][0] == "adj":  # type: ignore[index]
        j += 1
    while j + 1 < len(tokens) and classes[j + 1] is not None and classes[j + 1][0].startswith("noun"):  # type: ignore[index]
        j += 1  # the last noun of a compound ("summer party")
    if j < len(tokens) and classes[j] is not None and classes[j][0].startswith("noun"):  # type: ignore[index]
        return j
    return None


def _description_noun(i: int, tokens: list[tuple[str, str]], classes: list[tuple[str, str] | None],
                      lexicon: dict[str, Noun]) -> Noun:
    word, raw = tokens[i]
    kind, lemma = classes[i] or ("noun", word)
    proper = raw[0].isupper() and lemma not in lexicon and not parts_of_speech(word)
    words = raw if proper else word
    # a noun before this one makes a compound ("summer party"); an adjective before it stays with it
    prev = classes[i - 1] if i else None
    adj = None
    j = i - 1
    if prev is not None and prev[0] == "noun":
        low, raw_prev = tokens[i - 1]
        words = f"{raw_prev if raw_prev[0].isupper() and not parts_of_speech(low) else low} {words}"
        j -= 1
    elif prev is not None and prev[0] == "adj":
        adj = tokens[i - 1][0]
        j -= 1
    det = "" if proper or (words in _BARE_NOUNS and (j < 0 or tokens[j][0] not in _ARTICLES)) else "the"
    if j >= 0 and tokens[j][0] in _POSSESSIVES:
        det = tokens[j][0]
        j -= 1
    elif j >= 0 and tokens[j][0] in _ARTICLES:
        j -= 1
    prep = tokens[j][0] if j >= 0 and tokens[j][0] in _PLACE_PREPS else None
    known = lexicon.get(lemma) or lexicon.get(word)
    if prep is None and known is not None:
        prep = known.prep
    if words.lower() in TIMES:
        prep = None  # "at dawn" is a time (pool.py), not a place

    return Noun(words, det=det, prep=prep, plural=kind == "noun-plural", adj=adj)


def _gerund_phrase(i: int, tokens: list[tuple[str, str]], classes: list[tuple[str, str] | None],
                   lexicon: dict[str, Noun]) -> tuple[str, Noun] | None:
    """"leaving my hometown" -> ("leaving", my hometown); "hustling in the city" -> ("hustling in", the city)."""
    head = tokens[i][0]
    j = i + 1
    if j < len(tokens) and tokens[j][0] in _TITLE_PREPS:
        head = f"{head} {tokens[j][0]}"
        j += 1
    while j < len(tokens) and tokens[j][0] in _POSSESSIVES | _ARTICLES:
        j += 1
    while j < len(tokens) and classes[j] is not None and classes[j][0] == "adj":  # type: ignore[index]
        j += 1
    if j < len(tokens) and classes[j] is not None and classes[j][0].startswith("noun"):  # type: ignore[index]
        return head, _description_noun(j, tokens, classes, lexicon)
    return None


def genre_named(name: str) -> Genre:
    return next(g for g in GENRES if g.name == name)
