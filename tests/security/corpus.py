"""Hostile media files, made by the tests themselves (small and fast to build: no fixtures on disk).

Each builder returns bytes. Long audio is never rendered: the ten-hour FLAC is a one-second file
whose STREAMINFO claims ten hours, and the understated FLAC holds a minute of 8 kHz audio whose
header claims one second.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import soundfile as sf

from openproducer.audio.encode import encode_mp3, write_wav

_STREAMINFO_TOTAL = 8 + 10  # "fLaC", the block header, then min/max block and frame sizes


def tone(seconds: float, sr: int = 44100) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    mono = (0.3 * np.sin(2 * np.pi * 330 * t)).astype(np.float32)
    return np.stack([mono, mono], axis=1)


def wav(seconds: float) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, tone(seconds), 44100, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def mp3(seconds: float, tmp: Path) -> bytes:
    write_wav(tmp / "tone.wav", tone(seconds), 44100)
    return encode_mp3(tmp / "tone.wav", tmp / "tone.mp3", bitrate_kbps=128).read_bytes()


def mp3_cut(data: bytes, frames: float) -> bytes:
    """The MP3 cut after ``frames`` MPEG frames (0.5: in the middle of the first one)."""
    start = 0
    if data[:3] == b"ID3":
        start = 10 + ((data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | (data[9] & 0x7F))
    frame = 144 * 128_000 // 44100  # bytes per frame at 128 kbps, 44.1 kHz
    return data[: start + int(frame * frames)]


def wav_claiming_gigabytes() -> bytes:
    """A WAV header saying the data chunk holds almost 4 GB (74 hours at 8 kHz), with 0.1 s behind it."""
    fmt = struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, 1, 8000, 16000, 2, 16)
    samples = (np.sin(np.arange(800) / 3) * 8000).astype("<i2").tobytes()
    return b"RIFF" + struct.pack("<I", 0xFFFFFFF0) + b"WAVE" + fmt + b"data" + struct.pack("<I", 0xFFFFFFC0) + samples


def _flac(seconds: float, sr: int, claimed_samples: int) -> bytes:
    t = np.arange(int(seconds * sr)) / sr
    buf = io.BytesIO()
    sf.write(buf, (0.2 * np.sin(2 * np.pi * 330 * t)).astype(np.float32), sr, format="FLAC", subtype="PCM_16")
    data = bytearray(buf.getvalue())
    assert data[:4] == b"fLaC"
    packed = int.from_bytes(data[_STREAMINFO_TOTAL:_STREAMINFO_TOTAL + 8], "big")
    packed = (packed & ~((1 << 36) - 1)) | claimed_samples  # the low 36 bits: total samples
    data[_STREAMINFO_TOTAL:_STREAMINFO_TOTAL + 8] = packed.to_bytes(8, "big")
    return bytes(data)


def ten_hour_flac() -> bytes:
    """Silence-cheap: one second of 8 kHz mono whose header says ten hours."""
    return _flac(1.0, 8000, 10 * 3600 * 8000)


def understated_flac() -> bytes:
    """A minute of 8 kHz mono whose header says one second: only the decode cap can catch it."""
    return _flac(60.0, 8000, 8000)


def png(width: int = 64, height: int = 64) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buf, format="PNG")
    return buf.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb's calling card)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")


TEXT = b"this is not audio at all, just text pretending to be an mp3 file\n" * 20
HLS_PLAYLIST = b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"
HTML = b"<!doctype html><title>Login</title><p>Please sign in</p>"
