"""Cover art: deterministic generated covers, and safe normalisation of user images."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from openproducer.audio import artwork
from openproducer.audio.artwork import ArtworkError, draw_cover, mood_of, normalise_cover


def _image(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    assert img.format == "PNG"
    return img.convert("RGB")


def test_deterministic_and_seeded() -> None:
    a = draw_cover("Night Drive", "calm ambient piano", 7)
    assert a == draw_cover("Night Drive", "calm ambient piano", 7)
    assert a != draw_cover("Night Drive", "calm ambient piano", 8)
    assert a != draw_cover("Night Drive", "energetic rock", 7)
    assert _image(a).size == (768, 768)
    assert _image(draw_cover("x", "y", 1, size=256)).size == (256, 256)


def test_palette_follows_the_mood() -> None:
    assert mood_of("An ENERGETIC rock anthem") == "warm"
    assert mood_of("calm, ambient soundscape") == "cool"
    assert mood_of("a song") == ""
    warm_minus_blue, cool_minus_blue = [], []
    for seed in range(6):
        for prompt, out in (("energetic rock", warm_minus_blue), ("calm ambient", cool_minus_blue)):
            px = np.asarray(_image(draw_cover("", prompt, seed)), dtype=float)[:500]  # above the title band
            out.append(px[..., 0].mean() - px[..., 2].mean())
    assert min(warm_minus_blue) > 20  # red dominates
    assert max(cool_minus_blue) < -10  # blue dominates


def test_title_is_drawn_in_white_over_a_dark_band() -> None:
    with_title = np.asarray(_image(draw_cover("Midnight Drive Through The City", "synthwave", 3)), dtype=int)
    without = np.asarray(_image(draw_cover("", "synthwave", 3)), dtype=int)
    band = (slice(500, 768), slice(0, 768))
    white = (with_title[band] > 235).all(axis=2).sum()
    assert white > 2000 and (without[band] > 235).all(axis=2).sum() < white / 10
    # A title far too long for one line is wrapped or shrunk, never drawn past the edges.
    long = np.asarray(_image(draw_cover("W" * 60, "pop", 1)), dtype=int)
    assert not (long[:, :8] > 235).all(axis=2).any() and not (long[:, -8:] > 235).all(axis=2).any()


def test_default_font_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(artwork, "FONT_PATHS", ("/nonexistent/font.ttf",))
    artwork._font.cache_clear()
    try:
        assert _image(draw_cover("Fallback", "rock", 1)).size == (768, 768)
    finally:
        artwork._font.cache_clear()


def _encode(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF", "BMP"])
def test_normalise_centre_crops_to_a_square_png(fmt: str) -> None:
    img = Image.new("RGB", (1200, 600), (255, 0, 0))
    img.paste((0, 0, 255), (300, 0, 900, 600))  # the centre square is blue, the sides red
    out = _image(normalise_cover(_encode(img, fmt), size=512))
    assert out.size == (512, 512)
    px = np.asarray(out, dtype=int)
    assert px[:, :, 2].mean() > 200 and px[:, :, 0].mean() < 40


def test_normalise_flattens_transparency() -> None:
    rgba = Image.new("RGBA", (100, 100), (255, 255, 255, 0))
    out = _image(normalise_cover(_encode(rgba, "PNG"), size=64))
    assert out.mode == "RGB" and np.asarray(out).max() < 40  # transparent -> dark backdrop


def _png_with_size(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (valid CRC), with a tiny body."""
    data = _encode(Image.new("RGB", (1, 1)), "PNG")
    ihdr = b"IHDR" + struct.pack(">II", width, height) + data[24:29]
    return data[:8] + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + data[33:]


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"", "empty"),
        (b"hello world", "not a supported image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not a supported image"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", "not a supported image"),
        (_png_with_size(20000, 20000), "too large"),
        (_encode(Image.new("RGB", (64, 64)), "PNG")[:60], "not a supported image"),
        (_encode(Image.new("RGB", (64, 64)), "TIFF"), "not a supported image"),
    ],
)
def test_normalise_refuses_bad_input(data: bytes, rule: str) -> None:
    with pytest.raises(ArtworkError, match=rule):
        normalise_cover(data)
