"""Draws a round red seal image (PNG) for the DEMO PKI.

A real office supplies the image of its registered seal; the demo draws one so that the visible
appearance looks like a Chinese e-seal: a ring, the organisation's name on an arc, a star.
"""

import io
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

_RED = (200, 16, 24, 255)


def draw_seal(name: str, *, font_path: Path, size: int = 600, centre_text: str = "演示") -> bytes:
    """Return a transparent PNG of a round seal with `name` around its upper arc.

    Raises OSError if the font cannot be read.
    """
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c = size / 2
    ring = size * 0.035
    draw.ellipse((ring / 2, ring / 2, size - ring / 2, size - ring / 2), outline=_RED, width=int(ring))
    _star(draw, c, c, size * 0.16)

    chars = list(name)
    radius = size * 0.36
    glyph = int(min(size * 0.12, (math.pi * 1.25 * radius) / max(len(chars), 1)))
    font = ImageFont.truetype(str(font_path), glyph)
    sweep = math.radians(min(250.0, 12.0 * len(chars) + 40))
    for i, ch in enumerate(chars):
        frac = 0.5 if len(chars) == 1 else i / (len(chars) - 1)
        angle = -math.pi / 2 - sweep / 2 + sweep * frac  # clockwise along the top
        tile = Image.new("RGBA", (glyph * 2, glyph * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((glyph, glyph), ch, font=font, fill=_RED, anchor="mm")
        tile = tile.rotate(-math.degrees(angle + math.pi / 2), resample=Image.Resampling.BICUBIC)
        x = c + radius * math.cos(angle) - glyph
        y = c + radius * math.sin(angle) - glyph
        img.alpha_composite(tile, (int(x), int(y)))

    small = ImageFont.truetype(str(font_path), int(size * 0.09))
    draw.text((c, c + size * 0.27), centre_text, font=small, fill=_RED, anchor="mm")
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    points = []
    for k in range(10):
        rad = r if k % 2 == 0 else r * 0.38
        a = -math.pi / 2 + k * math.pi / 5
        points.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    draw.polygon(points, fill=_RED)
