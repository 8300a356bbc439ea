"""Pronunciations from the CMU Pronouncing Dictionary (the ``pronouncing`` package), loaded once.

A word's *rhyme key* is its phones from the last stressed vowel (primary or secondary stress,
else the last vowel) to the end, with the stress digits removed: "train" and "again" (one of its
pronunciations) share ``EY N``; "hometown" and "down" share ``AW N``. Two different words rhyme
when any of their pronunciations share a key. A *near rhyme* keeps the stressed vowel and lets the
final consonants differ within one class (nasals m/n/ng, voiced or voiceless stops, fricatives),
as in "time"/"line" or "home"/"alone". Syllables are the vowels of the first pronunciation.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import pronouncing

_LOCK = threading.Lock()
_LOADED = False
_DIGITS = re.compile(r"\d")
_CONSONANT_CLASS = {
    "M": "nasal", "N": "nasal", "NG": "nasal",
    "B": "stop", "D": "stop", "G": "stop", "P": "stop", "T": "stop", "K": "stop",
    "F": "fric", "V": "fric", "TH": "fric", "DH": "fric", "S": "fric", "Z": "fric", "SH": "fric",
    "ZH": "fric", "CH": "fric", "JH": "fric", "HH": "fric",
    "L": "liquid", "R": "liquid",
}


def load() -> None:
    """Load the dictionary (about 0.3 s, once per process)."""
    global _LOADED
    if _LOADED:
        return
    with _LOCK:
        if not _LOADED:
            pronouncing.init_cmu()
            _LOADED = True


@lru_cache(maxsize=65536)
def phones(word: str) -> tuple[str, ...]:
    """Every pronunciation of ``word`` (case-insensitive); empty when the dictionary lacks it."""
    load()
    return tuple(pronouncing.phones_for_word(word.lower()))


def known(word: str) -> bool:
    return bool(phones(word))


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    """Syllables of the first pronunciation; unknown words count their vowel groups."""
    found = phones(word)
    if found:
        return max(1, pronouncing.syllable_count(found[0]))
    return max(1, len(re.findall(r"[aeiouy]+", word.lower())))


def line_syllables(words: list[str]) -> int:
    return sum(syllables(w) for w in words)


def _key(pron: str) -> str:
    return _DIGITS.sub("", pronouncing.rhyming_part(pron))


@lru_cache(maxsize=65536)
def rhyme_keys(word: str) -> tuple[str, ...]:
    """The rhyme keys of every pronunciation, first pronunciation first, without repeats."""
    keys: list[str] = []
    for pron in phones(word):
        key = _key(pron)
        if key and key not in keys:
            keys.append(key)
    return tuple(keys)


def rhyme_key(word: str) -> str | None:
    keys = rhyme_keys(word)
    return keys[0] if keys else None


def rhymes(a: str, b: str) -> bool:
    """A perfect rhyme between two different words (identical words do not count)."""
    if a.lower() == b.lower():
        return False
    return bool(set(rhyme_keys(a)) & set(rhyme_keys(b)))


def _near_shape(key: str) -> tuple[str, ...]:
    parts = key.split()
    return (parts[0], *(_CONSONANT_CLASS.get(p, p) for p in parts[1:]))


def near_rhymes(a: str, b: str) -> bool:
    """A perfect rhyme, or the same stressed vowel and the same sequence of consonant classes after it."""
    if rhymes(a, b):
        return True
    if a.lower() == b.lower():
        return False
    return bool({_near_shape(k) for k in rhyme_keys(a)} & {_near_shape(k) for k in rhyme_keys(b)})


def starts_with_vowel_sound(word: str) -> bool:
    found = phones(word)
    if found:
        return found[0].split()[0][0] in "AEIOU"
    return word[:1].lower() in "aeiou"


def indefinite_article(word: str) -> str:
    return "an" if starts_with_vowel_sound(word) else "a"
