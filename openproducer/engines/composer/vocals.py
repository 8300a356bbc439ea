"""Sung vocals: the melody's notes sung on their syllables by WORLD resynthesis.

Each note takes its syllable's WORLD frames: the unvoiced onset and coda stay
short, the voiced part (the vowel) is stretched to fill the note, and the F0 is
replaced by the written pitch with a short glide from the previous note and a
delayed vibrato. The voice's timbre shifts the spectral envelope and adds breath.
Notes closer than 0.25 s form one phrase, synthesised once (repeated choruses
reuse it) and resampled on its own. The lead sits in the centre; the chorus
harmony is a second voice placed mostly in the side signal (left minus right), its
own part of the stem: wide in stereo, quiet in mono.
"""

from __future__ import annotations

from concurrent.futures import Future
from math import gcd
from typing import Any

import numpy as np
from scipy.signal import resample_poly

from openproducer.audio.master import apply_in_place

from .mixing import Mix, vocal_chain
from .singer import (
    FRAME_MS,
    POOL,
    SPEECH_SR,
    Singer,
    SyllableSound,
    Voice,
    aperiodicity,
    harmony_voice,
    pyworld,
)

_SILENT_SP = 1e-12
_VIBRATO_HZ = 5.5
_MAX_HEAD = 12  # frames of onset consonant sung ahead of the beat, so the vowel lands on it
# (left, right) gains of the harmony voice: mostly in the side signal (L - R), so it widens the chorus
# and stays audible in stereo while the mid (mono) signal is nearly all lead
HARMONY_PAN = (0.55, -0.25)


def midi_hz(pitch: float) -> float:
    return 440.0 * 2.0 ** ((pitch - 69.0) / 12.0)


def _phrases(notes: list[list], spb: float) -> list[list[list]]:
    groups: list[list[list]] = []
    for n in sorted(notes, key=lambda n: n[0]):
        if groups and (n[0] - (groups[-1][-1][0] + groups[-1][-1][1])) * spb < 0.25:
            groups[-1].append(n)
        else:
            groups.append([n])
    return groups


def _note_frames(snd: SyllableSound, n: int, hz: float, prev_hz: float | None, vel: float, melisma: bool,
                 voice: Voice, max_head: int = _MAX_HEAD) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Frames for one note: ``head`` consonant frames that go *before* the note, then n frames."""
    head = 0 if melisma else min(snd.v0, max_head)
    tail = 0 if melisma else min(len(snd.f0) - snd.v1, n // 5, 8)
    body = n - tail
    src_v = np.linspace(snd.v0, snd.v1 - 1, body).round().astype(int)
    if melisma:  # a held vowel: stay in the middle of the syllable's vowel
        src_v = np.full(body, (snd.v0 + snd.v1) // 2)
    idx = np.concatenate([np.arange(snd.v0 - head, snd.v0), src_v, np.arange(snd.v1, snd.v1 + tail)]).astype(int)
    sp = snd.sp[idx] * (vel / 100.0) ** 2
    ap = aperiodicity(snd.sp.shape[1])[snd.voiced[idx]]
    t = np.arange(body) * FRAME_MS / 1000.0
    cents = np.zeros(body)
    if prev_hz and voice.glide > 0:
        cents += 1200 * np.log2(prev_hz / hz) * np.exp(-t / voice.glide)
    ramp = np.clip((t - 0.25) / 0.2, 0.0, 1.0)
    cents += voice.vibrato * ramp * np.sin(2 * np.pi * _VIBRATO_HZ * t)
    f0 = np.concatenate([np.zeros(head), hz * 2.0 ** (cents / 1200.0), np.zeros(tail)])
    return f0, sp, ap, head


def _timbre(sp: np.ndarray, ap: np.ndarray, voice: Voice) -> tuple[np.ndarray, np.ndarray]:
    """Shift the envelope along frequency (formant) and add breath to the aperiodicity."""
    if abs(voice.formant) > 1e-3:
        bins = sp.shape[1]
        src = np.clip(np.arange(bins) / (1.0 + voice.formant), 0, bins - 1)
        i0 = np.floor(src).astype(int)
        i1 = np.minimum(i0 + 1, bins - 1)
        frac = (src - i0)[None, :]
        sp = sp[:, i0] * (1 - frac) + sp[:, i1] * frac
    if voice.breath > 1e-3:  # breath is noise above the low harmonics, which stay periodic
        tilt = np.clip(np.linspace(0.0, 1.0, ap.shape[1]) / 0.3, 0.0, 1.0)[None, :] ** 1.5
        ap = ap + (1.0 - ap) * (0.6 * min(voice.breath, 1.0)) * tilt
    return sp, ap


def _phrase_audio(singer: Singer, phrase: list[list], spb: float, voice: Voice) -> np.ndarray:
    t0 = phrase[0][0]
    end = max(n[0] + n[1] for n in phrase)
    total = int(round((end - t0) * spb * 1000 / FRAME_MS)) + 2 + _MAX_HEAD
    bins = next(iter(singer.sounds.values())).sp.shape[1]
    f0 = np.zeros(total)
    sp = np.full((total, bins), _SILENT_SP)
    ap = np.ones((total, bins))
    prev_hz: float | None = None
    prev_word = -2
    prev_sound: SyllableSound | None = None
    prev_count = 4 * _MAX_HEAD
    for n in phrase:
        a = int(round((n[0] - t0) * spb * 1000 / FRAME_MS)) + _MAX_HEAD
        count = min(max(3, int(round(n[1] * spb * 1000 / FRAME_MS))), total - a)
        if count < 3:
            continue
        melisma = n[4] == "" and n[5] >= 0 and n[5] == prev_word and prev_sound is not None
        snd = prev_sound if melisma else singer.sound(n[4] or "ah")
        hz = midi_hz(n[2])
        # the onset consonant may take at most a third of the previous note, so short notes keep a vowel
        nf0, nsp, nap, head = _note_frames(snd, count, hz, prev_hz, float(n[3]), melisma, voice,
                                           min(_MAX_HEAD, prev_count // 3))
        a -= head
        f0[a:a + len(nf0)], sp[a:a + len(nf0)], ap[a:a + len(nf0)] = nf0, nsp, nap
        prev_hz, prev_word, prev_sound, prev_count = hz, n[5], snd, count
    sp, ap = _timbre(sp, ap, voice)
    y = pyworld.synthesize(f0, np.ascontiguousarray(sp), np.ascontiguousarray(ap), SPEECH_SR, FRAME_MS)
    fade = min(len(y) // 2, int(0.01 * SPEECH_SR))
    if fade:
        y[:fade] *= np.linspace(0, 1, fade)
        y[-fade:] *= np.linspace(1, 0, fade)
    return y


def _phrase_resampled(singer: Singer, phrase: list[list], spb: float, voice: Voice, up: int,
                      down: int) -> np.ndarray:
    return resample_poly(_phrase_audio(singer, phrase, spb, voice), up, down).astype(np.float32)


def _sing_line(singer: Singer, notes: list[list], spb: float, voice: Voice, out: np.ndarray,
               gains: tuple[float, float], sample_rate: int) -> None:
    """Add one voice's notes into the planar stereo ``out`` with (left, right) ``gains``.

    Each phrase is synthesised at the speech rate and resampled on its own.
    """
    g = gcd(sample_rate, SPEECH_SR)
    up, down = sample_rate // g, SPEECH_SR // g
    n_samples = out.shape[1]
    made: dict[tuple, Future] = {}  # repeated phrases (choruses) are synthesised once
    lead_in = _MAX_HEAD * FRAME_MS / 1000.0
    phrases = _phrases(notes, spb)
    keys = []
    for phrase in phrases:  # two threads synthesise the distinct phrases; they are added in order
        key = tuple((n[0] - phrase[0][0], n[1], n[2], n[3], n[4], n[5] - phrase[0][5] if n[5] >= 0 else -1)
                    for n in phrase)
        if key not in made:
            made[key] = POOL.submit(_phrase_resampled, singer, phrase, spb, voice, up, down)
        keys.append(key)
    for phrase, key in zip(phrases, keys, strict=True):
        y = made[key].result()
        a = int(round((phrase[0][0] * spb - lead_in) * sample_rate))
        y = y[max(0, -a):]
        a = max(0, a)
        b = min(n_samples, a + len(y))
        if b > a:
            for ch, gain in enumerate(gains):
                if gain:
                    out[ch, a:b] += y[: b - a] * np.float32(gain)


def sing(melody: dict[str, Any], bpm: float, n_samples: int, sample_rate: int, mix: Mix | None = None) -> np.ndarray:
    """The vocal stem, planar (2, n_samples) float32 -- lead centred, harmony off-centre -- before levelling."""
    spb = 60.0 / bpm
    voice = Voice.from_dict(melody.get("singer"), melody.get("voice"))
    notes = [n for n in melody["notes"] if n[1] > 0]
    harmony = [n for n in melody.get("harmony", []) if n[1] > 0]
    singer = Singer(voice.espeak)
    singer.prepare([n[4] for n in notes + harmony if n[4]] + ["ah"])
    # the chain runs once, on the mono mid signal (the room is mono); the side is the harmony alone
    mid_gain, side_gain = (HARMONY_PAN[0] + HARMONY_PAN[1]) / 2, (HARMONY_PAN[0] - HARMONY_PAN[1]) / 2
    out = np.zeros((2, n_samples), dtype=np.float32)  # row 0: the mid signal, row 1: the side signal
    _sing_line(singer, notes, spb, voice, out, (1.0, 0.0), sample_rate)
    if harmony:
        _sing_line(singer, harmony, spb, harmony_voice(voice), out, (mid_gain, side_gain), sample_rate)
    apply_in_place(vocal_chain(mix or Mix(), bpm, voice.rasp), out[:1], sample_rate)
    out[0] += out[1]  # left = mid + side
    out[1] *= -2.0
    out[1] += out[0]  # right = (mid + side) - 2 side = mid - side
    return out


def match_level(vocals: np.ndarray, band: np.ndarray, ratio: float = 1.1) -> np.ndarray:
    """Scale planar ``vocals`` in place so that, where they sing, they sit ``ratio`` above ``band``.

    ``band`` is the instrumental stem as mono, subsampled by 8 (an RMS needs no more).
    """
    voc = vocals[0, ::8][: len(band)]
    ins = band[: len(voc)]
    level = np.abs(voc)
    active = level > 0.05 * max(float(level.max()), 1e-9)
    if not active.any():
        return vocals
    v = float(np.sqrt(np.mean(voc[active] ** 2)))
    i = float(np.sqrt(np.mean(ins[active] ** 2))) or float(np.sqrt(np.mean(ins**2)))
    if v > 0 and i > 0:
        vocals *= np.float32(ratio * i / v)
    return vocals
