"""Score -> audio with FluidSynth, one stem at a time.

Each stem render uses a *fresh* ``fluidsynth.Synth``: a reused synth keeps
internal state (64-sample block phase, voice and effect state) and would not
give bit-identical audio for the same request. Fresh synths are cheap: the
soundfont is opened with dynamic sample loading, so a synth loads only the
samples of the presets it selects (about 30 MB instead of the whole 148 MB
FluidR3 bank), and FluidSynth's sample cache shares them between synths; spares
are made ahead on a helper thread (:class:`SoundfontHandle`).
Samples come from ``fluid_synth_write_float`` (float32, no 16-bit dither noise),
written planar: a stem buffer is (2, samples), the layout pedalboard works on.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import fluidsynth
import numpy as np

from openproducer.audio.master import sample_peak

from .mixing import Mix, room_settings
from .score import all_tracks, seconds_per_beat

SYNTH_GAIN = 0.3
_FADE_SECONDS = 0.08

_write_float = fluidsynth._fl.fluid_synth_write_float
_write_float.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                         ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
_write_float.restype = ctypes.c_int
_set_interp = fluidsynth._fl.fluid_synth_set_interp_method
_set_interp.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
_set_interp.restype = ctypes.c_int
_LINEAR_CHANNELS = tuple(range(16))  # linear interpolation: a quarter cheaper than FluidSynth's 4th order
_active_voices = fluidsynth.fluid_synth_get_active_voice_count
_noteon = fluidsynth.fluid_synth_noteon
_noteoff = fluidsynth.fluid_synth_noteoff
_SETTINGS = {"synth.chorus.active": 0, "synth.dynamic-sample-loading": 1}
_BLOCK = 64  # FluidSynth's block: events take effect on its boundaries
_TAIL_STEP = 4096  # samples rendered at a time once every note is off
_QUIET = 1e-5  # -100 dBFS, a third of a 16-bit step: a tail under it is left out
_SPLIT_FROM_NOTES = 8  # a stem with fewer notes is played by one synth
HEAP_ARENAS = max(2, os.cpu_count() or 2)  # glibc malloc arenas a rendering process keeps: one per core
_M_ARENA_MAX = -8  # mallopt's parameter number (malloc.h)
try:
    _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _malloc_trim, _mallopt = _libc.malloc_trim, _libc.mallopt
except (OSError, AttributeError):  # not glibc
    _malloc_trim = _mallopt = None


def limit_heap_arenas(count: int = HEAP_ARENAS) -> bool:
    """Let glibc's malloc make no more than ``count`` arenas from now on; False where it is not glibc.

    A thread that allocates while another holds an arena's lock gets an arena of its own (up to
    eight per core). A render allocates on many threads (synths, the singer's, the channels'),
    and the blocks of a few megabytes each one frees stay resident in its arena, over the heap's
    high-water mark for the next song: on two cores a 3-minute render's peak was 620 MB with the
    default, 540 with two arenas, at the same speed (``bench/engine_speed.py``). One arena per core
    keeps threads that run at once from waiting on each other's. Arenas already made are kept.
    """
    return _mallopt is not None and bool(_mallopt(_M_ARENA_MAX, int(count)))


def release_memory() -> None:
    """Hand freed heap pages back to the system (glibc ``malloc_trim``).

    A render frees many buffers of a few megabytes from several threads; without
    this the heap keeps them resident and each long song raises the process's peak.
    """
    if _malloc_trim is not None:
        _malloc_trim(0)


class SoundfontHandle:
    """The soundfont's synths: fresh ones made ahead, and one that holds the latest song's instruments.

    Each render takes a *fresh* synth (see the module's docstring). Making one (FluidSynth parses
    the soundfont again, ~20 ms) and selecting its instruments (their samples read into FluidSynth's
    sample cache, ~20 ms for a song's six) cost ~40 ms of each render thread's time. So a used synth
    is handed to a helper thread (:meth:`retire`) that deletes it and makes a spare in its place, to be
    taken by the next render at that sample rate, and a keeper synth selects the presets last played,
    which keeps their samples in the cache (selecting them again costs ~8 ms). A spare is made exactly
    as a synth made on demand, and cached samples are the file's, so the audio is the same.
    """

    SPARES = 2  # per sample rate: a render plays a stem on two synths

    def __init__(self, path: Path, sample_rate: int) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self._lock = threading.Lock()
        self._keeper: fluidsynth.Synth | None = None
        self._keeper_sfid = -1
        self._spares: dict[int, list[tuple[fluidsynth.Synth, int]]] = {}
        self._janitor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="synth-spares")

    def load(self) -> None:
        with self._lock:
            if self._keeper is None:
                self._keeper, self._keeper_sfid = self._make(self.sample_rate)

    def close(self) -> None:
        self._janitor.shutdown(wait=True)
        self._janitor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="synth-spares")
        with self._lock:
            spares = [synth for stash in self._spares.values() for synth, _ in stash]
            self._spares.clear()
            if self._keeper is not None:
                spares.append(self._keeper)
                self._keeper = None
        for synth in spares:
            synth.delete()

    def _make(self, sample_rate: int) -> tuple[fluidsynth.Synth, int]:
        synth = fluidsynth.Synth(gain=SYNTH_GAIN, samplerate=float(sample_rate), **_SETTINGS)
        sfid = synth.sfload(str(self.path))
        if sfid < 0:
            synth.delete()
            raise RuntimeError(f"FluidSynth could not load {self.path}")
        for ch in _LINEAR_CHANNELS:
            _set_interp(synth.synth, ch, 1)
        return synth, sfid

    def new_synth(self, sample_rate: int | None = None) -> tuple[fluidsynth.Synth, int]:
        """A fresh synth (never used before) with the soundfont loaded: a spare if one is ready."""
        self.load()
        rate = int(sample_rate or self.sample_rate)
        with self._lock:
            stash = self._spares.get(rate)
            if stash:
                return stash.pop()
        return self._make(rate)

    def retire(self, synth: fluidsynth.Synth, sample_rate: int | None, presets: list[tuple[int, int]]) -> None:
        """Done with ``synth``: it is deleted, a spare made in its place and ``presets`` ((bank,
        program) pairs, at most 16) held by the keeper, on the helper thread."""
        try:
            self._janitor.submit(self._replace, synth, int(sample_rate or self.sample_rate), presets[:16])
        except RuntimeError:  # closing: no new spares
            synth.delete()

    def _replace(self, synth: fluidsynth.Synth, rate: int, presets: list[tuple[int, int]]) -> None:
        synth.delete()
        with self._lock:  # the keeper is deleted only by close(), after this thread's work is done
            keeper, wanted = self._keeper, len(self._spares.get(rate, ())) < self.SPARES
        if keeper is None:
            return
        for ch, (bank, program) in enumerate(presets):
            keeper.program_select(ch, self._keeper_sfid, bank, program)
        if wanted:
            spare = self._make(rate)
            with self._lock:
                if self._keeper is not None and len(self._spares.setdefault(rate, [])) < self.SPARES:
                    self._spares[rate].append(spare)
                    spare = None
            if spare is not None:
                spare[0].delete()


def note_events(tracks: list[dict[str, Any]], spb: float, sr: int, split_at: int | None = None) -> np.ndarray:
    """Rows (sample, is_on, channel, pitch, velocity, part), sorted; note-offs first at equal times.

    ``part`` is 1 for both events of a note that starts at or after sample ``split_at``, else 0."""
    rows = []
    for t in tracks:
        if not t["notes"]:
            continue
        arr = np.array([n[:4] for n in t["notes"]], dtype=np.float64)
        order = np.lexsort((arr[:, 0], arr[:, 2]))
        arr = arr[order]
        start = arr[:, 0]
        end = start + np.maximum(arr[:, 1], 0.02)
        same = arr[1:, 2] == arr[:-1, 2]
        end[:-1] = np.where(same, np.minimum(end[:-1], start[1:]), end[:-1])  # no overlaps on one key
        s_on = np.round(start * spb * sr).astype(np.int64)
        s_off = np.maximum(np.round(end * spb * sr).astype(np.int64), s_on + 1)
        ch = np.full(len(arr), t["channel"], dtype=np.int64)
        pitch = np.clip(arr[:, 2], 0, 127).astype(np.int64)
        vel = np.clip(arr[:, 3], 1, 127).astype(np.int64)
        part = (s_on >= split_at).astype(np.int64) if split_at is not None else np.zeros_like(s_on)
        rows.append(np.stack([s_on, np.ones_like(s_on), ch, pitch, vel, part], axis=1))
        rows.append(np.stack([s_off, np.zeros_like(s_on), ch, pitch, np.zeros_like(vel), part], axis=1))
    if not rows:
        return np.zeros((0, 6), dtype=np.int64)
    ev = np.concatenate(rows)
    return ev[np.lexsort((ev[:, 3], ev[:, 2], ev[:, 1], ev[:, 0]))]


def render_tracks(handle: SoundfontHandle, tracks: list[dict[str, Any]], spb: float, n_samples: int,
                  sample_rate: int, room: tuple[float, float, float, float] | None = None,
                  part: tuple[int, int] | None = None) -> np.ndarray:
    """Render ``tracks`` into a planar (2, n_samples) float32 buffer; ``room`` sets FluidSynth's reverb.

    ``part`` (split sample, 0 or 1): only the notes that start before (0) or at and after (1) the split
    sample are played, by a synth that starts at the song's start (0) or at the split (1); the two parts
    sum to the whole (voices are independent, the reverb is linear). FluidSynth's reverb modulates its
    delay lines, so it is the same only for synths started at the same sample: tracks rendered apart
    (the stem split) are cut at the same sample as their song (:func:`render_parts`). Once the last note
    is off, the synth runs on only while a voice or the reverb still sounds (:data:`_QUIET`).
    """
    out = np.zeros((2, n_samples), dtype=np.float32)
    events = note_events(tracks, spb, sample_rate, part[0] if part else None)
    if part is not None:
        events = events[events[:, 5] == part[1]]
    if not len(events):
        return out
    synth, sfid = handle.new_synth(sample_rate)
    try:
        raw = synth.synth
        if room is not None:
            synth.set_reverb(*room)
        for t in tracks:
            ch = int(t["channel"])
            synth.program_select(ch, sfid, int(t.get("bank", 0)), int(t["program"]))
            synth.cc(ch, 7, int(t.get("volume", 100)))
            synth.cc(ch, 10, int(t.get("pan", 64)))
            synth.cc(ch, 91, int(t.get("reverb", 40)))
            synth.cc(ch, 93, 0)
        left, right = out[0].ctypes.data, out[1].ctypes.data
        # FluidSynth works in blocks of 64 samples: starting on the block grid of sample 0 keeps each
        # note where a synth started at the song's beginning would play it
        pos = min(part[0], n_samples) // _BLOCK * _BLOCK if part is not None and part[1] == 1 else 0
        for sample, is_on, ch, pitch, vel, _ in events.tolist():
            sample = min(sample, n_samples)
            if sample > pos:
                _write_float(raw, sample - pos, left, pos, 1, right, pos, 1)
                pos = sample
            if is_on:
                _noteon(raw, ch, pitch, vel)
            else:
                _noteoff(raw, ch, pitch)
        while pos < n_samples:  # the tails: until the voices and the reverb have died away
            step = min(_TAIL_STEP, n_samples - pos)
            _write_float(raw, step, left, pos, 1, right, pos, 1)
            pos += step
            if _active_voices(raw) == 0 and sample_peak(out[:, pos - step: pos]) < _QUIET:
                break
    finally:
        handle.retire(synth, sample_rate, sorted({(int(t.get("bank", 0)), int(t["program"])) for t in tracks}))
    fade = min(n_samples, int(_FADE_SECONDS * sample_rate))
    if fade:
        out[:, -fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)[None, :]
    return out


def render_parts(handle: SoundfontHandle, tracks: list[dict[str, Any]], spb: float, n_samples: int,
                 sample_rate: int, room: tuple[float, float, float, float] | None, at: int | None) -> np.ndarray:
    """:func:`render_tracks` of ``tracks`` cut at sample ``at`` as their stem was (None: not cut), summed."""
    if at is None:
        return render_tracks(handle, tracks, spb, n_samples, sample_rate, room)
    out = render_tracks(handle, tracks, spb, n_samples, sample_rate, room, (at, 0))
    out += render_tracks(handle, tracks, spb, n_samples, sample_rate, room, (at, 1))
    return out


_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="composer-stem")


def split_sample(tracks: list[dict[str, Any]], spb: float, sample_rate: int) -> int | None:
    """Where to cut ``tracks`` in time so that each half costs FluidSynth about as much (None: too few notes).

    A note's cost is its length plus half a beat of release; each half holds every track (its own
    share of each instrument), so instruments that cost more per note weigh on both alike."""
    starts = np.array([n[0] for t in tracks for n in t["notes"]], dtype=np.float64)
    if len(starts) < _SPLIT_FROM_NOTES:
        return None
    cost = np.array([max(n[1], 0.0) + 0.5 for t in tracks for n in t["notes"]], dtype=np.float64)
    order = np.argsort(starts, kind="stable")
    half = np.searchsorted(np.cumsum(cost[order]), 0.5 * cost.sum())
    at = int(round(starts[order][min(half, len(order) - 1)] * spb * sample_rate))
    return at if at > int(round(starts[order][0] * spb * sample_rate)) else None


def submit_stems(handle: SoundfontHandle, score: dict[str, Any], stems: tuple[str, ...], sample_rate: int,
                 n_samples: int | None = None) -> list[tuple[str, Future]]:
    """Start rendering the named stems; pass the result to :func:`collect_stems`.

    Each stem is cut in two in time (:func:`split_sample`), rendered on two synths at once (the
    ctypes calls release the GIL) and summed in a fixed order, also while the singer works. A
    split in time rather than by track keeps the two halves even (a drum kit or a string section
    costs several times a bass per note) and lets the first synth stop at its last tail. The cut
    is recorded in the score (``synth_cuts``: stem -> sample, or None), for the stem split.
    """
    n = n_samples or int(round(score["duration"] * sample_rate))
    spb = seconds_per_beat(score)
    room = room_settings(Mix.from_dict(score.get("style", {}).get("mix")))
    everything = all_tracks(score)
    jobs: list[tuple[str, Future]] = []
    for stem in stems:
        tracks = [t for t in everything if t["stem"] == stem and t["notes"]]
        at = split_sample(tracks, spb, sample_rate)
        score.setdefault("synth_cuts", {})[stem] = at
        parts = [None] if at is None else [(at, 0), (at, 1)]
        for part in parts:
            jobs.append((stem, _POOL.submit(render_tracks, handle, tracks, spb, n, sample_rate, room, part)))
    return jobs


def collect_stems(jobs: list[tuple[str, Future]]) -> dict[str, np.ndarray]:
    """Planar (2, n) stems: each stem's parts summed in place, in a fixed order.

    Empties ``jobs``: a finished future holds its samples, and a part summed into another
    would otherwise stay alive (a 3-minute part is up to 64 MB) for as long as the list."""
    out: dict[str, np.ndarray] = {}
    while jobs:
        stem, fut = jobs.pop(0)
        audio = fut.result()
        if stem in out:
            out[stem] += audio
        else:
            out[stem] = audio
    return out
