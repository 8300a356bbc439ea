"""espeak-ng through the forking helper: each syllable as it sounds alone, fast, the command as fallback."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from openproducer.engines.composer import speaker
from openproducer.engines.composer.singer import espeak_available

pytestmark = pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")


def _command(text: str, voice: str) -> np.ndarray:
    data = subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "--stdout", text],
                          capture_output=True, check=True).stdout
    return np.frombuffer(data[44:], dtype="<i2").astype(np.float64) / 32768.0


def test_a_syllable_sounds_the_same_whatever_was_spoken_before() -> None:
    first = speaker.speak("[[k'A]]", "en-us+f3")
    assert first is not None and len(first) > 2000
    for other in ("[[m'i]]", "[[str'Eb]]", "hello there"):
        assert speaker.speak(other, "en-us+f3") is not None
    assert np.array_equal(speaker.speak("[[k'A]]", "en-us+f3"), first)


def test_the_helper_speaks_as_the_command_does() -> None:
    cases = [("[[k'A]]", "en-us+f3"), ("[[w'O:k]]", "en-us+m3"), ("sun", "en-us"), ("[[D@]]", "en-us+f2"),
             ("[[str'Eb]]", "en-us+m7"), ("[[l'aIts]]", "en-us+f4"), ("[[h@l'oU]]", "en-us+f3")]
    for text, voice in cases:
        ours, theirs = speaker.speak(text, voice), _command(text, voice)
        assert ours is not None and abs(len(ours) - len(theirs)) <= 0.005 * len(theirs)
        n = min(len(ours), len(theirs))
        assert np.max(np.abs(ours[:n] - theirs[:n])) <= 4 / 32768  # the same speech, within the last bits


def test_a_voice_without_a_helper_goes_to_the_command() -> None:
    assert speaker.speak("[[k'A]]", "no-such-voice-xx") is None
    assert speaker.speak("two\nlines", "en-us") is None


def test_prestarted_helpers_wait_idle_one_per_voice() -> None:
    speaker.close_all()
    voices = ["en-us+f3", "en-us+m3"]
    speaker.prestart(voices)
    speaker.prestart(voices)  # a voice with a helper gets no second one
    with speaker._lock:
        idle = [helper.voice for helper in speaker._idle.values()]
        assert all(idle.count(v) == 1 and speaker._count[v] == 1 for v in voices)
    assert speaker.speak("[[h@l'oU]]", "en-us+f3") is not None
    with speaker._lock:  # spoken by the waiting helper: no second one was started
        assert speaker._count["en-us+f3"] == 1
    speaker.close_all()
