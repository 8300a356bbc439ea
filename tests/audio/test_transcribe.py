"""A sung line transcribed: Basic Pitch's overtones put back on the voice's fundamental."""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfiltfilt

from openproducer.audio.transcribe import Note, melody_line, voice_line
from openproducer.engines.base import EngineRequest, Operation

LYRICS = "[Verse]\nWalking through the city lights\nFeeling the rhythm of the night\n"


def test_an_overtone_sounding_with_its_fundamental_is_not_the_melody():
    notes = [Note(0.0, 0.5, 55, 60), Note(0.02, 0.45, 67, 100),  # a twelfth above, louder
             Note(0.5, 1.0, 60, 80), Note(0.6, 0.9, 66, 90)]  # a tritone is no overtone: the louder wins
    line = melody_line(notes)
    assert [n.pitch for n in line] == [55, 60, 66, 60]


def test_a_thin_male_voice_is_transcribed_at_its_sung_pitch(engines):
    """The composer's male vocal with everything under 300 Hz cut (a phone recording, say): its
    fundamental is gone, Basic Pitch alone hears mostly overtones (12 % of notes right here)."""
    song = engines.get("composer").render(EngineRequest(
        operation=Operation.CREATE, sound="calm folk with acoustic guitar", lyrics=LYRICS, seed=5,
        profile="standard", voice={"gender": "male"}), lambda _f, _s: None)
    spb = 60.0 / float(song.score["bpm"])
    sung = song.score["melody"]["notes"]  # [beat, beats, pitch, ...]
    sos = butter(6, 300.0, btype="highpass", fs=song.sample_rate, output="sos")
    thin = sosfiltfilt(sos, song.stems["vocals"], axis=0).astype(np.float32)
    hits = []
    for note in voice_line(thin, song.sample_rate):
        mid = (note.start + note.end) / 2
        truth = [n[2] for n in sung if n[0] * spb <= mid < (n[0] + n[1]) * spb]
        if truth:
            hits.append(note.pitch == truth[0])
    assert len(hits) >= 10 and np.mean(hits) >= 0.85, (len(hits), np.mean(hits))
