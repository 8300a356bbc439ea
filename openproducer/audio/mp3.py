"""MP3 encodes of finished songs: ffmpeg (libmp3lame) reading PCM from a pipe, one started ahead.

The encode is the longest step between a finished render and SUCCESS, so it runs in its own
process (its own core) while the caller stores the other files, it reads the samples from a
pipe (no WAV to write first), and an ffmpeg is started before it is needed: starting one costs
~50 ms of CPU, paid while the worker is idle instead of while a client waits. The encoders run
at a lower CPU priority (nice ``BACKGROUND_NICE``): on a busy machine the files and the next
song's render a client waits for come first, the MP3 takes the cores' slack.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import numpy as np

from openproducer.audio.encode import EncodeError, ffmpeg_command

__all__ = [
    "BACKGROUND_NICE", "MP3_KBPS", "MP3_QUALITY", "Mp3Encoding", "Mp3Spare", "lame_args", "lower_priority", "spare",
]

MP3_KBPS = 192
# LAME's quality/speed trade-off (ffmpeg's -compression_level, LAME's -q: 0 best and slowest,
# 9 worst). 5 is LAME's "good quality, fast" middle; at 192 kb/s CBR the bit rate, not the
# search, bounds the quality, and 5 takes ~25 % less CPU than ffmpeg's default (3).
MP3_QUALITY = 5
BACKGROUND_NICE = 10  # added to the server's own niceness: a tenth of a core's share beside busy work


def lame_args(bitrate_kbps: int = MP3_KBPS) -> list[str]:
    return ["-c:a", "libmp3lame", "-b:a", f"{int(bitrate_kbps)}k", "-compression_level", str(MP3_QUALITY)]


class Mp3Encoding:
    """One ffmpeg that waits for 16-bit stereo PCM at ``sr`` on its stdin and writes ``path`` (in a
    folder of its own, removed by :meth:`close`). :meth:`feed` hands it the samples from a thread,
    so the caller goes on with other work; :meth:`wait` returns the finished file."""

    def __init__(self, sr: int, bitrate_kbps: int = MP3_KBPS) -> None:
        self.sr = int(sr)
        self._dir = Path(tempfile.mkdtemp(prefix="op-mp3-"))
        self.path = self._dir / "mix.mp3"
        source = ["-f", "s16le", "-ar", str(self.sr), "-ac", "2", "-i", "pipe:0"]
        args = [*source, *lame_args(bitrate_kbps), str(self.path)]
        self._proc = subprocess.Popen(
            ffmpeg_command(args), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        lower_priority(self._proc.pid)
        self._stderr = b""
        self._thread: threading.Thread | None = None

    def usable(self, sr: int) -> bool:
        """Still waiting for samples at this rate (a spare that died or was fed is not)."""
        return self._thread is None and self.sr == int(sr) and self._proc.poll() is None

    def feed(self, pcm: np.ndarray) -> Mp3Encoding:
        """Start encoding ``pcm`` (int16, ``(samples, 2)``) in the background."""
        data = np.ascontiguousarray(pcm, dtype=np.int16).tobytes()
        self._thread = threading.Thread(target=self._communicate, args=(data,), daemon=True)
        self._thread.start()
        return self

    def _communicate(self, data: bytes) -> None:
        try:
            _, self._stderr = self._proc.communicate(data)
        except (OSError, ValueError):  # killed by close(); wait() reports the return code
            pass

    def wait(self) -> Path:
        if self._thread is None:
            raise RuntimeError("wait() before feed()")
        self._thread.join()
        code = self._proc.wait()
        if code != 0:
            raise EncodeError(f"mp3 encode failed: {self._stderr.decode(errors='replace')[-500:]}")
        return self.path

    def close(self) -> None:
        """Stop the encoder if it still runs and remove its folder (copy ``path`` out first)."""
        if self._proc.poll() is None:
            self._proc.kill()
        if self._thread is not None:
            self._thread.join()
        self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stderr):
            if stream is not None and not stream.closed:
                stream.close()
        shutil.rmtree(self._dir, ignore_errors=True)


def lower_priority(pid: int) -> None:
    """Nice ``pid`` by BACKGROUND_NICE (where the system allows; otherwise it runs as it is). On Linux
    a thread's id (``threading.get_native_id``) nices that thread alone."""
    try:
        own = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, pid, min(19, own + BACKGROUND_NICE))
    except (AttributeError, OSError):  # no setpriority (not POSIX), or the process has ended
        pass


class Mp3Spare:
    """Keeps one started encoder ready. :meth:`take` feeds the samples to the spare when its rate
    matches (else to a new encoder); :meth:`prepare` starts the next spare, once the caller's
    critical work is done."""

    def __init__(self) -> None:
        self._spare: Mp3Encoding | None = None
        self._lock = threading.Lock()

    def take(self, pcm: np.ndarray, sr: int) -> Mp3Encoding:
        with self._lock:
            encoder, self._spare = self._spare, None
        if encoder is None or not encoder.usable(sr):
            if encoder is not None:
                encoder.close()
            encoder = Mp3Encoding(sr)
        return encoder.feed(pcm)

    def prepare(self, sr: int) -> None:
        with self._lock:
            if self._spare is not None and self._spare.usable(sr):
                return
            stale, self._spare = self._spare, Mp3Encoding(sr)
        if stale is not None:
            stale.close()

    def close(self) -> None:
        with self._lock:
            encoder, self._spare = self._spare, None
        if encoder is not None:
            encoder.close()


spare = Mp3Spare()  # one per process: the worker threads of a process share it
atexit.register(spare.close)
