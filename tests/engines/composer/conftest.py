"""Shared fixtures and audio measurements for the composer engine tests."""

from __future__ import annotations

import numpy as np
import pytest

from openproducer.engines.base import EngineRequest, Operation, ParentClip, RenderResult
from openproducer.engines.composer import ComposerEngine
from tests.support.songs import LYRICS

_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def no_progress(fraction: float, stage: str) -> None:
    assert 0.0 <= fraction <= 1.0 and stage


@pytest.fixture(scope="session")
def engine() -> ComposerEngine:
    eng = ComposerEngine()
    eng.load()
    yield eng
    eng.close()


def make(engine: ComposerEngine, **kwargs) -> RenderResult:
    op = kwargs.pop("operation", Operation.CREATE)
    return engine.render(EngineRequest(operation=op, **kwargs), no_progress)


def as_parent(result: RenderResult, engine_name: str = "composer") -> ParentClip:
    return ParentClip(clip_id="parent", sample_rate=result.sample_rate, audio=result.mix, stems=result.stems,
                      score=result.score, meta=result.meta, engine=engine_name, seed=1)


@pytest.fixture(scope="session")
def sung_parent(engine: ComposerEngine) -> RenderResult:
    return make(engine, sound="upbeat pop song with piano and drums, 112 bpm in G major", lyrics=LYRICS, seed=11)


def mono(audio: np.ndarray, sr: int, start: float = 0.0, end: float | None = None) -> np.ndarray:
    a = int(start * sr)
    b = len(audio) if end is None else int(end * sr)
    return audio[a:b].mean(axis=1).astype(np.float32)


def correlation(x: np.ndarray, y: np.ndarray) -> float:
    n = min(len(x), len(y))
    x, y = x[:n] - x[:n].mean(), y[:n] - y[:n].mean()
    return float(np.dot(x, y) / (np.linalg.norm(x) * np.linalg.norm(y) + 1e-12))


def tempo_of(audio: np.ndarray, sr: int, expected: float) -> float:
    """Tempo from tracked beats: the slope of a line through the beat times (sub-frame precise).

    Folded by 2x or 0.5x towards ``expected`` (trackers may lock to half or double time).
    """
    import librosa

    y = librosa.resample(audio.mean(axis=1), orig_sr=sr, target_sr=22050)
    env = librosa.onset.onset_strength(y=y, sr=22050, hop_length=256)
    _, beats = librosa.beat.beat_track(onset_envelope=env, sr=22050, hop_length=256, start_bpm=expected,
                                       units="time")
    period = float(np.median(np.diff(beats)))
    index = np.round((beats - beats[0]) / period)
    bpm = 60.0 / float(np.polyfit(index, beats, 1)[0])
    return min((bpm * f for f in (0.5, 1.0, 2.0)), key=lambda b: abs(b - expected))


def rms(audio: np.ndarray, sr: int, start: float, end: float) -> float:
    seg = audio[int(start * sr): int(end * sr)]
    return float(np.sqrt(np.mean(seg.astype(np.float64) ** 2)))


def key_of(audio: np.ndarray, sr: int) -> str:
    """Chroma + Krumhansl-Schmuckler key profile."""
    import librosa

    y = librosa.resample(audio.mean(axis=1), orig_sr=sr, target_sr=22050)
    chroma = librosa.feature.chroma_stft(y=y, sr=22050, n_fft=4096).sum(axis=1)
    best, name = -2.0, ""
    for tonic in range(12):
        for profile, mode in ((_MAJOR, "major"), (_MINOR, "minor")):
            r = float(np.corrcoef(chroma, np.roll(profile, tonic))[0, 1])
            if r > best:
                best, name = r, f"{NAMES[tonic]} {mode}"
    return name
