"""The OpenAI-compatible backend against a fake chat-completions server on loopback (no network)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from openproducer.core.config import LyricsSettings, Settings
from openproducer.lyrics import BuiltinWriter, OpenAIWriter, write_lyrics, writer_from_settings
from openproducer.lyrics.llm import LyricsRejected, schemes, sheet_from_reply
from openproducer.lyrics.sheet import parse_sections

DESCRIPTION = "a bittersweet song about leaving my hometown by train at dawn"

GOOD_REPLY = """Sure! Here are your lyrics.

Title: Morning Train

**[Verse 1]**
I packed my life into a bag tonight
The station lights are fading into gray
I hold the ticket and I hold it tight
The town I love is slipping far away

[Chorus]
Oh the morning train is calling me
Across the fields and down along the line
I wave goodbye to all I used to be
And leave the little house I called mine

Verse 2:
My mother standing by the garden gate
Her hand is raised against the rising sun
I tell myself it is not too late
But every mile says something is done

(Chorus x2)

[Chorus]
Oh the morning train is calling me
Across the fields and down along the line
I wave goodbye to all I used to be
And leave the little house I called mine
"""


class FakeChatServer:
    """Answers POST /v1/chat/completions with whatever ``reply`` says; records every request."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self.reply: object = GOOD_REPLY  # str: the message content; int: an HTTP status; callable: raw body
        self.delay_s = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                server.requests.append({"path": self.path, **json.loads(self.rfile.read(length))})
                server.headers.append(dict(self.headers))
                time.sleep(server.delay_s)
                reply = server.reply
                if isinstance(reply, int):
                    body, status = b'{"error": {"message": "model overloaded"}}', reply
                elif callable(reply):
                    body, status = reply(), 200
                else:
                    body = json.dumps({
                        "id": "chatcmpl-1", "object": "chat.completion", "model": "tiny",
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": reply}}],
                    }).encode()
                    status = 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except BrokenPipeError:
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def server() -> Iterator[FakeChatServer]:
    fake = FakeChatServer()
    yield fake
    fake.close()


def _writer(server: FakeChatServer, timeout_s: float = 5.0) -> OpenAIWriter:
    settings = LyricsSettings(backend="openai", base_url=server.base_url, model="tiny-songwriter",
                              api_key="sk-local", timeout_s=timeout_s)
    writer = writer_from_settings(settings)
    assert isinstance(writer, OpenAIWriter)
    return writer


def test_a_good_answer_becomes_the_sheet(server):
    sheet = _writer(server).write(DESCRIPTION, 42)
    assert sheet.title == "Morning Train"
    names = [name for name, _ in parse_sections(sheet.lyrics)]
    assert names == ["Verse 1", "Chorus", "Verse 2", "Chorus"]  # "**[Verse 1]**" and "Verse 2:" became markers
    assert "Sure" not in sheet.lyrics and "x2" not in sheet.lyrics  # chatter and stage directions are gone
    assert sheet.scheme["Verse 1"] == "ABAB" and sheet.scheme["Chorus"] == "ABAB"
    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["model"] == "tiny-songwriter" and request["seed"] == 42
    assert DESCRIPTION in request["messages"][-1]["content"]
    assert request["messages"][0]["role"] == "system"
    assert server.headers[0]["Authorization"] == "Bearer sk-local"


GARBAGE = {
    "no markers": "Title: X\n" + "\n".join(["I walk along the road tonight"] * 12),
    "too short": "[Verse 1]\nOne line here\nAnother line\n[Chorus]\nLa la la\nOh oh",
    "markup": GOOD_REPLY.replace("The station lights", "<b>The station</b> lights"),
    "a link": GOOD_REPLY.replace("gray", "gray https://example.com/x"),
    "digits and symbols": GOOD_REPLY.replace("tonight", "24/7 $$$"),
    "not English": "[Verse 1]\n" + "\n".join(["qzxv brrlk tth vvmq"] * 6) + "\n[Chorus]\n"
                   + "\n".join(["zzkq plorf grnn"] * 4),
    "empty": "",
}


@pytest.mark.parametrize("case", sorted(GARBAGE))
def test_an_unusable_answer_falls_back_to_the_builtin_writer_with_a_log_line(server, caplog, case):
    server.reply = GARBAGE[case]
    with caplog.at_level(logging.WARNING, logger="openproducer.lyrics.llm"):
        sheet = _writer(server).write(DESCRIPTION, 7)
    assert sheet == write_lyrics(DESCRIPTION, 7)
    assert len(server.requests) == 1
    assert any("built-in writer" in r.getMessage() and "LyricsRejected" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("reply", [500, 401, lambda: b"not json at all", lambda: b'{"choices": []}',
                                   lambda: b'{"choices": [{"message": {"content": null}}]}'])
def test_http_errors_and_malformed_bodies_fall_back(server, caplog, reply):
    server.reply = reply
    with caplog.at_level(logging.WARNING, logger="openproducer.lyrics.llm"):
        sheet = _writer(server).write(DESCRIPTION, 3)
    assert sheet == write_lyrics(DESCRIPTION, 3)
    assert any("built-in writer" in r.getMessage() for r in caplog.records)


def test_a_slow_server_times_out_and_falls_back(server, caplog):
    server.delay_s = 3.0
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="openproducer.lyrics.llm"):
        sheet = _writer(server, timeout_s=0.5).write(DESCRIPTION, 9)
    assert time.monotonic() - started < 2.5
    assert sheet == write_lyrics(DESCRIPTION, 9)
    assert any("Timeout" in r.getMessage() for r in caplog.records)


def test_an_unreachable_server_falls_back(caplog):
    fake = FakeChatServer()
    base_url = fake.base_url
    fake.close()  # nothing listens on that port any more
    writer = OpenAIWriter(base_url, "tiny", fallback=BuiltinWriter(), timeout_s=2.0)
    with caplog.at_level(logging.WARNING, logger="openproducer.lyrics.llm"):
        sheet = writer.write(DESCRIPTION, 1)
    assert sheet == write_lyrics(DESCRIPTION, 1)
    assert any("ConnectError" in r.getMessage() for r in caplog.records)


def test_reply_parsing_rules():
    sheet = sheet_from_reply("<think>plan the song</think>\n" + GOOD_REPLY.replace("Title: Morning Train\n", ""))
    assert sheet.title == "Oh The Morning Train Is"  # no title given: the chorus's first words
    with pytest.raises(LyricsRejected, match="verse and chorus"):
        sheet_from_reply("[Verse 1]\n" + "\n".join(["the night is long and cold"] * 10))
    hook = "[Verse]\n" + "\n".join(["we run along the road"] * 6) + "\n[Hook]\n" + "\n".join(["we sing"] * 4)
    assert "[Chorus]" in sheet_from_reply(hook).lyrics  # a hook is a chorus


def test_schemes_are_read_off_the_line_endings():
    lyrics = "[Verse 1]\nthe night\nthe sea\nthe light\nthe tree\n\n[Chorus]\nthe rain\nthe train\nthe door\nmy heart"
    assert schemes(lyrics) == {"Verse 1": "ABAB", "Chorus": "AAXX"}


def test_settings_from_the_environment(monkeypatch):
    assert Settings().lyrics.backend == "builtin"
    assert isinstance(writer_from_settings(Settings().lyrics), BuiltinWriter)
    monkeypatch.setenv("OPENPRODUCER_LYRICS__BACKEND", "openai")
    monkeypatch.setenv("OPENPRODUCER_LYRICS__BASE_URL", "http://127.0.0.1:8080/v1")
    monkeypatch.setenv("OPENPRODUCER_LYRICS__MODEL", "qwen")
    monkeypatch.setenv("OPENPRODUCER_LYRICS__TIMEOUT_S", "3.5")
    lyrics = Settings().lyrics
    assert (lyrics.backend, lyrics.base_url, lyrics.model, lyrics.timeout_s) == (
        "openai", "http://127.0.0.1:8080/v1", "qwen", 3.5)
    writer = writer_from_settings(lyrics)
    assert isinstance(writer, OpenAIWriter) and writer.url == "http://127.0.0.1:8080/v1/chat/completions"


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="base_url"):
        LyricsSettings(backend="openai")
    with pytest.raises(ValueError):
        LyricsSettings(backend="gpt")
    with pytest.raises(ValueError):
        LyricsSettings(timeout_s=0)
