"""MP3 encodes from a pipe, with an encoder started ahead of need."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from openproducer.audio import encode, mp3
from openproducer.audio.encode import decode_audio

SR = 44100


def _tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return np.stack([0.4 * np.sin(2 * np.pi * 440 * t), 0.3 * np.sin(2 * np.pi * 660 * t)], 1).astype(np.float32)


def _probe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=bit_rate:stream=codec_name",
                          "-of", "json", str(path)], capture_output=True, check=True).stdout
    return json.loads(out)


def test_mp3_encodes_from_a_pipe_while_the_caller_writes_the_wav(tmp_path: Path) -> None:
    mix = _tone(30.0)
    mix[1000, 0] = 3.0  # out of range: clipped, never wrapped round
    pcm = encode.pcm16(mix)
    assert pcm.dtype == np.int16 and pcm.shape == mix.shape and pcm[1000, 0] == 32767
    encoding = mp3.Mp3Encoding(SR).feed(pcm)
    wav = encode.write_pcm_wav(tmp_path / "mix.wav", pcm, SR)
    path = encoding.wait()
    stored, sr = sf.read(wav, dtype="int16", always_2d=True)
    assert sr == SR and np.array_equal(stored, pcm), "the WAV holds the very samples the MP3 was made from"
    info = _probe(path)
    assert info["streams"][0]["codec_name"] == "mp3"
    assert abs(int(info["format"]["bit_rate"]) - 192_000) < 2_000
    decoded = decode_audio(path)
    assert abs(len(decoded) / SR - 30.0) < 0.05
    # The decoded tone is the tone: 440 Hz on the left, 660 Hz on the right.
    spectrum = np.abs(np.fft.rfft(decoded[SR:2 * SR], axis=0))
    assert [int(np.argmax(spectrum[:, ch])) for ch in (0, 1)] == [440, 660]
    encoding.close()
    assert not path.exists(), "close() removes the encoder's folder"


def test_a_failed_encode_is_reported_and_close_stops_the_encoder(tmp_path: Path) -> None:
    failing = mp3.Mp3Encoding(SR)
    failing._proc.kill()  # the encoder died before its samples came
    failing.feed(encode.pcm16(_tone(1.0)))
    with pytest.raises(encode.EncodeError, match="mp3 encode failed"):
        failing.wait()
    failing.close()
    running = mp3.Mp3Encoding(SR).feed(encode.pcm16(_tone(120.0)))
    running.close()
    assert running._proc.poll() is not None


def test_the_spare_is_started_ahead_and_used_once(tmp_path: Path) -> None:
    spare = mp3.Mp3Spare()
    spare.prepare(SR)
    ready = spare._spare
    assert ready is not None and ready.usable(SR)
    taken = spare.take(encode.pcm16(_tone(2.0)), SR)
    assert taken is ready and spare._spare is None and not taken.usable(SR)
    assert abs(len(decode_audio(taken.wait())) / SR - 2.0) < 0.05
    taken.close()
    other = spare.take(encode.pcm16(_tone(0.96)), 48000)  # no spare: a fresh encoder at this rate
    seconds = len(decode_audio(other.wait(), sr=48000)) / 48000
    assert other is not ready and abs(seconds - 0.96 * SR / 48000) < 0.05
    other.close()
    spare.prepare(SR)
    waiting = spare._spare
    spare.prepare(48000)  # a spare at the wrong rate is replaced
    assert waiting._proc.poll() is not None and spare._spare.sr == 48000
    spare.close()
    assert spare._spare is None


def test_encoders_run_below_the_servers_priority() -> None:
    """The MP3 is made after SUCCESS, beside the next song's render: it must not compete as an equal."""
    own = os.getpriority(os.PRIO_PROCESS, 0)
    encoding = mp3.Mp3Encoding(SR)
    try:
        assert os.getpriority(os.PRIO_PROCESS, encoding._proc.pid) == min(19, own + mp3.BACKGROUND_NICE)
        assert mp3.BACKGROUND_NICE >= 5
    finally:
        encoding.close()
