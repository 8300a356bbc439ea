"""Measuring what the server serves: decode, duration, loudness, tempo."""

from __future__ import annotations

import io
import subprocess

import httpx
import numpy as np
import soundfile as sf


def fetch_wav(url: str) -> tuple[np.ndarray, int]:
    response = httpx.get(url, timeout=30)
    assert response.status_code == 200, response.text
    audio, sr = sf.read(io.BytesIO(response.content), dtype="float32", always_2d=True)
    return audio, sr


def fetch_mp3(url: str, sr: int = 44100) -> np.ndarray:
    """Decode an MP3 URL with ffmpeg to float32 stereo."""
    data = httpx.get(url, timeout=30).content
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", "pipe:0", "-f", "f32le", "-ac", "2", "-ar", str(sr), "pipe:1"],
        input=data, capture_output=True, check=True,
    ).stdout
    return np.frombuffer(out, dtype=np.float32).reshape(-1, 2)


def rms_dbfs(audio: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(audio, dtype=np.float64))) + 1e-12))


def tempo(audio: np.ndarray, sr: int, expected: float) -> float:
    """librosa's beat-tracking tempo, folded to the octave of ``expected`` (half/double time)."""
    import librosa

    mono = librosa.resample(audio.mean(axis=1), orig_sr=sr, target_sr=22050)
    found, _ = librosa.beat.beat_track(y=mono, sr=22050, start_bpm=expected)
    found = float(np.atleast_1d(found)[0])
    for factor in (0.5, 2.0, 1.5, 2 / 3):
        if abs(found * factor - expected) < abs(found - expected):
            found *= factor
    return found
