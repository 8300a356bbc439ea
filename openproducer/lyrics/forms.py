"""Genres and song forms: which sections a song has, how long they are, how they rhyme.

A scheme has one letter per line: lines with the same letter rhyme together, ``X`` lines are free.
Letters are per section (the A of a verse has nothing to do with the A of the chorus). A section
name that repeats (every Chorus, every Pre-Chorus) repeats the same lines, as songs do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class SectionSpec:
    name: str
    kind: str  # verse, pre, chorus, bridge, outro
    lines: int
    schemes: tuple[str, ...]


@dataclass(frozen=True)
class Genre:
    name: str
    patterns: tuple[str, ...]  # description phrases (word-bounded, lower case) that name the genre
    forms: tuple[str, ...]  # keys of FORMS this genre picks from, by seed
    syllables: int  # the verse line's length in syllables
    moods: tuple[str, ...] = ()  # a mood the genre brings when the description names none
    fields: tuple[str, ...] = ()  # theme fields the genre brings


_V8 = ("ABABCDCD", "AABBCCDD", "XAXAXBXB")
_V4 = ("ABAB", "AABB", "XAXA")
_RAP8 = ("AABBCCDD",)
_CHORUS = ("XAXA", "AABB", "ABAB")


def _form(*parts: tuple[str, int, tuple[str, ...]]) -> tuple[SectionSpec, ...]:
    kinds = {"Verse": "verse", "Pre-Chorus": "pre", "Chorus": "chorus", "Bridge": "bridge", "Outro": "outro"}
    return tuple(SectionSpec(name, kinds[name.split(" ")[0]], n, schemes) for name, n, schemes in parts)


_C = ("Chorus", 4, _CHORUS)
_PRE = ("Pre-Chorus", 2, ("AA",))
_BRIDGE = ("Bridge", 4, ("AABB", "XAXA"))
_OUTRO = ("Outro", 2, ("AA",))

FORMS: dict[str, tuple[SectionSpec, ...]] = {
    "pop_long": _form(("Verse 1", 8, _V8), _C, ("Verse 2", 8, _V8), _C, _BRIDGE, _C),
    "pop_pre": _form(("Verse 1", 4, _V4), _PRE, _C, ("Verse 2", 4, _V4), _PRE, _C, _BRIDGE, _C),
    "pop_full": _form(("Verse 1", 8, _V8), _PRE, _C, ("Verse 2", 8, _V8), _PRE, _C, _BRIDGE, _C),
    "rap_three": _form(("Verse 1", 8, _RAP8), _C, ("Verse 2", 8, _RAP8), _C, ("Verse 3", 8, _RAP8), _C),
    "rap_bridge": _form(("Verse 1", 8, _RAP8), _C, ("Verse 2", 8, _RAP8), _C, ("Bridge", 4, ("AABB",)), _C),
    "folk_three": _form(("Verse 1", 4, _V4), _C, ("Verse 2", 4, _V4), _C, ("Verse 3", 4, _V4), _C),
    "folk_outro": _form(("Verse 1", 4, _V4), _C, ("Verse 2", 4, _V4), _C, _BRIDGE, _C, _OUTRO),
    "folk_long": _form(("Verse 1", 8, _V8), _C, ("Verse 2", 8, _V8), _C, _OUTRO),
    "dance": _form(("Verse 1", 4, _V4), _PRE, _C, ("Verse 2", 4, _V4), _PRE, _C, ("Bridge", 2, ("AA",)), _C),
    "rock": _form(("Verse 1", 8, _V8), _C, ("Verse 2", 8, _V8), _C, _BRIDGE, _C, _OUTRO),
    "rock_short": _form(("Verse 1", 4, _V4), _C, ("Verse 2", 4, _V4), _C, _BRIDGE, _C, _OUTRO),
}

_POP = ("pop_long", "pop_pre", "pop_full")
_FOLK = ("folk_three", "folk_outro", "folk_long")

# In order of precedence: the first genre whose pattern the description holds is the song's genre.
GENRES: tuple[Genre, ...] = (
    Genre("hip hop", ("hip hop", "hip-hop", "hiphop", "rap", "rapper", "~trap", "~drill", "boom bap", "~grime"),
          ("rap_three", "rap_bridge"), 10, ("defiant",), ("city", "hustle")),
    Genre("gospel", ("gospel", "~worship", "~hymn", "christian rock", "christian pop"), _FOLK, 8, ("hope",),
          ("faith",)),
    Genre("lullaby", ("lullaby", "nursery rhyme", "~bedtime"), ("folk_three", "folk_outro"), 7, ("calm",),
          ("night", "space")),
    Genre("latin", ("~latin", "reggaeton", "~salsa", "bachata", "cumbia", "~samba"), ("dance", "pop_pre"), 7,
          ("happy",), ("summer", "party")),
    Genre("dance", ("edm", "~house", "techno", "~disco", "~dance", "~club", "~electro", "dubstep", "~trance",
                    "eurodance", "~rave"), ("dance", "pop_pre"), 7, ("happy",), ("party",)),
    Genre("metal", ("~metal", "~doom", "~gothic", "~goth"), ("rock", "rock_short"), 8, ("dark",), ("battle",)),
    Genre("punk", ("~punk", "~grunge", "~hardcore"), ("rock", "rock_short"), 7, ("defiant",), ("city",)),
    Genre("rock", ("~rock", "~emo", "~garage", "~arena", "~alternative"), ("rock", "rock_short"), 8,
          ("defiant",), ()),
    Genre("country", ("~country", "bluegrass", "americana", "honky tonk", "~western"), _FOLK, 8, (),
          ("country", "road")),
    Genre("blues", ("~blues", "~delta"), _FOLK, 8, ("sad",), ("road",)),
    Genre("soul", ("r&b", "rnb", "~soul", "neo soul", "motown", "~funk", "~slow jam"), _POP, 8, ("love",), ()),
    Genre("jazz", ("jazz", "~swing", "~lounge", "bossa nova", "~big band", "~crooner"), _FOLK, 8, ("love",),
          ("night", "city")),
    Genre("reggae", ("reggae", "~ska", "dancehall", "~dub"), _POP, 8, ("calm",), ("summer", "sea")),
    Genre("lofi", ("lofi", "lo-fi", "chillhop", "~ambient", "chillwave", "downtempo"), _FOLK, 7, ("calm",),
          ("night", "rain")),
    Genre("synthwave", ("synthwave", "retrowave", "~eighties", "~new wave"), _POP, 8, (),
          ("night", "city", "memory")),
    Genre("folk", ("~folk", "~acoustic", "singer-songwriter", "ballad", "~campfire", "~celtic"), _FOLK, 8, (),
          ()),
    Genre("pop", ("~pop", "synthpop", "k-pop", "kpop", "j-pop", "~indie"), _POP, 8, (), ()),
)

DEFAULT_GENRE = Genre("pop", (), _POP, 8)
DECADES = {"50": "fifties", "60": "sixties", "70": "seventies", "80": "eighties", "90": "nineties"}

# A pattern marked "~" is also an everyday word ("a haunted house", "my country"): it names the
# genre only before a word about music ("house track", "country song", "punk rock") or after a
# genre's modifier ("deep house", "heavy metal").
_MUSIC_WORDS = (
    r"songs?|tracks?|tunes?|music|anthems?|ballads?|beats?|bangers?|jams?|numbers?|vibes?|style|band|record|"
    r"single|lullaby|hymn|rap|rock|pop|folk|blues|jazz|punk|metal|soul|funk|instrumental|groove|remix|"
    r"version|album|piece|hit|duet|r&b|ballad"
)
_MODIFIERS = (
    r"deep|tech|heavy|hard|soft|punk|classic|southern|alt|indie|garage|progressive|acid|future|latin|pop|"
    r"folk|blues|psychedelic|death|black|nu|glam|acoustic|modern|dark|chill|electro|synth|dream|"
    r"surf|art|power|smooth|gospel|country|outlaw|celtic|irish|euro|italo|k|j"
)


def _pattern(p: str) -> re.Pattern[str]:
    word = re.escape(p.lstrip("~"))
    if not p.startswith("~"):
        return re.compile(r"(?<![a-z0-9])" + word + r"(?![a-z0-9])")
    return re.compile(
        rf"(?<![a-z0-9]){word}(?=[\s-]+(?:[a-z'&-]+\s+)?(?:{_MUSIC_WORDS})(?![a-z]))"
        rf"|(?<![a-z0-9])(?:{_MODIFIERS})[\s-]+{word}(?![a-z0-9])"
    )


_PATTERNS = [(genre, _pattern(p)) for genre in GENRES for p in genre.patterns]


def decades(text: str) -> str:
    """"90s" -> "nineties", "1980s" -> "eighties"."""
    return re.sub(r"\b(?:19)?([5-9]0)'?s\b", lambda m: DECADES[m.group(1)], text)


def find_genre(description: str) -> tuple[Genre, set[str]]:
    """The description's genre and the words that named it (those are not theme words)."""
    low = decades(description.lower())
    found: Genre | None = None
    words: set[str] = set()
    for genre, pattern in _PATTERNS:
        for m in pattern.finditer(low):
            found = found or genre
            words.update(w for w in re.split(r"[^a-z&]+", m.group(0)) if w)
    return found or DEFAULT_GENRE, words
