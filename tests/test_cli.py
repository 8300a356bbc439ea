"""The openproducer command: keys, credits, migrate, and an offline song."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from openproducer.cli import main
from tests.support.audio import rms_dbfs


def _run(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_keys_and_credits(capsys, data_dir):
    code, out = _run(capsys, "keys", "create", "--name", "alice", "--credits", "30", "--data-dir", str(data_dir))
    assert code == 0
    key = out.strip().splitlines()[-1]
    assert key.startswith("op_") and len(key) > 40
    code, out = _run(capsys, "credits", "add", key[:11], "5", "--extra", "--data-dir", str(data_dir))
    assert code == 0 and "5 extra credits" in out
    code, out = _run(capsys, "keys", "list", "--data-dir", str(data_dir))
    assert "alice" in out and "credits=30" in out and "extra=5" in out
    assert key not in out, "a key is shown once, never listed"
    code, _ = _run(capsys, "credits", "add", "op_nomatch", "5", "--data-dir", str(data_dir))
    assert code == 2


def test_listed_prefix_is_what_credits_add_takes(capsys, data_dir):
    _, out = _run(capsys, "keys", "create", "--name", "bob", "--credits", "10", "--data-dir", str(data_dir))
    key = out.strip().splitlines()[-1]
    _, listed = _run(capsys, "keys", "list", "--data-dir", str(data_dir))
    prefix = listed.split("\t")[0]
    assert prefix == key[:11] and "…" not in listed and "..." not in listed
    for typed in (prefix, prefix + "…", prefix + "...", f" {prefix}… ", key):  # as listed, pasted, or whole
        code, out = _run(capsys, "credits", "add", typed, "1", "--data-dir", str(data_dir))
        assert code == 0 and f"added 1 credits to {prefix} (bob)" in out, typed
    _, listed = _run(capsys, "keys", "list", "--data-dir", str(data_dir))
    assert "credits=15" in listed
    code, _ = _run(capsys, "credits", "add", key + "x", "1", "--data-dir", str(data_dir))
    assert code == 2, "a mistyped whole key matches nothing"
    code, _ = _run(capsys, "credits", "add", "…", "1", "--data-dir", str(data_dir))
    assert code == 2, "an empty prefix matches nothing"


def test_a_service_without_its_client_names_the_extra(capsys, data_dir, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "boto3" else real(name, *a))
    monkeypatch.setenv("OPENPRODUCER_STORAGE_URL", "s3://bucket/prefix")
    code = main(["migrate", "--data-dir", str(data_dir)])
    err = capsys.readouterr().err
    assert code == 2
    assert "storage_url s3:// needs the boto3 package: pip install 'openproducer[scale]'" in err


def test_demo_key_is_stable(capsys, data_dir):
    _, first = _run(capsys, "keys", "demo", "--data-dir", str(data_dir))
    _, second = _run(capsys, "keys", "demo", "--data-dir", str(data_dir))
    assert first == second and first.startswith("op_")


def test_data_dir_from_environment(capsys, data_dir, monkeypatch):
    monkeypatch.setenv("OPENPRODUCER_DATA_DIR", str(data_dir))
    code, _ = _run(capsys, "migrate")
    assert code == 0 and (data_dir / "openproducer.db").is_file()


def test_generate_offline_song(tmp_path):
    lyrics = tmp_path / "lyrics.txt"
    lyrics.write_text("[Verse 1]\nWalking through the city lights\nFeeling the rhythm of the night\n"
                      "Every step a new surprise\nUnder these electric skies\n"
                      "[Chorus]\nWe're alive, we're free tonight\n")
    out = tmp_path / "song.mp3"
    result = subprocess.run(
        [sys.executable, "-m", "openproducer.cli", "generate", "--sound", "upbeat synth pop with punchy drums",
         "--lyrics-file", str(lyrics), "--seed", "3", "--length", "20", "-o", str(out),
         "--data-dir", str(tmp_path / "d")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "%" in result.stderr, "a progress bar is shown"
    decoded = subprocess.run(["ffmpeg", "-v", "error", "-i", str(out), "-f", "f32le", "-ac", "2", "-ar", "44100",
                              "pipe:1"], capture_output=True, check=True).stdout
    audio = np.frombuffer(decoded, dtype=np.float32).reshape(-1, 2)
    assert len(audio) / 44100 > 10 and rms_dbfs(audio) > -30


def test_generate_refuses_placeholder(tmp_path):
    result = subprocess.run([sys.executable, "-m", "openproducer.cli", "generate", "--sound", "test", "-o",
                             str(tmp_path / "x.mp3")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "sound" in result.stderr
