"""Syllable sounds for the singer: espeak-ng speech analysed with WORLD (pyworld).

All syllables of a song are spoken in one espeak-ng call, separated by SSML
breaks, then cut apart at the silences; if the cut does not give one piece per
syllable, each syllable is spoken on its own. Every piece is analysed once into
WORLD parameters (F0, spectral envelope, aperiodicity) at 10 ms frames.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pyworld
import soundfile

SPEECH_SR = 22050
FRAME_MS = 10.0
_CACHE_SIZE = 512  # analysed syllables kept across renders (about 100 KB each)
_cache: OrderedDict[tuple[str, str], SyllableSound] = OrderedDict()
_cache_lock = threading.Lock()
VOICES = {"female": ("en-us+f3", "en-us+f2", "en-us+f4"), "male": ("en-us", "en-us+m3", "en-us+m7")}


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def choose_voice(gender: str, rng: np.random.Generator, avoid: str | None = None) -> str:
    pool = VOICES.get(gender) or VOICES["female"] + VOICES["male"]
    options = [v for v in pool if v != avoid] or list(pool)
    return str(options[int(rng.integers(len(options)))])


@dataclass
class SyllableSound:
    f0: np.ndarray  # Hz per frame, 0 where unvoiced
    sp: np.ndarray  # spectral envelope (frames, bins)
    ap: np.ndarray  # aperiodicity (frames, bins)
    v0: int  # first voiced frame
    v1: int  # one past the last voiced frame


def _clean(syllable: str) -> str:
    text = re.sub(r"[^a-z']", "", syllable.lower())
    return text or "ah"


def _speak(text: str, voice: str, ssml: bool = False) -> np.ndarray:
    cmd = ["espeak-ng", "-v", voice, "-s", "150", "--stdout"] + (["-m"] if ssml else []) + [text]
    proc = subprocess.run(cmd, capture_output=True, check=True, timeout=60)
    data = proc.stdout
    if data[:4] == b"RIFF":
        try:
            audio, _ = soundfile.read(io.BytesIO(data), dtype="float64")
            return np.asarray(audio, dtype=np.float64).reshape(-1)
        except (RuntimeError, soundfile.LibsndfileError):
            data = data[44:]  # streamed WAV with placeholder sizes: 16-bit mono PCM follows the header
    return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.float64) / 32768.0


def _segments(x: np.ndarray, want: int) -> list[np.ndarray] | None:
    """Cut speech at silences; None unless exactly ``want`` pieces come out."""
    hop = int(SPEECH_SR * 0.005)
    n = len(x) // hop
    if n == 0:
        return None
    env = np.abs(x[: n * hop]).reshape(n, hop).max(axis=1)
    active = env > 0.02 * max(float(env.max()), 1e-9)
    idx = np.nonzero(active)[0]
    if idx.size == 0:
        return None
    gaps = np.nonzero(np.diff(idx) > int(0.1 / 0.005))[0]
    starts = np.concatenate([[idx[0]], idx[gaps + 1]])
    ends = np.concatenate([idx[gaps], [idx[-1]]]) + 1
    if len(starts) != want:
        return None
    pad = 4
    return [x[max(0, (a - pad) * hop): (b + pad) * hop] for a, b in zip(starts, ends, strict=True)]


def _trim(x: np.ndarray) -> np.ndarray:
    pieces = _segments(x, 1)
    if pieces is not None:
        return pieces[0]
    env = np.abs(x) > 0.02 * max(float(np.abs(x).max()), 1e-9)
    idx = np.nonzero(env)[0]
    return x[idx[0]: idx[-1] + 1] if idx.size else x


def analyse(x: np.ndarray) -> SyllableSound:
    x = np.concatenate([np.zeros(220), x, np.zeros(220)])
    # a coarse F0 is enough: it only steers the envelope analysis, the sung F0 replaces it
    f0, t = pyworld.dio(x, SPEECH_SR, f0_floor=60.0, f0_ceil=600.0, frame_period=FRAME_MS, speed=4)
    sp = pyworld.cheaptrick(x, f0, t, SPEECH_SR).astype(np.float32)
    ap = pyworld.d4c(x, f0, t, SPEECH_SR).astype(np.float32)
    voiced = np.nonzero(f0 > 0)[0]
    if voiced.size:
        v0, v1 = int(voiced[0]), int(voiced[-1]) + 1
    else:
        v0, v1 = len(f0) // 3, max(len(f0) // 3 + 1, 2 * len(f0) // 3)
    return SyllableSound(f0, sp, ap, v0, v1)


class Singer:
    """Speaks and analyses the syllables a song needs, once each."""

    def __init__(self, voice: str) -> None:
        self.voice = voice
        self.sounds: dict[str, SyllableSound] = {}

    def prepare(self, syllables: list[str]) -> None:
        wanted = sorted({_clean(s) for s in syllables} - set(self.sounds))
        with _cache_lock:
            for syl in wanted:
                hit = _cache.get((self.voice, syl))
                if hit is not None:
                    _cache.move_to_end((self.voice, syl))
                    self.sounds[syl] = hit
        todo = [s for s in wanted if s not in self.sounds]
        if not todo:
            return
        body = '<break time="300ms"/>'.join(todo)
        pieces = _segments(_speak(f"<speak>{body}</speak>", self.voice, ssml=True), len(todo))
        if pieces is None:
            pieces = [_trim(_speak(s, self.voice)) for s in todo]
        for syl, piece in zip(todo, pieces, strict=True):
            self.sounds[syl] = analyse(piece)
        with _cache_lock:
            for syl in todo:
                _cache[(self.voice, syl)] = self.sounds[syl]
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)

    def sound(self, syllable: str) -> SyllableSound:
        key = _clean(syllable)
        if key not in self.sounds:
            self.prepare([key])
        return self.sounds[key]
