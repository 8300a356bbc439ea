"""Syllables spoken by espeak-ng through a forking helper process per voice (``espeak_fork.py``).

Starting ``espeak-ng`` for every syllable cost about 14 ms of CPU and 20 ms of waiting each (a
30 s song has 20 to 40 syllables, a 3-minute one about 100); the helper keeps espeak-ng loaded
and forks a fresh copy of itself per syllable (about 3 ms), so each syllable still sounds as it
does alone. A voice has at most two helpers, the process at most eight (the least recently used
idle one is closed first); a thread waits for a helper of its voice rather than use the command,
whose samples differ in the last bit. :func:`speak` answers ``None`` when the voice has no helper
(no libespeak-ng, or its helper failed): the caller runs the ``espeak-ng`` command instead, for
every syllable of that voice from then on.
"""

from __future__ import annotations

import atexit
import subprocess
import sys
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

__all__ = ["close_all", "prestart", "speak"]

_SCRIPT = Path(__file__).with_name("espeak_fork.py")
_PER_VOICE = 2
_IN_ALL = 8


class _Helper:
    """One ``espeak_fork.py`` process; used by one thread at a time."""

    def __init__(self, voice: str) -> None:
        self.voice = voice
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(_SCRIPT), voice],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        if self.process.stdout.readline() != b"ready\n":  # type: ignore[union-attr]
            self.close()
            raise OSError(f"the espeak-ng helper for {voice} did not start")

    def speak(self, text: str) -> np.ndarray:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(text.encode() + b"\n")
        stdin.flush()
        count = int(stdout.readline() or b"-1")
        if count < 0:
            raise OSError(f"the espeak-ng helper could not speak {text!r}")
        data = stdout.read(count)
        if len(data) != count:
            raise OSError("the espeak-ng helper stopped mid-answer")
        return np.frombuffer(data, dtype="<i2").astype(np.float64) / 32768.0

    def close(self) -> None:
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()


_lock = threading.Condition()
_idle: OrderedDict[int, _Helper] = OrderedDict()  # id -> idle helper, least recently used first
_count: dict[str, int] = {}  # helpers per voice, idle or busy
_broken: set[str] = set()  # voices spoken by the command: their helper would not start or failed


def _take(voice: str) -> _Helper | None:
    """An idle helper of ``voice``, or a new one when the limits allow, else wait for one; None
    when the voice is spoken by the command."""
    doomed: list[_Helper] = []
    with _lock:
        while True:
            if voice in _broken:
                return None
            for key, helper in _idle.items():
                if helper.voice == voice:
                    del _idle[key]
                    return helper
            if _count.get(voice, 0) < _PER_VOICE:
                while sum(_count.values()) >= _IN_ALL and _idle:
                    _, old = _idle.popitem(last=False)
                    _count[old.voice] -= 1
                    doomed.append(old)
                if sum(_count.values()) < _IN_ALL:
                    _count[voice] = _count.get(voice, 0) + 1
                    break
            _lock.wait(1.0)
    for old in doomed:
        old.close()
    try:
        return _Helper(voice)
    except OSError:
        _retire(voice)
        return None


def _retire(voice: str) -> None:
    """One helper of ``voice`` fewer, and the voice spoken by the command from now on."""
    with _lock:
        _count[voice] -= 1
        _broken.add(voice)
        _lock.notify_all()


def speak(text: str, voice: str) -> np.ndarray | None:
    """espeak-ng's samples (22.05 kHz, float64) for one line of ``text``, or None to use the command."""
    if "\n" in text or "\r" in text:
        return None
    helper = _take(voice)
    if helper is None:
        return None
    try:
        samples = helper.speak(text)
    except (OSError, ValueError):
        helper.close()
        _retire(voice)
        return None
    _put_back(helper)
    return samples


def prestart(voices: list[str]) -> None:
    """Start one idle helper for each of ``voices`` that has none, within the limits, on the calling
    thread (~50 ms each): a song in a voice the process has not sung yet then starts speaking at once."""
    for voice in voices:
        with _lock:
            if voice in _broken or _count.get(voice, 0) or sum(_count.values()) >= _IN_ALL:
                continue
            _count[voice] = 1
        try:
            helper = _Helper(voice)
        except OSError:
            _retire(voice)
            continue
        _put_back(helper)


def _put_back(helper: _Helper) -> None:
    """``helper`` waits idle for the next syllable of its voice."""
    with _lock:
        _idle[id(helper)] = helper
        _lock.notify_all()


def close_all() -> None:
    """Stop every idle helper (at exit; tests)."""
    with _lock:
        helpers = list(_idle.values())
        _idle.clear()
        for helper in helpers:
            _count[helper.voice] -= 1
        _lock.notify_all()
    for helper in helpers:
        helper.close()


atexit.register(close_all)
