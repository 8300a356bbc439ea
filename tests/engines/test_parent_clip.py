"""``ParentClip.vocal_parts``: what a swap keeps of its parent, stored stems or a split of the mix."""

from __future__ import annotations

import numpy as np

from openproducer.engines.base import ClipMeta, ParentClip

SR = 44100


def loop_and_voice(seconds: float = 12.0) -> tuple[np.ndarray, np.ndarray]:
    """A one-second loop that repeats (the accompaniment) and a gliding tone that never does (the voice)."""
    t = np.arange(int(SR * seconds)) / SR
    beat = np.sin(2 * np.pi * 110 * t) * np.exp(-8 * (t % 0.5)) + 0.5 * np.sin(2 * np.pi * 330 * t) * (t % 1.0 < 0.25)
    voice = 0.4 * np.sin(2 * np.pi * (300 * t + 25 * t**2))  # 300 Hz rising to 900 Hz
    stereo = lambda x: np.repeat(x[:, None], 2, axis=1).astype(np.float32)  # noqa: E731
    return stereo(0.3 * beat), stereo(voice)


def parent(audio: np.ndarray, stems: dict[str, np.ndarray], has_vocals: bool) -> ParentClip:
    meta = ClipMeta(bpm=120.0, key="A minor", duration=len(audio) / SR, has_vocals=has_vocals)
    return ParentClip("p", SR, audio, stems, None, meta, "ace-step")


def test_stored_stems_are_used_as_they_are() -> None:
    loop, voice = loop_and_voice(4.0)
    parts = parent(loop + voice, {"vocals": voice, "instrumental": loop}, True).vocal_parts()
    assert np.array_equal(parts["vocals"], voice) and np.array_equal(parts["instrumental"], loop)


def test_an_instrumental_parent_has_silent_vocals() -> None:
    loop, _ = loop_and_voice(4.0)
    parts = parent(loop, {}, False).vocal_parts()
    assert np.array_equal(parts["instrumental"], loop) and not parts["vocals"].any()


def test_a_sung_parent_without_stems_is_split() -> None:
    loop, voice = loop_and_voice()
    mix = loop + voice
    parts = parent(mix, {}, True).vocal_parts()
    assert np.allclose(parts["vocals"] + parts["instrumental"], mix, atol=1e-5)

    def error(estimate: np.ndarray, truth: np.ndarray) -> float:
        return float(np.sum((estimate - truth) ** 2) / np.sum(truth**2))

    # The split is rough, but the kept instrumental holds less of the voice than the mix does.
    assert error(parts["instrumental"], loop) < 0.1 * error(mix, loop)
