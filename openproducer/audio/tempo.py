"""A clip's tempo for ``/sonic/bpm``: the whole song's, and its slowest and fastest stretch.

Beat tracking as the upload analysis does it (``analyse.py``: librosa's tracker, the tempo refined
by a straight-line fit of the beat times), without the key and section analysis it also makes.
"""

from __future__ import annotations

import numpy as np

from openproducer.audio.analyse import ANALYSIS_SR, HOP, _refine_bpm, mono_at

__all__ = ["NoBeat", "measure_bpm"]


class NoBeat(ValueError):
    """No steady beat in the audio."""


def measure_bpm(audio: np.ndarray, sr: int, window_beats: int = 8) -> dict[str, float]:
    """``avg_bpm`` (the song's tempo), ``min_bpm`` and ``max_bpm`` (the slowest and fastest stretch of
    ``window_beats`` beats, folded into the octave of the average)."""
    import librosa

    y = mono_at(audio, sr)
    if len(y) < ANALYSIS_SR or not np.any(y):
        raise NoBeat("the clip is too short or silent to hear a beat")
    onset = librosa.onset.onset_strength(y=y, sr=ANALYSIS_SR, hop_length=HOP)
    coarse, beats = librosa.beat.beat_track(onset_envelope=onset, sr=ANALYSIS_SR, hop_length=HOP)
    times = librosa.frames_to_time(beats, sr=ANALYSIS_SR, hop_length=HOP)
    if len(times) < 4:
        raise NoBeat("no steady beat was found in the clip")
    avg = _refine_bpm(float(np.atleast_1d(coarse)[0]), times)
    local = []
    for i in range(0, max(0, len(times) - window_beats) + 1, max(1, window_beats // 2)):
        span = times[i: i + window_beats + 1]
        if len(span) >= 5:
            local.append(60.0 / float(np.polyfit(np.arange(len(span)), span, 1)[0]))
    folded = []
    for tempo in local:
        while tempo > avg * 1.4:
            tempo /= 2
        while tempo < avg / 1.4:
            tempo *= 2
        folded.append(tempo)
    return {"avg_bpm": round(avg, 2), "max_bpm": round(max([avg, *folded]), 2),
            "min_bpm": round(min([avg, *folded]), 2)}
