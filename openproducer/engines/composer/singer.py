"""The singer: the voice a song is sung with, and its syllables analysed with WORLD (pyworld).

Gender words pick the espeak-ng voice and the melody's register (male voices
sing an octave lower). Timbre words (``words.TIMBRE``) move the spectral
envelope (``formant``: + brighter/smaller, - darker/larger), add breath noise,
rasp (saturation), and set the vibrato depth and the glide between notes.

What is spoken are phoneme syllables (``phonemes.py``: each word transcribed by espeak-ng,
cut at its vowels), keyed ``"[" + phonemes``; a word espeak-ng could not transcribe falls
back to its spelled syllables, keyed ``"~" + letters``. Each syllable is spoken on its own,
by a fresh copy of a process that has espeak-ng loaded (``speaker``; a few run at once):
espeak-ng carries state from one utterance to the next, so a syllable spoken in a batch
would sound a little different in every batch, and a song's audio would depend on what the
server sang before it (its cache). Every piece is analysed once into WORLD parameters at 10
ms frames: a coarse F0 (only to find the voiced frames and steer the envelope analysis) and
the spectral envelope (CheapTrick); from the frame energies come the piece's parts: the
onset consonants, the vowel core (voiced frames within 10 dB of the loudest) and the coda.
The aperiodicity is not analysed (D4C cost five times the rest): voiced frames get a fixed
modal-voice curve, unvoiced frames (consonants) are noise, see :func:`aperiodicity`. Pieces
are spoken and analysed on four threads (pyworld releases the GIL) and kept in a cache
shared by renders.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import io
import re
import shutil
import subprocess
import sys
import threading
import types
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import soundfile

from . import speaker


def _import_pyworld() -> types.ModuleType:
    """Import pyworld, which reads its own version with ``pkg_resources``.

    setuptools 81 and later no longer ship ``pkg_resources``; a stand-in that
    answers ``get_distribution(name).version`` from ``importlib.metadata`` is
    offered for the import only.
    """
    try:
        return importlib.import_module("pyworld")
    except ModuleNotFoundError as exc:
        if exc.name != "pkg_resources":
            raise
    stand_in = types.ModuleType("pkg_resources")
    stand_in.get_distribution = lambda name: types.SimpleNamespace(version=importlib.metadata.version(name))
    sys.modules["pkg_resources"] = stand_in
    try:
        return importlib.import_module("pyworld")
    finally:
        del sys.modules["pkg_resources"]


pyworld = _import_pyworld()
SPEECH_SR = 22050
FRAME_MS = 10.0
FEMALE_F0_FLOOR = 120.0  # Hz: where a female syllable's voicing is looked for again (see ``analyse``)
_CACHE_SIZE = 256  # analysed syllables kept across renders (60 to 120 KB each)
_cache: OrderedDict[tuple[str, str], SyllableSound] = OrderedDict()
_cache_lock = threading.Lock()
POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="composer-voice")
SPEAKERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="composer-espeak")  # they wait on processes
_AP_TABLES: dict[int, np.ndarray] = {}


def aperiodicity(bins: int) -> np.ndarray:
    """Rows [unvoiced, voiced] of WORLD aperiodicity for ``bins`` frequency bins.

    Unvoiced frames are pure noise; voiced frames are periodic at low frequencies
    (-60 dB) and grow noisier towards the top of the spectrum (-6 dB at 11 kHz).
    """
    table = _AP_TABLES.get(bins)
    if table is None:
        f = np.linspace(0.0, 1.0, bins)
        voiced = 10.0 ** ((-60.0 + 54.0 * f ** 0.7) / 20.0)
        table = np.stack([np.full(bins, 0.999), voiced]).astype(np.float32)
        _AP_TABLES[bins] = table
    return table


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


@dataclass
class SyllableSound:
    f0: np.ndarray  # Hz per frame, 0 where unvoiced
    sp: np.ndarray  # spectral envelope (frames, bins)
    voiced: np.ndarray  # 1 where the frame is voiced, else 0 (int8)
    v0: int  # first voiced frame
    v1: int  # one past the last voiced frame
    a0: int = 0  # first audible frame: the onset consonants are frames a0..c0
    c0: int = 0  # first frame of the vowel core (stretched to fill the note)
    c1: int = 0  # one past the vowel core; the coda consonants are c1..a1
    a1: int = 0  # one past the last audible frame


def _clean(syllable: str) -> str:
    text = re.sub(r"[^a-z']", "", syllable.lower())
    return text or "ah"


def _speak(text: str, voice: str) -> np.ndarray:
    """espeak-ng's audio for ``text`` (``[[phonemes]]`` or plain words): from the voice's forking
    helper (``speaker``), or from the ``espeak-ng`` command where the voice has none."""
    samples = speaker.speak(text, voice)
    if samples is not None:
        return samples
    cmd = ["espeak-ng", "-v", voice, "-s", "150", "--stdout", text]
    proc = subprocess.run(cmd, capture_output=True, check=True, timeout=60)
    data = proc.stdout
    if data[:4] == b"RIFF":
        try:
            audio, _ = soundfile.read(io.BytesIO(data), dtype="float64")
            return np.asarray(audio, dtype=np.float64).reshape(-1)
        except (RuntimeError, soundfile.LibsndfileError):
            data = data[44:]  # streamed WAV with placeholder sizes: 16-bit mono PCM follows the header
    return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.float64) / 32768.0


def _trim(x: np.ndarray) -> np.ndarray:
    """One spoken syllable without the silence around it: from its first to its last sound (5 ms
    steps over 2 % of the peak, 20 ms kept each side) when no silence over 0.1 s splits it, else
    from its first to its last sample over 2 % of the peak."""
    hop = int(SPEECH_SR * 0.005)
    n = len(x) // hop
    if n:
        env = np.abs(x[: n * hop]).reshape(n, hop).max(axis=1)
        idx = np.nonzero(env > 0.02 * max(float(env.max()), 1e-9))[0]
        if idx.size and not np.any(np.diff(idx) > int(0.1 / 0.005)):
            pad = 4
            return x[max(0, (idx[0] - pad) * hop): (idx[-1] + 1 + pad) * hop]
    env = np.abs(x) > 0.02 * max(float(np.abs(x).max()), 1e-9)
    idx = np.nonzero(env)[0]
    return x[idx[0]: idx[-1] + 1] if idx.size else x


def analyse(x: np.ndarray, fft_size: int | None = None) -> SyllableSound:
    """WORLD analysis of one spoken syllable.

    ``fft_size`` 512 (for female voices) halves the cost of synthesis; CheapTrick's
    window then needs F0 >= 130 Hz, so lower analysis F0 is raised to that (it only
    sets the window; female espeak-ng voices sit above it, male ones below it: they
    are analysed at the default 1024 and their envelope is halved to 512 points).
    """
    x = np.concatenate([np.zeros(220), x, np.zeros(220)])
    # a coarse F0 is enough: it only steers the envelope analysis, the sung F0 replaces it
    f0, t = pyworld.dio(x, SPEECH_SR, f0_floor=60.0, f0_ceil=600.0, frame_period=FRAME_MS, speed=4)
    if fft_size and _loud_voiced(x, f0, t) < 0.7:
        # espeak-ng's rough female variants (f2, f3) fall to a creak near 80 Hz at a syllable's end;
        # DIO may then take the half pitch for the voice and call the whole vowel unvoiced (it would be
        # sung as a whisper). A female voice is looked for again at 120 Hz and up, and the frames
        # found voiced there are added
        high, _ = pyworld.dio(x, SPEECH_SR, f0_floor=FEMALE_F0_FLOOR, f0_ceil=600.0, frame_period=FRAME_MS,
                              speed=4)
        f0 = np.where(f0 > 0, f0, high)
    if fft_size:
        floor = 3.0 * SPEECH_SR / fft_size + 1.0
        steer = np.where(f0 > 0, np.maximum(f0, floor), 0.0)
        sp = pyworld.cheaptrick(x, steer, t, SPEECH_SR, f0_floor=floor, fft_size=fft_size).astype(np.float32)
    else:
        sp = halve_bins(pyworld.cheaptrick(x, f0, t, SPEECH_SR).astype(np.float32))
    voiced = np.nonzero(f0 > 0)[0]
    if voiced.size:
        v0, v1 = int(voiced[0]), int(voiced[-1]) + 1
    else:
        v0, v1 = len(f0) // 3, max(len(f0) // 3 + 1, 2 * len(f0) // 3)
    return SyllableSound(f0, sp, (f0 > 0).astype(np.int8), v0, v1, *parts(sp, f0 > 0, v0, v1))


def _loud_voiced(x: np.ndarray, f0: np.ndarray, t: np.ndarray) -> float:
    """The fraction of the loud frames (within 10 dB of the loudest 10 ms of ``x``) that ``f0`` calls voiced."""
    half = int(SPEECH_SR * FRAME_MS / 1000.0) // 2
    energy = np.concatenate([[0.0], np.cumsum(x * x)])
    centre = np.minimum((t * SPEECH_SR).astype(int), len(x) - 1)
    lo, hi = np.maximum(centre - half, 0), np.minimum(centre + half + 1, len(x))
    power = (energy[hi] - energy[lo]) / np.maximum(hi - lo, 1)
    loud = power > 0.1 * power.max()
    return float(np.mean(f0[loud] > 0)) if loud.any() else 1.0


def halve_bins(sp: np.ndarray) -> np.ndarray:
    """A 1024-point envelope as a 512-point one (every 2nd bin, lightly smoothed): synthesis costs half.

    Low (male) voices need the long analysis window; the envelope itself is smooth
    enough that 43 Hz between bins keeps the formants.
    """
    padded = np.concatenate([sp[:, 1:2], sp, sp[:, -2:-1]], axis=1)
    return np.ascontiguousarray(0.25 * padded[:, 0:-2:2] + 0.5 * padded[:, 1:-1:2] + 0.25 * padded[:, 2::2])


def parts(sp: np.ndarray, voiced: np.ndarray, v0: int, v1: int) -> tuple[int, int, int, int]:
    """(a0, c0, c1, a1): the audible span and, inside it, the vowel core.

    Audible: frames within 50 dB of the loudest. The core runs from the first to the
    last voiced frame within 10 dB of the loudest voiced frame (voiced consonants such
    as l, m, n, w are weaker than the vowel and stay in the onset or coda).
    """
    level = 10.0 * np.log10(sp.sum(axis=1, dtype=np.float64) + 1e-30)
    audible = np.nonzero(level > level.max() - 50.0)[0]
    a0, a1 = int(audible[0]), int(audible[-1]) + 1
    strong = np.nonzero(voiced & (level > level[voiced].max() - 10.0))[0] if voiced.any() else np.zeros(0, int)
    if strong.size:
        c0, c1 = int(strong[0]), int(strong[-1]) + 1
    else:
        c0, c1 = v0, v1
    c0, c1 = max(a0, min(c0, a1 - 1)), max(min(c1, a1), min(c0, a1 - 1) + 1)
    return a0, c0, c1, a1


class Singer:
    """Speaks and analyses the syllables a song needs, once each.

    Keys are ``"[" + phonemes`` (espeak-ng phoneme input) or ``"~" + letters`` (spelled).
    """

    def __init__(self, voice: str) -> None:
        self.voice = voice
        self.fft_size = 512 if voice.split("+")[-1].startswith("f") else None
        self.sounds: dict[str, SyllableSound] = {}

    def prepare(self, keys: list[str]) -> None:
        wanted = sorted(set(keys) - set(self.sounds))
        with _cache_lock:
            for key in wanted:
                hit = _cache.get((self.voice, key))
                if hit is not None:
                    _cache.move_to_end((self.voice, key))
                    self.sounds[key] = hit
        todo = [k for k in wanted if k not in self.sounds]
        if not todo:
            return
        phonetic = [k for k in todo if k.startswith("[")]
        spelled = [k for k in todo if not k.startswith("[")]
        texts = [f"[[{k[1:]}]]" for k in phonetic] + [k[1:] for k in spelled]
        # each syllable is analysed as soon as it is spoken (pyworld and the wait on espeak-ng release the GIL)
        sounds = SPEAKERS.map(lambda text: analyse(_trim(_speak(text, self.voice)), self.fft_size), texts)
        order = phonetic + spelled
        for key, sound in zip(order, sounds, strict=True):
            self.sounds[key] = sound
        with _cache_lock:
            for key in order:
                _cache[(self.voice, key)] = self.sounds[key]
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)

    def sound(self, key: str) -> SyllableSound:
        if key not in self.sounds:
            self.prepare([key])
        return self.sounds[key]


def spelled_key(syllable: str) -> str:
    return "~" + _clean(syllable)


def transcribe(words: list[str]) -> list[str]:
    """espeak-ng's phonemes for each word, in one call: each word is a sentence of its own (SSML
    ``<s>``), so it is transcribed as it would be alone, whatever words come with it."""
    body = "".join(f"<s>{w}</s>" for w in words)
    proc = subprocess.run(["espeak-ng", "-v", "en-us", "-q", "-x", "-m", f"<speak>{body}</speak>"],
                          capture_output=True, check=True, timeout=60, text=True)
    return [line.strip() for line in proc.stdout.splitlines() if line.strip()]


def clear_cache() -> None:
    """Forget every analysed syllable and pronunciation (the speed bench uses it for new words)."""
    from .phonemes import clear_cache as clear_pronunciations

    with _cache_lock:
        _cache.clear()
    clear_pronunciations()


ESPEAK_VOICES = {"female": ("en-us+f3", "en-us+f2", "en-us+f4"), "male": ("en-us", "en-us+m3", "en-us+m7")}
ALL_VOICES = ESPEAK_VOICES["female"] + ESPEAK_VOICES["male"]
MALE_REGISTER = -12


@dataclass
class Voice:
    espeak: str
    gender: str  # "female" | "male"
    formant: float = 0.0  # relative envelope shift, -0.2 .. 0.2
    breath: float = 0.0  # 0..1 added aperiodicity (breathiness)
    rasp: float = 0.0  # 0..1 saturation on the vocal stem
    vibrato: float = 30.0  # cents
    glide: float = 0.025  # seconds of portamento from the previous note

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None, espeak: str | None = None) -> Voice:
        data = dict(data or {})
        if espeak:
            data["espeak"] = espeak
        data.setdefault("espeak", "en-us+f3")
        data.setdefault("gender", gender_of(data["espeak"]))
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def gender_of(espeak: str) -> str:
    return "female" if espeak.split("+")[-1].startswith("f") else "male"


def choose_voice(gender: str, timbre: dict[str, float], rng: np.random.Generator,
                 avoid: str | None = None) -> Voice:
    """A voice of ``gender`` ("neutral": either), different from ``avoid`` when possible."""
    pool = ESPEAK_VOICES.get(gender) or ESPEAK_VOICES["female"] + ESPEAK_VOICES["male"]
    options = [v for v in pool if v != avoid] or list(pool)
    espeak = str(options[int(rng.integers(len(options)))])
    voice = Voice(espeak, gender_of(espeak))
    voice.formant = float(np.clip(timbre.get("formant", 0.0), -0.2, 0.2))
    voice.breath = float(np.clip(timbre.get("breath", 0.0), 0.0, 1.0))
    voice.rasp = float(np.clip(timbre.get("rasp", 0.0), 0.0, 1.0))
    voice.vibrato = float(np.clip(30.0 + timbre.get("vibrato", 0.0), 0.0, 80.0))
    voice.glide = float(np.clip(0.025 + timbre.get("glide", 0.0) * 0.025, 0.0, 0.08))
    return voice


def register_for(voice: Voice | None) -> int:
    """Semitones the melody moves for this voice (male voices sing an octave lower)."""
    return MALE_REGISTER if voice is not None and voice.gender == "male" else 0


def harmony_voice(lead: Voice) -> Voice:
    """The second voice on chorus lines: the same singer, a little brighter and breathier."""
    return Voice(lead.espeak, lead.gender, float(np.clip(lead.formant + 0.04, -0.2, 0.2)),
                 float(min(1.0, lead.breath + 0.15)), lead.rasp, max(0.0, lead.vibrato - 10.0), lead.glide)
