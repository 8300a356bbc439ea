"""Forced alignment of a sung vocal, and a score written as a Standard MIDI File, on a composer song
whose engine knows the truth (its own word timings and notes)."""

from __future__ import annotations

import io

import numpy as np
import pytest

from openproducer.audio.align import align_words, lyric_lines, sung_spans
from openproducer.audio.midi import instruments_json, parts_from_score, write_midi
from openproducer.engines.base import EngineRequest, Operation

LYRICS = ("[Verse]\nWalking through the city lights\nFeeling the rhythm of the night\n\n"
          "[Chorus]\nWe're alive, we're free tonight\nDancing till the morning light\n")


@pytest.fixture(scope="module")
def song(engines):
    composer = engines.get("composer")
    request = EngineRequest(operation=Operation.CREATE, sound="calm folk with acoustic guitar", lyrics=LYRICS, seed=4,
                            profile="standard", voice={"gender": "female"})
    return composer.render(request, lambda _f, _s: None)


def test_forced_alignment_finds_every_word_in_order_inside_the_singing(song):
    vocals, sr = song.stems["vocals"], song.sample_rate
    found = align_words(vocals, sr, lyric_lines(LYRICS))
    truth = song.meta.lyrics_timing
    assert [w.word for w in found] == [w.word for w in truth]
    spans = sung_spans(vocals, sr)
    for w in found:
        assert w.start < w.end and any(a - 0.02 <= w.start and w.end <= b + 0.02 for a, b in spans), w
    errors = np.abs([f.start - t.start for f, t in zip(found, truth, strict=True)])
    assert np.median(errors) < 0.2 and np.mean(errors < 0.6) >= 0.9, errors  # the engine's own timings: truth


def test_a_score_becomes_a_midi_file_with_its_parts_notes_and_syllables(song):
    import pretty_midi

    parts = parts_from_score(song.score)
    data = write_midi(parts, song.meta.bpm)
    pm = pretty_midi.PrettyMIDI(io.BytesIO(data))
    assert [i.name for i in pm.instruments] == [p.name for p in parts]
    lead = next(i for i in pm.instruments if i.name == "Lead Vocals")
    sung = [n for n in song.score["melody"]["notes"]]
    assert [n.pitch for n in lead.notes] == [n[2] for n in sorted(sung, key=lambda n: (n[0], n[2]))]
    assert abs(lead.notes[0].start - song.meta.lyrics_timing[0].start) < 0.01
    assert any(i.is_drum for i in pm.instruments) == any(t["bank"] == 128 for t in song.score["tracks"])
    assert len(pm.lyrics) == sum(1 for n in sung if n[4])
    listing = instruments_json(parts)
    assert listing[0]["notes"][0].keys() == {"start", "end", "pitch", "velocity"}
    later = parts_from_score(song.score, offset=10.0)  # an extension's own part: its clock starts at 0
    assert all(n.start >= 0 for p in later for n in p.notes)
