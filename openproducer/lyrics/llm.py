"""An optional lyric writer: a language model behind an OpenAI-compatible endpoint the operator runs
(llama.cpp's server, vLLM, Ollama, LM Studio ...): ``POST {base_url}/chat/completions``.

What comes back is checked before it is used: section markers (a verse and a chorus at least), at
least 8 sung lines, plain singable words (letters and light punctuation, words the pronouncing
dictionary mostly knows). Headers the models like to write ("**Chorus:**", "Verse 1:") become
markers; stage directions in parentheses are dropped. When the request fails, times out or the
answer does not pass, the built-in writer writes the sheet and a warning says why.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

from openproducer.lyrics import phonetics
from openproducer.lyrics.sheet import LyricSheet, LyricWriter, line_words, parse_sections, relabel_scheme, render

log = logging.getLogger(__name__)

MIN_LINES = 8
MAX_LINES = 80
MAX_LINE_CHARS = 90
MIN_KNOWN_WORDS = 0.85  # share of sung words the pronouncing dictionary must know

SYSTEM_PROMPT = (
    "You are a songwriter. Write English song lyrics for the description the user gives.\n"
    "Answer with the title on the first line as 'Title: <title>', then the lyrics.\n"
    "Put each section marker alone on its own line, in square brackets: [Verse 1], [Chorus], [Verse 2], "
    "[Chorus], [Bridge], [Chorus]. Write 20 to 40 sung lines in all, four to eight per section.\n"
    "Rhyme the ends of lines (AABB or ABAB) and keep the lines of a section about the same length.\n"
    "Use plain words only: no numbers, no symbols, no emoji, no stage directions, no markdown, no comments."
)

_KINDS = {"verse": "Verse", "chorus": "Chorus", "hook": "Chorus", "refrain": "Chorus", "pre-chorus": "Pre-Chorus",
          "prechorus": "Pre-Chorus", "pre chorus": "Pre-Chorus", "bridge": "Bridge", "outro": "Outro",
          "intro": "Intro", "post-chorus": "Post-Chorus"}
_HEADER = re.compile(
    r"^[\s#*_(\[]*(pre[- ]?chorus|post-chorus|verse|chorus|hook|refrain|bridge|outro|intro)"
    r"(?:\s*(\d+))?[\s*_:)\].-]*$", re.IGNORECASE)
_TITLE = re.compile(r"^[\s#*_]*title\s*[:\-]\s*(.+?)[\s*_]*$", re.IGNORECASE)
_SUNG = re.compile(r"^[A-Za-zÀ-ÿ' ,.!?\-]+$")
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)


class LyricsRejected(ValueError):
    """The model's answer is not a lyric sheet we can sing."""


class OpenAIWriter:
    """Lyrics from a chat-completions endpoint, with the built-in writer behind it."""

    def __init__(self, base_url: str, model: str, fallback: LyricWriter, api_key: str | None = None,
                 timeout_s: float = 20.0, temperature: float = 0.9):
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.fallback = fallback
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.temperature = temperature

    def write(self, description: str, seed: int) -> LyricSheet:
        try:
            return sheet_from_reply(self._ask(description, seed))
        except (httpx.HTTPError, LyricsRejected, ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("lyrics: the model %r at %s gave no usable sheet (%s: %s); the built-in writer wrote it",
                        self.model, self.url, type(exc).__name__, exc)
            return self.fallback.write(description, seed)

    def _ask(self, description: str, seed: int) -> str:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": f"Description: {description}"},
            ],
            "temperature": self.temperature,
            "seed": seed,
            "max_tokens": 1200,
            "stream": False,
        }
        response = httpx.post(self.url, json=body, headers=headers, timeout=self.timeout_s)
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
        if not isinstance(content, str):
            raise LyricsRejected("the answer has no text")
        return content


def sheet_from_reply(text: str) -> LyricSheet:
    """Read a model's answer into a LyricSheet, or raise LyricsRejected saying what is wrong."""
    title = guess = ""
    sections: list[tuple[str, list[str]]] = []
    for raw in _THINK.sub("", text).replace("\r\n", "\n").split("\n"):
        line = raw.strip().strip("`").strip()
        if not line:
            continue
        m = _TITLE.match(line)
        if m and not title and not sections:
            title = m.group(1).strip().strip("\"'*")
            continue
        marker = _marker(line)
        if marker:
            sections.append((marker, []))
            continue
        if line.startswith("(") and line.endswith(")"):
            continue  # a stage direction: "(x2)", "(guitar solo)"
        if not sections:
            # a short line of its own just before the lyrics may be the title ("# Morning Train");
            # a sentence ("Sure! Here are your lyrics.") is chatter
            bare = line.strip("\"*# ")
            guess = bare if len(bare.split()) <= 8 and _SUNG.match(bare) and bare[-1] not in ".!?:" else ""
            continue
        line = line.strip("\"*_ ")
        if not _SUNG.match(line) or len(line) > MAX_LINE_CHARS:
            raise LyricsRejected(f"a line is not plain singable text: {line[:60]!r}")
        sections[-1][1].append(line)
    sections = [(name, lines) for name, lines in sections if lines]
    _check(sections)
    lyrics = render(sections)
    title = title or guess
    if not title:
        first_chorus = next(lines for name, lines in sections if name.startswith("Chorus"))
        title = " ".join(line_words(first_chorus[0])[:5]).title()
    return LyricSheet(title[:80], lyrics, schemes(lyrics))


def _marker(line: str) -> str | None:
    m = _HEADER.match(line)
    if not m:
        return None
    kind = _KINDS[m.group(1).lower()]
    return f"{kind} {m.group(2)}" if m.group(2) else kind


def _check(sections: list[tuple[str, list[str]]]) -> None:
    names = [name for name, _ in sections]
    if not any(n.startswith("Verse") for n in names) or not any(n.startswith("Chorus") for n in names):
        raise LyricsRejected(f"no verse and chorus markers (sections: {names})")
    lines = [line for _, ls in sections for line in ls]
    if not MIN_LINES <= len(lines) <= MAX_LINES:
        raise LyricsRejected(f"{len(lines)} sung lines; {MIN_LINES} to {MAX_LINES} are needed")
    words = [w for line in lines for w in line_words(line)]
    known = sum(phonetics.known(w) for w in words)
    if not words or known / len(words) < MIN_KNOWN_WORDS:
        raise LyricsRejected(f"only {known} of {len(words)} words are English words we can sing")


def schemes(lyrics: str) -> dict[str, str]:
    """Each section's rhyme scheme, read off its line endings (see phonetics.rhymes)."""
    out: dict[str, str] = {}
    for name, lines in parse_sections(lyrics):
        if name in out:
            continue
        ends = [(line_words(line) or [""])[-1] for line in lines]
        letters: list[str] = []
        for i, end in enumerate(ends):
            match = next((letters[j] for j in range(i) if phonetics.rhymes(ends[j], end)), None)
            letters.append(match or chr(ord("A") + len(set(letters))))
        counts = {c: letters.count(c) for c in letters}
        scheme = "".join(c if counts[c] > 1 else "X" for c in letters)
        out[name] = relabel_scheme(scheme)
    return out

