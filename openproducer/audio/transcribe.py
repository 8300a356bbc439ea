"""Notes from audio: Spotify's Basic Pitch (its ONNX model, shipped inside the ``basic-pitch``
package, run by onnxruntime), and drum hits from the percussive part's onsets (librosa).

Basic Pitch is installed without its TensorFlow dependency (``make setup`` does
``pip install --no-deps basic-pitch``; docs/dependencies.md): with onnxruntime present it loads
``nmp.onnx`` from its own package, offline. It transcribes polyphonic audio into notes with
pitch bends; a melody is taken from its notes as the loudest note sounding at each moment.
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from openproducer.audio.analyse import mono_at

__all__ = ["Note", "TranscriptionUnavailable", "drum_hits", "melody_line", "transcribe", "voice_line"]

log = logging.getLogger(__name__)
_SR = 22050


@dataclass(frozen=True)
class Note:
    start: float  # seconds
    end: float
    pitch: int  # MIDI
    velocity: int


class TranscriptionUnavailable(RuntimeError):
    """basic-pitch (or onnxruntime) is not installed."""


def _basic_pitch() -> tuple[Any, Any]:
    """basic-pitch's ``predict`` and its ONNX model. Its import warns, on the root logger, about
    each backend it does not find (TensorFlow, CoreML, TFLite); only ONNX is used here."""
    logging.disable(logging.WARNING)
    try:
        import onnxruntime  # noqa: F401 - the backend basic-pitch must find
        from basic_pitch import ICASSP_2022_MODEL_PATH
        from basic_pitch.inference import predict
    except ImportError as exc:  # pragma: no cover - the packages are part of the set-up
        raise TranscriptionUnavailable("transcription needs basic-pitch and onnxruntime (make setup)") from exc
    finally:
        logging.disable(logging.NOTSET)
    if not str(ICASSP_2022_MODEL_PATH).endswith(".onnx"):
        raise TranscriptionUnavailable(f"basic-pitch chose a model this server cannot run: {ICASSP_2022_MODEL_PATH}")
    return predict, ICASSP_2022_MODEL_PATH


def transcribe(audio: np.ndarray, sr: int, *, onset_threshold: float = 0.5, frame_threshold: float = 0.3,
               min_note_s: float = 0.08, low_hz: float | None = None, high_hz: float | None = None) -> list[Note]:
    """Every note Basic Pitch hears in ``audio`` ((samples, 2) or mono), sorted by start."""
    import soundfile as sf

    predict, model_path = _basic_pitch()
    y = mono_at(audio, sr, _SR)
    if len(y) < _SR // 4 or not np.any(y):
        return []
    peak = float(np.max(np.abs(y)))
    with tempfile.TemporaryDirectory(prefix="op-transcribe-") as tmp:
        path = Path(tmp) / "audio.wav"
        sf.write(str(path), y / peak * 0.9, _SR, subtype="FLOAT")
        with contextlib.redirect_stdout(io.StringIO()):  # it prints its progress
            _, _, events = predict(str(path), model_path, onset_threshold=onset_threshold,
                                   frame_threshold=frame_threshold, minimum_note_length=min_note_s * 1000.0,
                                   minimum_frequency=low_hz, maximum_frequency=high_hz, melodia_trick=True)
    notes = [Note(float(s), float(e), int(p), int(np.clip(round(a * 127), 1, 127))) for s, e, p, a, *_ in events]
    return sorted(notes, key=lambda n: (n.start, n.pitch))


_HARMONICS = (12, 19, 24, 28, 31)  # semitones from a fundamental to its 2nd to 6th harmonics


def _overtones(notes: list[Note]) -> set[int]:
    """Indices of notes that are an overtone of a lower note sounding with them (most of their
    length): a transcriber hears a voice's strong harmonics as notes of their own."""
    out = set()
    for i, upper in enumerate(notes):
        length = upper.end - upper.start
        for lower in notes:
            overlap = min(upper.end, lower.end) - max(upper.start, lower.start)
            if upper.pitch - lower.pitch in _HARMONICS and overlap >= 0.5 * length:
                out.add(i)
                break
    return out


def melody_line(notes: list[Note], min_note_s: float = 0.08) -> list[Note]:
    """One note at a time: overtones of a lower note are dropped; where notes still overlap,
    the loudest (then the highest) sounds; the others are cut at its start or dropped."""
    overtones = _overtones(notes)
    notes = [n for i, n in enumerate(notes) if i not in overtones]
    line: list[Note] = []
    for note in sorted(notes, key=lambda n: (-n.velocity, -n.pitch)):
        spans = [(note.start, note.end)]
        for kept in line:
            nxt = []
            for a, b in spans:
                if b <= kept.start or a >= kept.end:
                    nxt.append((a, b))
                    continue
                if a < kept.start:
                    nxt.append((a, kept.start))
                if b > kept.end:
                    nxt.append((kept.end, b))
            spans = nxt
        line += [Note(a, b, note.pitch, note.velocity) for a, b in spans if b - a >= min_note_s]
    return sorted(line, key=lambda n: n.start)


def voice_line(audio: np.ndarray, sr: int, low_hz: float = 70.0, high_hz: float = 1100.0) -> list[Note]:
    """The notes of one singing voice: Basic Pitch's melody line, each note checked against the
    voice's fundamental (librosa's YIN, the median over the note). Where Basic Pitch heard only an
    overtone of the sung note (an octave, a twelfth, two octaves… above it), the note takes the
    fundamental's pitch."""
    import librosa

    y = mono_at(audio, sr, _SR)  # once, for both (transcribe leaves audio at its rate as it is)
    line = melody_line(transcribe(y, _SR, low_hz=low_hz, high_hz=high_hz))
    if not line:
        return line
    hop = 256
    f0 = librosa.yin(y, fmin=low_hz, fmax=high_hz, sr=_SR, frame_length=2048, hop_length=hop)
    midi = librosa.hz_to_midi(f0)
    out = []
    for note in line:
        a, b = int((note.start + 0.03) * _SR / hop), int((note.end - 0.03) * _SR / hop)
        if b - a >= 2:
            heard = float(np.median(midi[a:b]))
            under = [note.pitch - h for h in _HARMONICS if abs(heard - (note.pitch - h)) < 0.5]
            if under:
                note = Note(note.start, note.end, under[0], note.velocity)
        out.append(note)
    return out


def drum_hits(audio: np.ndarray, sr: int) -> list[Note]:
    """Drum hits from the percussive part's onsets, each named a GM drum by where its energy lies:
    kick (36) low, snare (38) in the middle, closed hi-hat (42) high."""
    import librosa

    y = mono_at(audio, sr, _SR)
    if len(y) < _SR // 4 or not np.any(y):
        return []
    percussive = librosa.effects.percussive(y, margin=3.0)
    onsets = librosa.onset.onset_detect(y=percussive, sr=_SR, hop_length=256, units="samples", backtrack=False)
    spec = np.abs(librosa.stft(percussive, n_fft=1024, hop_length=256))
    freqs = librosa.fft_frequencies(sr=_SR, n_fft=1024)
    bands = [(freqs < 150), (freqs >= 150) & (freqs < 2500), (freqs >= 5000)]
    hits = []
    level = np.sqrt(np.mean(percussive ** 2)) + 1e-9
    for onset in onsets:
        frame = min(spec.shape[1] - 1, int(onset) // 256 + 1)
        energy = [float(spec[band, frame].sum()) for band in bands]
        pitch = (36, 38, 42)[int(np.argmax(np.array(energy) * np.array([1.0, 0.6, 2.5])))]
        peak = float(np.max(np.abs(percussive[onset: onset + 512]))) if onset < len(percussive) else 0.0
        velocity = int(np.clip(40 + 40 * peak / (4 * level), 30, 127))
        t = onset / _SR
        hits.append(Note(t, t + 0.1, pitch, velocity))
    return hits
