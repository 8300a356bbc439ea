"""A process that speaks with libespeak-ng, each utterance from the same fresh state.

Run as a script (``python espeak_fork.py VOICE``; standard library only, so it starts in tens of
milliseconds). It loads espeak-ng and the voice once, speaks a short pause so that what is loaded
on first use is loaded (a spoken word there would change how the next utterance sounds; a pause
leaves it as the ``espeak-ng`` command would speak it), and then, for each line read from stdin, forks: the child speaks
the line (espeak-ng phoneme input ``[[...]]`` allowed, 150 words a minute, as the command line
does) and writes ``<byte count>\\n`` and 16-bit mono samples at 22.05 kHz to stdout; the parent
waits for it. espeak-ng keeps state from one utterance to the next, so every utterance is spoken
by a copy of the same untouched process: the same text always gives the same samples, whatever
was spoken before. A fork costs a fraction of a millisecond; starting espeak-ng costs about 14 ms.
A failed utterance answers ``-1``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

_SYNCHRONOUS = 2  # AUDIO_OUTPUT_SYNCHRONOUS
_RATE = 1  # espeakRATE
_PHONEMES = 0x100  # espeakPHONEMES: text within [[ ]] is espeak-ng phoneme codes
_ENDPAUSE = 0x1000  # espeakENDPAUSE
_POS_CHARACTER = 1
_WARM_UP = b"[[_]]"  # a short pause: loads what the first utterance loads, leaves the voice as the command has it


def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
    lib = ctypes.CDLL(name)
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                 ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    return lib


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


def _speak(lib: ctypes.CDLL, text: bytes) -> bytes:
    chunks: list[bytes] = []

    def collect(wav, count, _events):  # type: ignore[no-untyped-def]
        if wav and count > 0:
            chunks.append(ctypes.string_at(wav, count * 2))
        return 0

    callback = _CALLBACK(collect)
    lib.espeak_SetSynthCallback(callback)
    error = lib.espeak_Synth(text, len(text) + 1, 0, _POS_CHARACTER, 0, _PHONEMES | _ENDPAUSE, None, None)
    if error != 0:
        raise RuntimeError(f"espeak_Synth returned {error}")
    lib.espeak_Synchronize()
    return b"".join(chunks)


def main() -> int:
    voice = sys.argv[1].encode()
    lib = _library()
    if lib.espeak_Initialize(_SYNCHRONOUS, 0, None, 0) <= 0:
        return 2
    if lib.espeak_SetVoiceByName(voice) != 0:
        return 3
    lib.espeak_SetParameter(_RATE, 150, 0)
    _speak(lib, _WARM_UP)
    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    for line in sys.stdin.buffer:
        text = line.rstrip(b"\n")
        pid = os.fork()
        if pid == 0:
            try:
                samples = _speak(lib, text)
                out.write(b"%d\n" % len(samples) + samples)
                out.flush()
                code = 0
            except BaseException:  # the parent answers -1 for it
                code = 1
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            out.write(b"-1\n")
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
