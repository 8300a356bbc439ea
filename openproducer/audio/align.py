"""Word timings of a sung vocal, for songs whose engine kept none (forced alignment).

No speech recogniser with its model can be had offline here, so the alignment uses what the
vocal itself shows (librosa): where the voice sounds (short-time level), which frames are
voiced (spectral flatness: a breath or hiss is flat, a vowel is not) and where notes begin
(onset strength under 1.5 kHz, where vowels and pitch changes live and consonant hiss does not).
Sung phrases (breaths left out) and lyric lines are matched in order by their share of the
whole; inside a phrase each syllable starts on an onset chosen by dynamic programming (strong
onsets, near where the syllables would fall if each took equal time and a line's last one
twice that), and a word starts on its first syllable. Each word lies inside the sung audio;
``p_align`` says how strong the onset it starts on was (1: the phrase start or the strongest).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openproducer.audio.analyse import mono_at

__all__ = ["AlignedWord", "align_words", "lyric_lines", "sung_spans"]

_SR = 16000
_HOP = 160  # 10 ms
_VOICED_FLATNESS = 0.02  # spectral flatness under which a frame is voiced (a vowel, not breath or hiss)
_CONSONANT_DB = -30.0  # level over which the frames before a vowel are its onset consonants
_LEAD_S = 0.15  # the longest onset consonant kept before a phrase's first vowel
_MIN_SYLLABLE_S = 0.06
_LAST_SYLLABLE = 2.0  # a line's last syllable is held about twice as long as the others
_VOWEL_HZ = 1500.0  # onsets are looked for under this: vowels and pitch changes, not hiss
_SPREAD_WEIGHT = 0.5  # how much an even spread of syllables weighs against onset strength


@dataclass(frozen=True)
class AlignedWord:
    word: str
    start: float
    end: float
    p_align: float

    @property
    def success(self) -> bool:
        return self.p_align >= 0.5


def lyric_lines(lyrics: str) -> list[list[str]]:
    """The sung lines of a lyric sheet, each a list of words (section markers dropped)."""
    from openproducer.core.validation import lyric_words

    lines = [lyric_words(line) for line in lyrics.splitlines()]
    return [line for line in lines if line]


def _syllables(word: str) -> int:
    from openproducer.engines.composer.lyrics import syllables

    return max(1, len(syllables(word)))


def _rms(y: np.ndarray) -> np.ndarray:
    """Short-time level of the mono 16 kHz ``y``, one value per 10 ms frame."""
    import librosa

    return librosa.feature.rms(y=y, frame_length=4 * _HOP, hop_length=_HOP)[0]


def _loud(rms: np.ndarray) -> float:
    """The vocal's loud level: the 95th percentile of its sounding frames."""
    return float(np.percentile(rms[rms > 0], 95)) if np.any(rms > 0) else 0.0


def _spans(rms: np.ndarray, floor_db: float = -35.0, bridge_s: float = 0.3,
           min_s: float = 0.12) -> list[tuple[float, float]]:
    active = rms > _loud(rms) * 10 ** (floor_db / 20)
    spans: list[list[float]] = []
    for i in np.flatnonzero(active):
        t = i * _HOP / _SR
        if spans and t - spans[-1][1] <= bridge_s:
            spans[-1][1] = t + _HOP / _SR
        else:
            spans.append([t, t + _HOP / _SR])
    return [(round(a, 3), round(b, 3)) for a, b in spans if b - a >= min_s]


def sung_spans(vocals: np.ndarray, sr: int, floor_db: float = -35.0, bridge_s: float = 0.3,
               min_s: float = 0.12) -> list[tuple[float, float]]:
    """Where the voice sounds: frames within ``floor_db`` of the vocal's loud level, gaps shorter
    than ``bridge_s`` bridged, blips shorter than ``min_s`` dropped."""
    y = mono_at(vocals, sr, _SR)
    if not np.any(y):
        return []
    return _spans(_rms(y), floor_db, bridge_s, min_s)


def _features(y: np.ndarray, rms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per 10 ms frame of the mono 16 kHz ``y``: level in dB under the vocal's loud level (from its
    ``rms``), spectral flatness, onset strength."""
    import librosa

    level = 20.0 * np.log10(np.maximum(rms, 1e-12) / (_loud(rms) or 1.0))
    flat = librosa.feature.spectral_flatness(y=y, n_fft=512, hop_length=_HOP)[0]
    strength = librosa.onset.onset_strength(y=y, sr=_SR, hop_length=_HOP, fmax=_VOWEL_HZ, n_mels=64)
    n = min(len(level), len(flat), len(strength))
    return level[:n], flat[:n], strength[:n]


def _phrases(spans: list[tuple[float, float]], level: np.ndarray, flat: np.ndarray) -> list[tuple[float, float]]:
    """The sung spans without the breath drawn before a phrase: each starts at its first voiced
    frame, or up to ``_LEAD_S`` before it where the sound runs on (its onset consonants)."""
    out = []
    fps = _SR / _HOP
    for a, b in spans:
        i0, i1 = int(round(a * fps)), min(len(flat), int(round(b * fps)))
        voiced = np.flatnonzero((flat[i0:i1] < _VOICED_FLATNESS) & (level[i0:i1] > _CONSONANT_DB))
        if not voiced.size:
            out.append((a, b))
            continue
        start = i0 + int(voiced[0])
        lead = 0
        while lead < _LEAD_S * fps and start - lead - 1 >= i0 and level[start - lead - 1] > _CONSONANT_DB:
            lead += 1
        out.append((round(max(a, (start - lead) / fps), 3), b))
    return out


def _syllable_starts(a: float, b: float, lengths: np.ndarray, peaks: np.ndarray,
                     heights: np.ndarray) -> list[tuple[float, float]]:
    """A start for each syllable in [a, b) (``lengths``: their expected relative lengths): the
    first at ``a``, the rest on onsets chosen by dynamic programming for strength and for staying
    near where the lengths put them; (time, confidence) each."""
    count = len(lengths)
    even = a + (b - a) * np.concatenate([[0.0], np.cumsum(lengths)[:-1]]) / float(np.sum(lengths))
    inside = (peaks > a + _MIN_SYLLABLE_S) & (peaks < b - _MIN_SYLLABLE_S)
    cand, h = peaks[inside], heights[inside]
    if count == 1:
        return [(a, 1.0)]
    if len(cand) < count - 1:  # too few onsets: an even spread
        return [(a, 1.0)] + [(float(t), 0.3) for t in even[1:]]
    span = max(b - a, 1e-3)
    score = h / max(float(h.max()), 1e-9)
    m, k = len(cand), count - 1
    best = np.full((k, m), -np.inf)  # best[j, i]: syllable j + 1 on onset i, the best total so far
    back = np.zeros((k, m), dtype=int)
    for j in range(k):
        gain = score - _SPREAD_WEIGHT * count * np.abs(cand - even[j + 1]) / span
        if j == 0:
            best[0] = gain
            continue
        top = 0  # the best onset before i for the syllable before
        for i in range(1, m):
            if best[j - 1, i - 1] > best[j - 1, top]:
                top = i - 1
            if np.isfinite(best[j - 1, top]):
                best[j, i], back[j, i] = best[j - 1, top] + gain[i], top
    chosen = [int(np.argmax(best[k - 1]))]
    for j in range(k - 1, 0, -1):
        chosen.append(int(back[j, chosen[-1]]))
    chosen.reverse()
    return [(a, 1.0)] + [(float(cand[i]), round(float(0.5 + 0.5 * score[i]), 2)) for i in chosen]


def _partition(sizes: np.ndarray, shares: np.ndarray) -> list[int]:
    """Cut ``sizes`` into ``len(shares)`` consecutive non-empty groups whose parts of the whole
    best match ``shares``; the index where each group starts."""
    n, m = len(sizes), len(shares)
    part = np.concatenate([[0.0], np.cumsum(sizes)]) / max(float(np.sum(sizes)), 1e-9)
    want = np.asarray(shares, dtype=float) / max(float(np.sum(shares)), 1e-9)
    cost = np.full((n + 1, m + 1), np.inf)
    back = np.zeros((n + 1, m + 1), dtype=int)
    cost[0, 0] = 0.0
    for j in range(1, m + 1):
        for i in range(j, n - (m - j) + 1):
            ks = np.arange(j - 1, i)
            c = cost[ks, j - 1] + (part[i] - part[ks] - want[j - 1]) ** 2
            best = int(np.argmin(c))
            cost[i, j], back[i, j] = c[best], ks[best]
    cuts, i = [], n
    for j in range(m, 0, -1):
        i = int(back[i, j])
        cuts.append(i)
    return cuts[::-1]


def align_words(vocals: np.ndarray, sr: int, lines: list[list[str]]) -> list[AlignedWord]:
    """Every word of ``lines``, in order, placed on the sung time of ``vocals``.

    The sung phrases (breaths left out) and the lyric lines are matched in order, several lines
    to a phrase or several phrases to a line, by their parts of the whole (time, syllables);
    inside each, the syllables are laid on onsets (:func:`_syllable_starts`) and a word starts on
    its first syllable.
    """
    import librosa

    words = [w for line in lines for w in line]
    y = mono_at(vocals, sr, _SR)
    rms = _rms(y)
    heard = _spans(rms) if np.any(y) else []
    if not heard or not words:
        return []
    level, flat, strength = _features(y, rms)
    phrases = _phrases(heard, level, flat)
    at = librosa.util.peak_pick(strength, pre_max=3, post_max=3, pre_avg=5, post_avg=5, delta=0.1, wait=5)
    peaks, heights = at * _HOP / _SR, strength[at] if len(at) else np.zeros(0)
    weights = [[_syllables(w) for w in line] for line in lines]
    syllables = np.array([sum(w) for w in weights], dtype=float)
    durations = np.array([b - a for a, b in phrases])
    groups: list[tuple[float, float, list[int]]]  # (start, end, lines) sung together
    if len(phrases) >= len(lines):
        cuts = _partition(durations, syllables) + [len(phrases)]
        groups = [(phrases[cuts[i]][0], phrases[cuts[i + 1] - 1][1], [i]) for i in range(len(lines))]
    else:
        cuts = _partition(syllables, durations) + [len(lines)]
        groups = [(a, b, list(range(cuts[k], cuts[k + 1]))) for k, (a, b) in enumerate(phrases)]

    def span_end(t: float) -> float:
        return next((b for a, b in heard if a - 0.02 <= t < b), t + 1e-3)

    out: list[AlignedWord] = []
    for a, b, members in groups:
        group_weights = [w for li in members for w in weights[li]]
        lengths = np.concatenate([[1.0] * (sum(weights[li]) - 1) + [_LAST_SYLLABLE] for li in members])
        starts = _syllable_starts(a, b, lengths, peaks, heights)
        first = np.concatenate([[0], np.cumsum(group_weights)[:-1]]).astype(int)
        group_words = [w for li in members for w in lines[li]]
        for wi, word in enumerate(group_words):
            start, p = starts[first[wi]]
            end = starts[first[wi + 1]][0] if wi + 1 < len(group_words) else b
            end = min(end, span_end(start))
            out.append(AlignedWord(word, round(start, 3), round(max(end, start + 1e-3), 3), p))
    return out
