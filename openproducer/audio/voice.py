"""What a singing voice is like, measured from audio: range, gender, timbre.

The pitch track is librosa's pYIN on the vocal part (16 kHz mono); the range is the 5th to 95th
percentile of the voiced frames (so a stray octave error does not stretch it), gender follows the
median pitch (below 165 Hz: male, the usual boundary between the two speaking/singing ranges),
and the timbre words come from the spectral centroid and the share of noise in voiced frames.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from openproducer.audio.analyse import mono_at

__all__ = ["VoiceProfile", "measure_voice"]

_SR = 16000
_MALE_BELOW_HZ = 165.0
_MAX_SECONDS = 60.0


@dataclass(frozen=True)
class VoiceProfile:
    gender: str  # "female" | "male"
    low: float  # MIDI pitch, 5th percentile of the sung notes
    high: float  # MIDI pitch, 95th percentile
    median: float  # MIDI pitch
    voiced_seconds: float
    brightness: float  # spectral centroid of the voiced frames, Hz
    timbre: dict[str, float]  # timbre words (the composer's vocabulary) with amounts

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class NoVoiceFound(ValueError):
    """Too little sung (voiced) audio to measure a voice."""


def measure_voice(audio: np.ndarray, sr: int, min_voiced_s: float = 2.0) -> VoiceProfile:
    """The voice in ``audio`` (a vocal stem or a solo recording, (samples, 2) or mono)."""
    import librosa

    y = mono_at(audio, sr, _SR)[: int(_MAX_SECONDS * _SR)]
    if not np.any(y):
        raise NoVoiceFound("the audio is silent")
    f0, voiced, _ = librosa.pyin(y, fmin=65.0, fmax=1000.0, sr=_SR, frame_length=1024, hop_length=256)
    hz = f0[voiced & np.isfinite(f0)]
    voiced_s = len(hz) * 256 / _SR
    if voiced_s < min_voiced_s:
        raise NoVoiceFound(f"only {voiced_s:.1f} s of sung or spoken pitch was found")
    midi = librosa.hz_to_midi(hz)
    centroid = librosa.feature.spectral_centroid(y=y, sr=_SR, n_fft=1024, hop_length=256)[0]
    flatness = librosa.feature.spectral_flatness(y=y, n_fft=1024, hop_length=256)[0]
    frames = min(len(centroid), len(voiced))
    mask = voiced[:frames]
    brightness = float(np.median(centroid[:frames][mask])) if mask.any() else float(np.median(centroid))
    noise = float(np.median(flatness[:frames][mask])) if mask.any() else 0.0
    median_hz = float(np.median(hz))
    gender = "male" if median_hz < _MALE_BELOW_HZ else "female"
    timbre: dict[str, float] = {}
    typical = 1800.0 if gender == "male" else 2300.0
    if brightness > typical * 1.25:
        timbre["bright"] = 1.0
    elif brightness < typical * 0.75:
        timbre["warm"] = 1.0
    if noise > 0.05:
        timbre["breathy"] = round(min(1.0, noise * 10), 2)
    return VoiceProfile(gender=gender, low=round(float(np.percentile(midi, 5)), 2),
                        high=round(float(np.percentile(midi, 95)), 2), median=round(float(np.median(midi)), 2),
                        voiced_seconds=round(voiced_s, 2), brightness=round(brightness, 1), timbre=timbre)
