"""Sung vocals: the melody's notes sung on their syllables by WORLD resynthesis.

Each note takes its syllable's WORLD frames: the unvoiced onset and coda stay
short, the voiced part (the vowel) is stretched to fill the note, and the F0 is
replaced by the written pitch with a short glide from the previous note and a
delayed vibrato. Notes closer than 0.25 s form one phrase synthesised in one go.
"""

from __future__ import annotations

from math import gcd
from typing import Any

import numpy as np
import pedalboard
import pyworld
from scipy.signal import resample_poly

from .singer import FRAME_MS, SPEECH_SR, Singer, SyllableSound

_SILENT_SP = 1e-12
_VIBRATO_HZ = 5.5
_VIBRATO_CENTS = 30.0
_MAX_HEAD = 12  # frames of onset consonant sung ahead of the beat, so the vowel lands on it


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


def _note_frames(snd: SyllableSound, n: int, hz: float, prev_hz: float | None, vel: float,
                 melisma: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Frames for one note: ``head`` consonant frames that go *before* the note, then n frames."""
    head = 0 if melisma else min(snd.v0, _MAX_HEAD)
    tail = 0 if melisma else min(len(snd.f0) - snd.v1, n // 5, 8)
    body = n - tail
    src_v = np.linspace(snd.v0, snd.v1 - 1, body).round().astype(int)
    if melisma:  # a held vowel: stay in the middle of the syllable's vowel
        mid = (snd.v0 + snd.v1) // 2
        src_v = np.full(body, mid)
    idx = np.concatenate([np.arange(snd.v0 - head, snd.v0), src_v, np.arange(snd.v1, snd.v1 + tail)]).astype(int)
    sp = snd.sp[idx] * (vel / 100.0) ** 2
    ap = snd.ap[idx]
    t = np.arange(body) * FRAME_MS / 1000.0
    cents = np.zeros(body)
    if prev_hz:
        cents += 1200 * np.log2(prev_hz / hz) * np.exp(-t / 0.025)
    ramp = np.clip((t - 0.25) / 0.2, 0.0, 1.0)
    cents += _VIBRATO_CENTS * ramp * np.sin(2 * np.pi * _VIBRATO_HZ * t)
    f0 = np.concatenate([np.zeros(head), hz * 2.0 ** (cents / 1200.0), np.zeros(tail)])
    return f0, sp, ap, head


def _phrase_audio(singer: Singer, phrase: list[list], spb: float) -> np.ndarray:
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
    for n in phrase:
        a = int(round((n[0] - t0) * spb * 1000 / FRAME_MS)) + _MAX_HEAD
        count = max(3, int(round(n[1] * spb * 1000 / FRAME_MS)))
        count = min(count, total - a)
        if count < 3:
            continue
        melisma = n[4] == "" and n[5] >= 0 and n[5] == prev_word and prev_sound is not None
        snd = prev_sound if melisma else singer.sound(n[4] or "ah")
        hz = midi_hz(n[2])
        nf0, nsp, nap, head = _note_frames(snd, count, hz, prev_hz, float(n[3]), melisma)
        a -= head
        f0[a:a + len(nf0)], sp[a:a + len(nf0)], ap[a:a + len(nf0)] = nf0, nsp, nap
        prev_hz, prev_word, prev_sound = hz, n[5], snd
    y = pyworld.synthesize(f0, sp, ap, SPEECH_SR, FRAME_MS)
    fade = min(len(y) // 2, int(0.01 * SPEECH_SR))
    if fade:
        y[:fade] *= np.linspace(0, 1, fade)
        y[-fade:] *= np.linspace(1, 0, fade)
    return y


def sing(melody: dict[str, Any], bpm: float, n_samples: int, sample_rate: int) -> np.ndarray:
    """The vocal stem (n_samples, 2) float32, before level matching."""
    spb = 60.0 / bpm
    notes = [n for n in melody["notes"] if n[1] > 0]
    singer = Singer(melody.get("voice") or "en-us+f3")
    singer.prepare([n[4] for n in notes if n[4]] + ["ah"])
    n_speech = int(np.ceil(n_samples * SPEECH_SR / sample_rate)) + SPEECH_SR
    track = np.zeros(n_speech)
    made: dict[tuple, np.ndarray] = {}  # repeated phrases (choruses) are synthesised once
    for phrase in _phrases(notes, spb):
        key = tuple((n[0] - phrase[0][0], n[1], n[2], n[3], n[4], n[5] - phrase[0][5] if n[5] >= 0 else -1)
                    for n in phrase)
        if key not in made:
            made[key] = _phrase_audio(singer, phrase, spb)
        y = made[key]
        a = int(round(phrase[0][0] * spb * SPEECH_SR)) - int(_MAX_HEAD * FRAME_MS / 1000 * SPEECH_SR)
        y = y[max(0, -a):]
        a = max(0, a)
        b = min(n_speech, a + len(y))
        if b > a:
            track[a:b] += y[: b - a]
    g = gcd(sample_rate, SPEECH_SR)
    up = resample_poly(track, sample_rate // g, SPEECH_SR // g)[:n_samples]
    up = np.pad(up, (0, max(0, n_samples - len(up))))
    room = pedalboard.Pedalboard([
        pedalboard.HighpassFilter(cutoff_frequency_hz=90.0),
        pedalboard.Reverb(room_size=0.35, damping=0.5, wet_level=0.16, dry_level=0.85),
    ])
    wet = room(up[None, :].astype(np.float32), sample_rate)[0]
    return np.stack([wet, wet], axis=1)


def match_level(vocals: np.ndarray, instrumental: np.ndarray, ratio: float = 1.1) -> np.ndarray:
    """Scale the vocals so that, where they sing, they sit ``ratio`` above the band's RMS."""
    step = 8  # every 8th sample is plenty for an RMS
    voc, ins = vocals[::step, 0], instrumental[::step].mean(axis=1)
    level = np.abs(voc)
    active = level > 0.05 * max(float(level.max()), 1e-9)
    if not active.any():
        return vocals
    v = float(np.sqrt(np.mean(voc[active] ** 2)))
    i = float(np.sqrt(np.mean(ins[active] ** 2))) or float(np.sqrt(np.mean(ins**2)))
    if v <= 0 or i <= 0:
        return vocals
    return (vocals * (ratio * i / v)).astype(np.float32)
