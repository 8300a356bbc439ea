"""Reading, writing, encoding and safely decoding audio files.

Audio arrays follow the engine convention: ``float32`` of shape ``(samples, 2)``.
Encoding shells out to ``ffmpeg``; decoding of untrusted uploads runs ``ffprobe``
and ``ffmpeg`` under CPU, memory and wall-clock limits with the demuxer forced
from the sniffed magic bytes, so a crafted file cannot pick a playlist or
concat demuxer that would read other files.
"""

from __future__ import annotations

import json
import resource
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf

from openproducer.audio.shape import as_stereo

__all__ = [
    "AudioDecodeError",
    "EncodeError",
    "decode_audio",
    "encode_mp3",
    "ffmpeg_command",
    "make_video",
    "pcm16",
    "probe_duration",
    "read_audio",
    "sniff_audio_kind",
    "write_flac",
    "write_pcm_wav",
    "write_wav",
]

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"

# ffmpeg demuxer forced for each sniffed kind.
_DEMUXERS = {
    "wav": "wav",
    "mp3": "mp3",
    "flac": "flac",
    "ogg": "ogg",
    "mp4": "mov",
    "aiff": "aiff",
    "webm": "matroska",
    "aac": "aac",
}
# ISO-BMFF brands of still images (HEIC, AVIF), which share MP4's container.
_IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"mif1", b"msf1", b"avif", b"avis"}
SUPPORTED_KINDS = "WAV, MP3, FLAC, OGG, M4A/MP4, AIFF, WebM/MKA or AAC"


class AudioDecodeError(Exception):
    """An uploaded file cannot be used as audio; ``message`` is safe to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EncodeError(RuntimeError):
    """ffmpeg failed while encoding our own output (an internal error, not the user's)."""


def _clean(audio: np.ndarray) -> np.ndarray:
    a = np.nan_to_num(as_stereo(audio), nan=0.0, posinf=1.0, neginf=-1.0)
    return np.clip(a, -1.0, 1.0)


def write_wav(path: str | Path, audio: np.ndarray, sr: int) -> Path:
    """Write 16-bit PCM WAV, clipping to [-1, 1]."""
    sf.write(str(path), _clean(audio), int(sr), subtype="PCM_16", format="WAV")
    return Path(path)


def write_flac(path: str | Path, audio: np.ndarray, sr: int) -> Path:
    """Write 16-bit FLAC (used for stems), clipping to [-1, 1].

    FLAC's fastest level: a 3-minute stem encodes in about a third of the CPU time of the
    default level and is ~4 % larger (lossless either way)."""
    sf.write(str(path), pcm16(audio), int(sr), subtype="PCM_16", format="FLAC", compression_level=0.0)
    return Path(path)


def read_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """Read a WAV/FLAC file we wrote ourselves as float32 ``(n, 2)``.

    Mono is duplicated to both channels; extra channels beyond two are dropped.
    """
    data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    if data.shape[1] == 1:
        data = np.repeat(data, 2, axis=1)
    elif data.shape[1] > 2:
        data = np.ascontiguousarray(data[:, :2])
    return data, int(sr)


def ffmpeg_command(args: list[str]) -> list[str]:
    """ffmpeg with ``args``: no stdin reading, errors only, overwriting its output."""
    return [FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]


def _run_ffmpeg(args: list[str], what: str) -> None:
    proc = subprocess.run(ffmpeg_command(args), capture_output=True)
    if proc.returncode != 0:
        raise EncodeError(f"{what} failed: {proc.stderr.decode(errors='replace')[-500:]}")


def _video_args(
    image_path: Path, audio_path: Path, mp4_path: Path, duration: float, size: int, fps: int
) -> list[str]:
    # The picture is decoded and scaled once, then repeated by the loop filter;
    # -loop 1 on the image input would decode the PNG again for every frame.
    # x264 ultrafast gives Constrained Baseline (plays everywhere); AAC's
    # "fast" coder is about twice as fast as the default twoloop coder.
    # -t ends the endless video input at the audio's length (-shortest would cut the audio at the
    # last whole second of video, dropping the song's final fraction of a second).
    vf = f"[0:v]scale={size}:{size},format=yuv420p,loop=loop=-1:size=1[v]"
    return [
        "-framerate", str(fps), "-i", str(image_path),
        "-i", str(audio_path),
        "-filter_complex", vf, "-map", "[v]", "-map", "1:a:0",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage", "-r", str(fps), "-g", str(30 * fps),
        "-c:a", "aac", "-aac_coder", "fast", "-b:a", "128k",
        "-t", f"{duration:.3f}", "-movflags", "+faststart",
        str(mp4_path),
    ]  # fmt: skip


def encode_mp3(wav_path: str | Path, mp3_path: str | Path, bitrate_kbps: int = 192) -> Path:
    """Encode a WAV file as CBR MP3 with libmp3lame (the settings of :mod:`openproducer.audio.mp3`)."""
    from openproducer.audio.mp3 import lame_args

    _run_ffmpeg(["-i", str(wav_path), "-vn", *lame_args(bitrate_kbps), str(mp3_path)], "mp3 encode")
    return Path(mp3_path)


def probe_duration(path: str | Path, timeout_s: float = 30.0) -> float:
    """Container duration in seconds according to ffprobe (trusted files only)."""
    proc = subprocess.run(
        [FFPROBE, "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True,
        timeout=timeout_s,
    )
    try:
        return float(json.loads(proc.stdout)["format"]["duration"])
    except (ValueError, KeyError, TypeError) as exc:
        raise EncodeError(f"cannot read the duration of {path}") from exc


def make_video(
    image_path: str | Path,
    audio_path: str | Path,
    mp4_path: str | Path,
    *,
    duration: float | None = None,
    size: int = 512,
    fps: int = 1,
) -> Path:
    """MP4 (H.264 + AAC) of a still picture over the audio, tuned for encode speed."""
    if duration is None:
        duration = probe_duration(audio_path)
    _run_ffmpeg(
        _video_args(Path(image_path), Path(audio_path), Path(mp4_path), duration, size, fps), "mp4 encode"
    )
    return Path(mp4_path)


def pcm16(audio: np.ndarray) -> np.ndarray:
    """``(samples, 2)`` int16 PCM of ``audio`` (clipped): the samples every stored file holds.

    Scaled by 32768 as libsndfile reads and writes 16-bit files, so audio read back from a WAV
    we wrote (an edit's parent) converts to the very same samples."""
    scaled = np.multiply(as_stereo(audio), 32768.0, dtype=np.float32)  # exact: a power of two
    np.clip(scaled, -32768.0, 32767.0, out=scaled)  # infinities too
    if np.isnan(scaled).any():
        np.nan_to_num(scaled, copy=False, nan=0.0)
    np.rint(scaled, out=scaled)
    return scaled.astype(np.int16)


def write_pcm_wav(path: str | Path, pcm: np.ndarray, sr: int) -> Path:
    """Write int16 PCM (from :func:`pcm16`) as WAV, sample for sample."""
    sf.write(str(path), pcm, int(sr), subtype="PCM_16", format="WAV")
    return Path(path)


# ---------------------------------------------------------------------------
# Untrusted input


def _mp3_frame_header(b: bytes) -> bool:
    if len(b) < 4 or b[0] != 0xFF or (b[1] & 0xE0) != 0xE0:
        return False
    version = (b[1] >> 3) & 3
    layer = (b[1] >> 1) & 3
    bitrate = b[2] >> 4
    rate = (b[2] >> 2) & 3
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3


def _adts_header(b: bytes) -> bool:
    # ADTS AAC shares the 12-bit sync with MPEG audio but has layer bits 00.
    return len(b) >= 4 and b[0] == 0xFF and (b[1] & 0xF6) == 0xF0 and ((b[2] >> 2) & 0xF) < 13


def sniff_audio_kind(first_bytes: bytes) -> str | None:
    """Recognise an audio container from its magic bytes (never the file name).

    Returns one of ``wav, mp3, flac, ogg, mp4, aiff, webm, aac`` or None. An ID3v2
    tag is skipped when the bytes after it are present, so FLAC with an ID3 tag
    is still FLAC; a tag longer than the given bytes is taken to be MP3.
    """
    b = bytes(first_bytes)
    if len(b) < 4:
        return None
    if b[:3] == b"ID3" and len(b) >= 10:
        size = (b[6] & 0x7F) << 21 | (b[7] & 0x7F) << 14 | (b[8] & 0x7F) << 7 | (b[9] & 0x7F)
        end = 10 + size + (10 if b[5] & 0x10 else 0)
        rest = b[end:]
        if len(rest) >= 4:
            inner = sniff_audio_kind(rest)
            if inner is not None:
                return inner
        return "mp3"
    if b[:4] in (b"RIFF", b"RF64", b"BW64") and b[8:12] == b"WAVE":
        return "wav"
    if b[:4] == b"fLaC":
        return "flac"
    if b[:4] == b"OggS":
        return "ogg"
    if b[:4] == b"FORM" and b[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if b[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if b[4:8] == b"ftyp" and b[8:12] in _IMAGE_BRANDS:
        return None
    if b[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free"):
        return "mp4"
    if _mp3_frame_header(b):
        return "mp3"
    if _adts_header(b):
        return "aac"
    return None


def _limits(cpu_seconds: int, mem_bytes: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # may write pipes only
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _run_limited(
    cmd: list[str], cpu_seconds: int, mem_bytes: int, wall_seconds: float
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            cmd,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=wall_seconds,
            preexec_fn=_limits(cpu_seconds, mem_bytes),
        )
    except subprocess.TimeoutExpired as exc:
        raise AudioDecodeError("the audio file took too long to decode") from exc


def _fmt_seconds(s: float) -> str:
    m, sec = divmod(int(round(s)), 60)
    return f"{m}:{sec:02d}"


def decode_audio(
    path: str | Path,
    sr: int = 44100,
    max_seconds: float = 480.0,
    *,
    cpu_seconds: int = 60,
    mem_bytes: int = 1 << 30,
    wall_seconds: float = 90.0,
) -> np.ndarray:
    """Decode an untrusted audio file to float32 ``(n, 2)`` at ``sr``.

    Raises :class:`AudioDecodeError` with a user-facing reason when the file is
    empty, not audio, undecodable or longer than ``max_seconds``. The length is
    checked with ffprobe first and the decode is also capped with ``-t``, so a
    header that understates the duration cannot make it decode gigabytes.
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            head = fh.read(65536)
    except OSError as exc:
        raise AudioDecodeError("the audio file could not be read") from exc
    if not head:
        raise AudioDecodeError("the audio file is empty")
    kind = sniff_audio_kind(head)
    if kind is None:
        raise AudioDecodeError(f"the file is not a supported audio format ({SUPPORTED_KINDS})")
    demux = _DEMUXERS[kind]
    src = ["-f", demux, "-protocol_whitelist", "file", "-i", str(p)]

    probe = _run_limited(
        [FFPROBE, "-v", "error", *src, "-show_entries", "stream=codec_type:format=duration", "-of", "json"],
        cpu_seconds,
        mem_bytes,
        wall_seconds,
    )
    try:
        info = json.loads(probe.stdout or b"{}")
    except ValueError:
        info = {}
    if probe.returncode != 0 or "format" not in info:
        raise AudioDecodeError(f"the {kind.upper()} file could not be decoded (corrupt or truncated)")
    if not any(s.get("codec_type") == "audio" for s in info.get("streams", [])):
        raise AudioDecodeError("the file contains no audio stream")
    try:
        declared = float(info["format"].get("duration", "nan"))
    except (TypeError, ValueError):
        declared = float("nan")
    if declared > max_seconds:
        raise AudioDecodeError(
            f"the audio is too long ({_fmt_seconds(declared)}); the limit is {_fmt_seconds(max_seconds)}"
        )

    cap = max_seconds + 1.0
    proc = _run_limited(
        [FFMPEG, "-nostdin", "-hide_banner", "-v", "error", "-threads", "1", *src,
         "-map", "0:a:0", "-vn", "-sn", "-dn", "-t", f"{cap:.3f}",
         "-ac", "2", "-ar", str(int(sr)), "-f", "f32le", "-"],
        cpu_seconds,
        mem_bytes,
        wall_seconds,
    )  # fmt: skip
    if proc.returncode < 0:
        raise AudioDecodeError("the audio file needed too much time or memory to decode")
    if proc.returncode != 0:
        raise AudioDecodeError(f"the {kind.upper()} file could not be decoded (corrupt or truncated)")
    usable = len(proc.stdout) // 8 * 8
    audio = np.frombuffer(proc.stdout[:usable], dtype="<f4").reshape(-1, 2).astype(np.float32, copy=True)
    if len(audio) == 0:
        raise AudioDecodeError("the audio file contains no sound (0 seconds)")
    if len(audio) > max_seconds * sr:
        raise AudioDecodeError(f"the audio is too long; the limit is {_fmt_seconds(max_seconds)}")
    if not np.isfinite(audio).all():
        audio = np.nan_to_num(audio, nan=0.0, posinf=0.0, neginf=0.0)
    return audio
