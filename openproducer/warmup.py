"""Run once at install time: compile and cache librosa's numba kernels, so the first upload
analysis in a fresh process takes seconds, not tens of seconds."""

from __future__ import annotations

import numpy as np


def main() -> None:
    from openproducer.audio.analyse import analyse_audio

    sr = 44100
    t = np.arange(sr * 4) / sr
    clicks = (np.sin(2 * np.pi * 2 * t) > 0.99).astype(np.float32)
    tone = 0.2 * np.sin(2 * np.pi * 440 * t).astype(np.float32)
    mono = clicks + tone
    analyse_audio(np.stack([mono, mono], axis=1), sr)
    print("warm-up done: numba caches built")


if __name__ == "__main__":
    main()
