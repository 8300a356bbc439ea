"""How the words are said: espeak-ng phonemes, cut into sung syllables and matched to the notes.

The melody gives every *spelled* syllable a note ("wal" + "king"); spoken on their
own, spelled fragments are mispronounced ("wal" is not the "walk" of "walking").
So each word is first transcribed by espeak-ng (``-x``: ``w'O:kIN``), the phoneme
string is cut into syllables at its vowels (``w'O:`` + ``kIN``), and each phoneme
syllable is what the singer speaks and stretches. When spelling and sound disagree
on the number of syllables, the notes win: extra phoneme syllables join the word's
last note ("rhythm" on one note sings ``r'ID@m``), and notes without a syllable of
their own hold the vowel before them (a melisma, "ev-e-ry" on ``'Ev`` + ``rI2``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

_VOWEL = "aeiouAEIOUV@03"
# a vowel (with its length, variant and r-colouring marks), a syllabic consonant, a stress mark, or a consonant
_TOKEN = re.compile(rf"[{_VOWEL}][{_VOWEL}:#;2L]*(?:r-)?|[nml]-|['%,=]|[^\s{_VOWEL}'%,=][#;:\-]?")
_ONSETS = {"pr", "br", "tr", "dr", "kr", "gr", "fr", "Tr", "pl", "bl", "kl", "gl", "fl", "sl", "sp", "st", "sk",
           "sm", "sn", "sw", "tw", "kw", "dw", "pj", "bj", "kj", "mj", "fj", "hj", "vj", "Sr"}
_cache: dict[str, list[str]] = {}
_lock = threading.Lock()
_CACHE_SIZE = 4096


def clean_word(word: str) -> str:
    return re.sub(r"[^a-z']", "", word.lower().replace("\u2019", "'")).strip("'")


def _is_nucleus(token: str) -> bool:
    return token[0] in _VOWEL or (len(token) == 2 and token[1] == "-" and token[0] in "nml")


def syllabify(phonemes: str) -> list[str]:
    """Cut an espeak-ng phoneme string into syllables, one vowel (or syllabic consonant) each.

    Consonants between two vowels go to the second syllable when they can start one
    (one consonant, or pairs such as "tr", "st"), otherwise they are split.
    """
    tokens = _TOKEN.findall(phonemes.replace("_", "").replace("|", ""))
    nuclei = [i for i, t in enumerate(tokens) if _is_nucleus(t)]
    if len(nuclei) <= 1:
        text = "".join(tokens)
        return [text] if text else []
    cuts = []
    for a, b in zip(nuclei, nuclei[1:], strict=False):
        between = [i for i in range(a + 1, b) if tokens[i] not in "'%,="]
        if not between:
            cut = a + 1
        elif len(between) >= 2 and (tokens[between[-2]][0] + tokens[between[-1]][0]) in _ONSETS:
            cut = between[-2]
        else:
            cut = between[-1]
        while cut > a + 1 and tokens[cut - 1] in "'%,=":  # a stress mark stays with its syllable
            cut -= 1
        cuts.append(cut)
    bounds = [0, *cuts, len(tokens)]
    return ["".join(tokens[x:y]) for x, y in zip(bounds, bounds[1:], strict=False) if y > x]


def sung_form(piece: str) -> str:
    """A syllable as it is sung: every syllable stressed (a full vowel on its note), a flapped t made clear."""
    text = re.sub(r"[,%=]", "", piece).replace("t#", "t")
    if "'" not in text:
        m = re.search(rf"[{_VOWEL}]|[nml]-", text)
        text = text[: m.start()] + "'" + text[m.start():] if m else text
    return text


def pronounce(words: list[str], speak: Callable[[list[str]], list[str]]) -> dict[str, list[str]]:
    """Phoneme syllables of each distinct word; ``speak`` transcribes a list of words (one espeak-ng call).

    Words espeak-ng cannot transcribe (or a failed call) get no entry: the caller falls
    back to the spelled syllables.
    """
    wanted = sorted({w for w in map(clean_word, words) if w})
    out: dict[str, list[str]] = {}
    with _lock:
        for w in wanted:
            if w in _cache:
                out[w] = _cache[w]
    todo = [w for w in wanted if w not in out]
    if todo:
        lines = speak(todo)
        if len(lines) == len(todo):
            with _lock:
                for w, line in zip(todo, lines, strict=True):
                    syls = [sung_form(p) for p in syllabify(line.strip())]
                    if syls:
                        out[w] = _cache[w] = syls
                while len(_cache) > _CACHE_SIZE:
                    _cache.pop(next(iter(_cache)))
    return out


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def fit_to_notes(pieces: list[str], count: int) -> list[str | None]:
    """One entry per note of a word: its phoneme syllable, or None to hold the vowel before it.

    More syllables than notes: the extra ones join the last note. Fewer: the first
    syllable (English stresses it most often) is held over the notes that follow it.
    """
    if count <= 0:
        return []
    if not pieces:
        return [None] * count
    if len(pieces) >= count:
        return [*pieces[: count - 1], "".join(pieces[count - 1:])]
    extra = count - len(pieces)
    return [pieces[0], *([None] * extra), *pieces[1:]]
