"""Audio files: WAV/FLAC round trips, MP3/MP4 encodes, sniffing and the guarded decoder."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from openproducer.audio import encode
from openproducer.audio.encode import AudioDecodeError, decode_audio, sniff_audio_kind

SR = 44100


def _tone(seconds: float, sr: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return np.stack([0.4 * np.sin(2 * np.pi * 440 * t), 0.3 * np.sin(2 * np.pi * 660 * t)], 1).astype(np.float32)


def _probe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries",
         "format=duration,bit_rate:stream=codec_type,codec_name,width,height,nb_frames,avg_frame_rate,sample_rate",
         "-of", "json", str(path)],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out)


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same 3 s stereo tone in every container the sniffer knows (extensions deliberately wrong)."""
    d = tmp_path_factory.mktemp("samples")
    wav = encode.write_wav(d / "src.wav", _tone(3.0), SR)
    files = {"wav": wav}
    recipes = {
        "mp3": ["-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3"],
        "mp3-raw": ["-c:a", "libmp3lame", "-b:a", "128k", "-id3v2_version", "0", "-write_xing", "0", "-f", "mp3"],
        "flac": ["-c:a", "flac", "-f", "flac"],
        "ogg": ["-c:a", "libvorbis", "-f", "ogg"],
        "mp4": ["-c:a", "aac", "-b:a", "96k", "-f", "mp4"],
        "aiff": ["-c:a", "pcm_s16be", "-f", "aiff"],
        "webm": ["-c:a", "libopus", "-b:a", "64k", "-ar", "48000", "-f", "webm"],
        "aac": ["-c:a", "aac", "-b:a", "96k", "-f", "adts"],
    }
    for kind, args in recipes.items():
        out = d / f"{kind}.bin"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), *args, str(out)], check=True)
        files[kind] = out
    flac = files["flac"].read_bytes()
    tag = b"ID3\x04\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10  # a 10-byte ID3v2 tag in front of FLAC
    (d / "id3flac.bin").write_bytes(tag + flac)
    files["id3flac"] = d / "id3flac.bin"
    return files


def test_wav_and_flac_round_trip(tmp_path: Path) -> None:
    audio = _tone(1.0)
    audio[10] = [1.7, -3.0]  # clipped on write
    for writer, name in ((encode.write_wav, "a.wav"), (encode.write_flac, "a.flac")):
        path = writer(tmp_path / name, audio, SR)
        back, sr = encode.read_audio(path)
        assert sr == SR and back.shape == audio.shape and back.dtype == np.float32
        assert sf.info(str(path)).subtype == "PCM_16"
        assert np.max(np.abs(back[11:] - audio[11:])) < 1.0 / 16000
        assert back[10, 0] == pytest.approx(1.0, abs=1e-3) and back[10, 1] == pytest.approx(-1.0, abs=1e-3)
    mono = encode.write_wav(tmp_path / "mono.wav", audio[:, 0], SR)
    back, _ = encode.read_audio(mono)
    assert back.shape == audio.shape and np.array_equal(back[:, 0], back[:, 1])


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("wav", "wav"), ("mp3", "mp3"), ("mp3-raw", "mp3"), ("flac", "flac"), ("ogg", "ogg"), ("mp4", "mp4"),
     ("aiff", "aiff"), ("webm", "webm"), ("aac", "aac"), ("id3flac", "flac")],
)  # fmt: skip
def test_sniff_and_decode_every_kind(samples: dict[str, Path], kind: str, expected: str) -> None:
    assert sniff_audio_kind(samples[kind].read_bytes()[:4096]) == expected
    audio = decode_audio(samples[kind], sr=SR)
    assert audio.dtype == np.float32 and audio.shape[1] == 2
    assert abs(len(audio) / SR - 3.0) < 0.1  # encoders add a few ms of priming at most
    assert 0.2 < float(np.max(np.abs(audio[:, 0]))) < 0.8  # lossy codecs overshoot a little


@pytest.mark.parametrize(
    "head",
    [b"", b"abc", b"<!DOCTYPE html><html>", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"%PDF-1.7\n",
     b"#EXTM3U\n#EXT-X-VERSION:3\n", b"ffconcat version 1.0\nfile '/etc/passwd'\n", b"\xff\xd8\xff\xe0",
     b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00"],
)  # fmt: skip
def test_sniff_refuses_non_audio(head: bytes) -> None:
    assert sniff_audio_kind(head) is None


def _write(tmp_path: Path, data: bytes, name: str = "upload.mp3") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_decode_errors(tmp_path: Path, samples: dict[str, Path]) -> None:
    with pytest.raises(AudioDecodeError, match="empty"):
        decode_audio(_write(tmp_path, b""))
    with pytest.raises(AudioDecodeError, match="not a supported audio format"):
        decode_audio(_write(tmp_path, b"<html><body>404</body></html>"))
    # A playlist pointing at a local file is refused before ffmpeg sees it.
    with pytest.raises(AudioDecodeError, match="not a supported audio format"):
        decode_audio(_write(tmp_path, f"#EXTM3U\n{samples['wav']}\n".encode(), "list.m3u8"))
    wav = samples["wav"].read_bytes()
    with pytest.raises(AudioDecodeError, match="could not be decoded"):
        decode_audio(_write(tmp_path, wav[:12] + b"\x00garbage" * 50))
    with pytest.raises(AudioDecodeError, match="too long"):
        decode_audio(samples["mp3"], max_seconds=2.0)
    with pytest.raises(AudioDecodeError, match="took too long"):
        decode_audio(samples["flac"], wall_seconds=0.001)
    video = tmp_path / "silent.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=red:s=64x64:d=1",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(video)], check=True)  # fmt: skip
    with pytest.raises(AudioDecodeError, match="no audio stream"):
        decode_audio(video)


def test_decode_is_capped_even_when_the_header_lies(
    tmp_path: Path, samples: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    liar = tmp_path / "ffprobe"
    liar.write_text('#!/bin/sh\necho \'{"streams":[{"codec_type":"audio"}],"format":{"duration":"1.0"}}\'\n')
    liar.chmod(0o755)
    monkeypatch.setattr(encode, "FFPROBE", str(liar))
    with pytest.raises(AudioDecodeError, match="too long"):
        decode_audio(samples["wav"], max_seconds=2.0)


def test_mp3_is_cbr_192(tmp_path: Path, samples: dict[str, Path]) -> None:
    mp3 = encode.encode_mp3(samples["wav"], tmp_path / "out.mp3")
    info = _probe(mp3)
    assert info["streams"][0]["codec_name"] == "mp3"
    assert abs(int(info["format"]["bit_rate"]) - 192_000) < 2_000


def test_make_video_is_a_512_square_at_one_frame_per_second(tmp_path: Path) -> None:
    cover = tmp_path / "c.png"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=blue:s=768x768:d=1",
                    "-frames:v", "1", str(cover)], check=True)  # fmt: skip
    wav = encode.write_wav(tmp_path / "mix.wav", _tone(30.4), SR)
    path = encode.make_video(cover, wav, tmp_path / "video.mp4", duration=30.4)
    video = _probe(path)
    streams = {s["codec_type"]: s for s in video["streams"]}
    assert streams["video"]["codec_name"] == "h264" and streams["audio"]["codec_name"] == "aac"
    assert (streams["video"]["width"], streams["video"]["height"]) == (512, 512)
    assert abs(float(video["format"]["duration"]) - 30.4) < 0.05
    assert int(streams["video"]["nb_frames"]) <= 31  # 1 frame per second
    # Every sample of the song is in the video, the last 0.4 s included.
    assert abs(len(decode_audio(path)) / SR - 30.4) < 0.05


def test_make_video_probes_duration(tmp_path: Path, samples: dict[str, Path]) -> None:
    cover = tmp_path / "c.png"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=red:s=300x200:d=1",
                    "-frames:v", "1", str(cover)], check=True)  # fmt: skip
    out = encode.make_video(cover, samples["mp3"], tmp_path / "v.mp4")
    assert abs(float(_probe(out)["format"]["duration"]) - 3.0) < 0.15


def test_pcm16_round_trips_through_a_stored_wav(tmp_path: Path) -> None:
    """An edit reads its parent's WAV back as floats and stores it again: the samples must not drift."""
    pcm = encode.pcm16(_tone(2.0) * 2.5)  # partly clipped
    wav = encode.write_pcm_wav(tmp_path / "a.wav", pcm, SR)
    again = encode.pcm16(encode.read_audio(wav)[0])
    assert np.array_equal(again, pcm)


def test_pcm16_silences_nan_and_clips_infinities() -> None:
    weird = np.array([[np.nan, np.inf], [-np.inf, 1.0], [-1.0, 0.5], [2.0, -2.0]], dtype=np.float32)
    assert encode.pcm16(weird).tolist() == [[0, 32767], [-32768, 32767], [-32768, 16384], [32767, -32768]]
    mono = encode.pcm16(np.array([0.25, -0.25], dtype=np.float32))
    assert mono.tolist() == [[8192, 8192], [-8192, -8192]], "mono is played on both channels"


def test_stems_are_lossless_flac(tmp_path: Path) -> None:
    stem = _tone(3.0)
    path = encode.write_flac(tmp_path / "stem.flac", stem, SR)
    assert sf.info(str(path)).format == "FLAC"
    assert np.array_equal(sf.read(path, dtype="int16")[0], encode.pcm16(stem))
