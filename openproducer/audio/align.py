"""Word timings of a sung vocal, for songs whose engine kept none (forced alignment).

No speech recogniser with its model can be had offline here, so the alignment uses what the
vocal itself shows (librosa): where the voice sounds (short-time level of the vocal part) and
where notes begin (onsets). Lines of the lyrics are laid on the sung time in proportion to their
syllables; a line boundary that falls near a breath moves into it; inside a line every word
takes time in proportion to its syllables and starts on the nearest onset. Each word therefore
lies inside the sung audio; ``p_align`` says how well its start met an onset (1: on one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["AlignedWord", "align_words", "lyric_lines", "sung_spans"]

_SR = 16000
_HOP = 160  # 10 ms


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


def _mono(audio: np.ndarray, sr: int) -> np.ndarray:
    from math import gcd

    from scipy.signal import resample_poly

    x = np.asarray(audio, dtype=np.float32)
    mono = x.mean(axis=1) if x.ndim == 2 else x
    g = gcd(int(sr), _SR)
    return resample_poly(mono, _SR // g, int(sr) // g).astype(np.float32)


def sung_spans(vocals: np.ndarray, sr: int, floor_db: float = -35.0, bridge_s: float = 0.3,
               min_s: float = 0.12) -> list[tuple[float, float]]:
    """Where the voice sounds: frames within ``floor_db`` of the vocal's loud level, gaps shorter
    than ``bridge_s`` bridged, blips shorter than ``min_s`` dropped."""
    import librosa

    y = _mono(vocals, sr)
    if not np.any(y):
        return []
    rms = librosa.feature.rms(y=y, frame_length=4 * _HOP, hop_length=_HOP)[0]
    loud = float(np.percentile(rms[rms > 0], 95)) if np.any(rms > 0) else 0.0
    active = rms > loud * 10 ** (floor_db / 20)
    spans: list[list[float]] = []
    for i in np.flatnonzero(active):
        t = i * _HOP / _SR
        if spans and t - spans[-1][1] <= bridge_s:
            spans[-1][1] = t + _HOP / _SR
        else:
            spans.append([t, t + _HOP / _SR])
    return [(round(a, 3), round(b, 3)) for a, b in spans if b - a >= min_s]


def _onsets(vocals: np.ndarray, sr: int) -> np.ndarray:
    import librosa

    y = _mono(vocals, sr)
    return librosa.onset.onset_detect(y=y, sr=_SR, hop_length=_HOP, units="time", backtrack=True)


def align_words(vocals: np.ndarray, sr: int, lines: list[list[str]], snap_s: float = 0.2) -> list[AlignedWord]:
    """Every word of ``lines``, in order, placed on the sung time of ``vocals``."""
    spans = sung_spans(vocals, sr)
    words = [w for line in lines for w in line]
    if not spans or not words:
        return []
    onsets = _onsets(vocals, sr)
    lengths = np.array([b - a for a, b in spans])
    starts = np.array([a for a, _ in spans])
    cum = np.concatenate([[0.0], np.cumsum(lengths)])
    total = float(cum[-1])

    def real_time(active: float) -> float:
        """A point ``active`` seconds into the sung time, on the clock of the song."""
        k = int(np.clip(np.searchsorted(cum, active, side="right") - 1, 0, len(spans) - 1))
        return float(starts[k] + min(active - cum[k], lengths[k]))

    weights = [[_syllables(w) for w in line] for line in lines]
    per_line = np.array([sum(w) for w in weights], dtype=float)
    bounds = np.concatenate([[0.0], np.cumsum(per_line)]) / per_line.sum() * total
    # a line boundary near a breath (the start of a sung span) moves onto it
    reach = 0.35 * total / max(1, len(lines))
    for i in range(1, len(bounds) - 1):
        near = cum[1:-1][np.abs(cum[1:-1] - bounds[i]) <= reach]
        if near.size:
            bounds[i] = float(near[np.argmin(np.abs(near - bounds[i]))])
    bounds = np.maximum.accumulate(bounds)
    out: list[AlignedWord] = []
    for li, line in enumerate(lines):
        a, b = bounds[li], bounds[li + 1]
        w = np.array(weights[li], dtype=float)
        edges = a + np.concatenate([[0.0], np.cumsum(w)]) / w.sum() * (b - a)
        for wi, word in enumerate(line):
            start, end = real_time(edges[wi]), real_time(max(edges[wi], edges[wi + 1] - 1e-3))
            p = 0.3
            if onsets.size:
                k = int(np.argmin(np.abs(onsets - start)))
                gap = abs(float(onsets[k]) - start)
                if gap <= snap_s and (not out or onsets[k] > out[-1].start) and onsets[k] < end:
                    inside = any(sa <= onsets[k] < sb for sa, sb in spans)
                    if inside:
                        start = float(onsets[k])
                        p = round(1.0 - 0.5 * gap / snap_s, 2)
            if out and start < out[-1].end:  # the previous word ends where this one starts
                out[-1] = AlignedWord(out[-1].word, out[-1].start, max(out[-1].start + 1e-3, start), out[-1].p_align)
            out.append(AlignedWord(word, round(start, 3), round(max(end, start + 1e-3), 3), p))
    return out
