"""Cover art: generated covers for new clips and normalised user-supplied images."""

from __future__ import annotations

import colorsys
import functools
import hashlib
import io
import random
import re
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps, UnidentifiedImageError

__all__ = ["ArtworkError", "draw_cover", "mood_of", "normalise_cover"]

FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
)
# Untrusted images larger than this are refused before their pixels are decoded.
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")

# mood -> (words that suggest it, hue range in degrees, saturation, value)
_MOODS: dict[str, tuple[frozenset[str], tuple[int, int], float, float]] = {
    "warm": (
        frozenset(
            "energetic rock punk metal upbeat dance party hype fire fiery summer funk disco latin "
            "reggaeton power aggressive epic happy anthem loud fast grunge salsa".split()
        ),
        (-20, 50),
        0.85,
        0.95,
    ),
    "cool": (
        frozenset(
            "calm ambient chill relax relaxing sad lofi lo-fi ocean rain night piano dream dreamy sleep "
            "meditation winter melancholic mellow soft slow peaceful jazz ballad acoustic-ballad".split()
        ),
        (180, 260),
        0.55,
        0.8,
    ),
    "neon": (
        frozenset(
            "edm electronic synth synthwave techno house trance cyberpunk retro 80s electro "
            "dubstep vaporwave club futuristic".split()
        ),
        (280, 330),
        0.9,
        1.0,
    ),
    "nature": (
        frozenset("folk acoustic country forest indie bluegrass nature earthy celtic reggae".split()),
        (60, 150),
        0.55,
        0.75,
    ),
    "dark": (
        frozenset("dark gothic horror doom industrial trap drill sinister evil noir heavy".split()),
        (240, 300),
        0.6,
        0.35,
    ),
    "pop": (
        frozenset("pop kpop k-pop bubblegum cute love sweet romantic girl boy teen".split()),
        (300, 360),
        0.6,
        0.98,
    ),
}


class ArtworkError(Exception):
    """A supplied image cannot be used as a cover; ``message`` is safe to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def mood_of(prompt: str, rng: random.Random | None = None) -> str:
    """The mood whose keywords the prompt mentions most ("" when none does)."""
    words = re.findall(r"[a-z0-9][a-z0-9'-]*", prompt.lower())
    scores = {m: sum(w in spec[0] for w in words) for m, spec in _MOODS.items()}
    best = max(scores.values())
    if best == 0:
        return ""
    tied = sorted(m for m, s in scores.items() if s == best)
    return tied[0] if rng is None else rng.choice(tied)


def _rgb(h: float, s: float, v: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb((h % 360) / 360.0, min(max(s, 0.0), 1.0), min(max(v, 0.0), 1.0))
    return int(r * 255), int(g * 255), int(b * 255)


def _palette(mood: str, rng: random.Random) -> list[tuple[int, int, int]]:
    if mood:
        _, (lo, hi), sat, val = _MOODS[mood]
    else:
        lo = rng.randrange(360)
        hi, sat, val = lo + 90, rng.uniform(0.5, 0.9), rng.uniform(0.6, 0.95)
    base = rng.uniform(lo, hi)
    spread = (hi - lo) / 2
    cols = [_rgb(base, sat, val * 0.35), _rgb(base + spread * 0.3, sat, val * 0.7)]
    for _ in range(4):
        cols.append(
            _rgb(base + rng.uniform(-spread, spread), sat * rng.uniform(0.7, 1.05), val * rng.uniform(0.7, 1))
        )
    return cols


def _gradient(size: int, top: tuple[int, int, int], bottom: tuple[int, int, int], tilt: float) -> Image.Image:
    # Blend position 0..255 per pixel, then one lookup table per channel: no float RGB arrays.
    ramp = np.linspace(0.0, 1.0, size, dtype=np.float32)
    across = ramp if tilt > 0 else ramp[::-1]
    t = np.clip(ramp[:, None] * (1 - abs(tilt)) + across[None, :] * abs(tilt), 0, 1)
    pos = Image.fromarray((t * 255).astype(np.uint8), "L")
    k = np.arange(256) / 255.0
    bands = [pos.point([int(a + (b - a) * x) for x in k]) for a, b in zip(top, bottom, strict=True)]
    return Image.merge("RGB", bands)


def _shapes(img: Image.Image, mood: str, cols: list[tuple[int, int, int]], rng: random.Random) -> Image.Image:
    size = img.width
    small = size // 4
    # Soft shapes are drawn small, blurred and scaled up: blurring full size costs ~10x more.
    soft = Image.new("RGBA", (small, small), (0, 0, 0, 0))
    sd = ImageDraw.Draw(soft)

    def col(alpha: int) -> tuple[int, int, int, int]:
        return (*rng.choice(cols[2:]), alpha)

    for _ in range(rng.randint(3, 6)):
        r = rng.uniform(0.15, 0.45) * small
        cx, cy = rng.uniform(0, small), rng.uniform(0, small * 0.8)
        sd.ellipse((cx - r, cy - r, cx + r, cy + r), fill=col(rng.randint(90, 170)))
    soft = soft.filter(ImageFilter.GaussianBlur(small / 25)).resize((size, size), Image.BILINEAR)
    img.paste(soft, (0, 0), soft)

    d = ImageDraw.Draw(img, "RGBA")  # blends translucent fills straight onto the RGB picture

    if mood in ("warm", "dark"):
        for _ in range(rng.randint(5, 10) if mood == "warm" else rng.randint(2, 4)):
            pts = [(rng.uniform(-0.1, 1.1) * size, rng.uniform(-0.1, 0.9) * size) for _ in range(3)]
            d.polygon(pts, fill=col(rng.randint(60, 150)))
        for _ in range(rng.randint(3, 8)):
            y0 = rng.uniform(0, size)
            d.line((0, y0, size, y0 + rng.uniform(-size, size)), fill=col(120), width=rng.randint(2, 6))
    elif mood == "neon":
        cx, cy, r = size / 2, size * rng.uniform(0.3, 0.45), size * rng.uniform(0.18, 0.3)
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*cols[-1], 230))
        horizon = cy + r * 0.6
        for i in range(1, 12):
            y = horizon + (size - horizon) * (i / 11) ** 1.8
            d.line((0, y, size, y), fill=(*cols[2], 170), width=2)
        for i in range(-8, 9):
            d.line((cx + i * size / 16, horizon, cx + i * size / 3, size), fill=(*cols[3], 150), width=2)
    elif mood in ("cool", "nature", ""):
        for k in range(rng.randint(3, 6)):
            amp, freq, phase = rng.uniform(0.02, 0.07), rng.uniform(1, 3), rng.uniform(0, 6.3)
            base = size * (0.45 + 0.1 * k)
            xs = np.linspace(0, size, 64)
            ys = base + amp * size * np.sin(xs / size * freq * 2 * np.pi + phase)
            pts = [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]
            d.polygon([*pts, (size, size), (0, size)], fill=col(rng.randint(50, 110)))
    else:  # pop: confetti
        for _ in range(rng.randint(30, 60)):
            r = rng.uniform(0.006, 0.03) * size
            cx, cy = rng.uniform(0, size), rng.uniform(0, size)
            d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=col(rng.randint(150, 230)))
    return img


@functools.lru_cache(maxsize=64)
def _font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, px)
    return ImageFont.load_default(size=px)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
          width: float) -> list[str]:  # fmt: skip
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _draw_title(img: Image.Image, title: str) -> Image.Image:
    size = img.width
    title = " ".join(title.split())[:80]
    if not title:
        return img
    draw = ImageDraw.Draw(img)
    max_w = size * 0.86
    px = size // 9
    while True:
        font = _font(px)
        lines = _wrap(draw, title, font, max_w)
        widest = max(draw.textlength(line, font=font) for line in lines)
        if (len(lines) <= 3 and widest <= max_w) or px <= size // 40:
            break
        px = int(px * 0.88)
    if widest > max_w:  # one unbreakable word still too wide: cut it
        lines = [line if draw.textlength(line, font=font) <= max_w else line[: max(1, len(line) // 2)] + "…"
                 for line in lines[:3]]  # fmt: skip
    line_h = int(px * 1.2)
    block_h = line_h * len(lines)
    top = int(size * 0.93) - block_h
    draw = ImageDraw.Draw(img, "RGBA")
    draw.rectangle((0, top - px * 0.5, size, top + block_h + px * 0.4), fill=(0, 0, 0, 120))
    for i, line in enumerate(lines):
        w = draw.textlength(line, font=font)
        draw.text(((size - w) / 2, top + i * line_h), line, font=font, fill=(255, 255, 255),
                  stroke_width=max(1, px // 18), stroke_fill=(0, 0, 0))  # fmt: skip
    return img


def draw_cover(title: str, prompt: str, seed: int, size: int = 768) -> bytes:
    """Deterministic generated cover (PNG): palette and shapes follow the seed and the prompt's mood."""
    digest = hashlib.sha256(f"{seed}\x00{prompt.strip().lower()}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    mood = mood_of(prompt, rng)
    cols = _palette(mood, rng)
    img = _gradient(size, cols[0], cols[1], rng.uniform(-0.6, 0.6))
    img = _shapes(img, mood, cols, rng)
    img = _draw_title(img, title)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def normalise_cover(data: bytes, size: int = 768) -> bytes:
    """Validate untrusted image bytes and return a ``size``-square PNG (centre-cropped).

    Only common raster formats are opened (no EPS/PDF plugins that shell out), the
    pixel count is checked from the header before decoding, and ``verify()`` runs
    before the real decode. Raises :class:`ArtworkError`.
    """
    if not data:
        raise ArtworkError("the cover image is empty")
    bad = ArtworkError("the cover is not a supported image (PNG, JPEG, WebP, GIF or BMP)")
    try:
        # MAX_PIXELS is below Pillow's own bomb threshold, so this check fires first.
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
            w, h = probe.size
            if w * h > MAX_PIXELS:
                raise ArtworkError(f"the cover image is too large ({w}x{h} pixels)")
            probe.verify()
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as im:
            if im.format == "JPEG":
                im.draft("RGB", (size, size))  # decode at reduced scale when much larger
            im.seek(0)
            im.load()
            img = ImageOps.exif_transpose(im)
            if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
                rgba = img.convert("RGBA")
                img = Image.new("RGB", rgba.size, (17, 17, 17))
                img.paste(rgba, mask=rgba.getchannel("A"))
            else:
                img = img.convert("RGB")
            img = ImageOps.fit(img, (size, size), Image.LANCZOS, centering=(0.5, 0.5))
    except ArtworkError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ArtworkError("the cover image is too large") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as exc:
        raise bad from exc
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=3)
    return buf.getvalue()
