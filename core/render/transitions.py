"""Pictures for transitions and title cards (BGR uint8 arrays): a title card's text centred on
black, and the last picture of a shot (where a dissolve starts). The fades, dissolves and title
fades themselves are MoviePy effects in ``core.render.composition``; everything happens inside a
segment's own frames, so segments still concatenate by stream copy.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont


_FONTS = ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
          "DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _font(size: int) -> ImageFont.ImageFont:
    for name in _FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)  # Pillow ≥ 10.1 scales its built-in font


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, max_w: float) -> list[str]:
    lines, cur = [], ""
    for word in text.split():
        trial = f"{cur} {word}".strip()
        if not cur or draw.textlength(trial, font=font) <= max_w:
            cur = trial
        else:
            lines.append(cur)
            cur = word
    return lines + ([cur] if cur else [])


@lru_cache(maxsize=16)
def title_picture(text: str, width: int, height: int) -> np.ndarray:
    """Return the card: ``text`` centred (wrapped, letter-spaced capitals read as a title) in
    white on black, as a width×height BGR array. Empty text gives plain black."""
    img = Image.new("RGB", (width, height), (0, 0, 0))
    text = " ".join(text.split())
    if text:
        draw = ImageDraw.Draw(img)
        size = max(12, int(min(height * 0.075, width * 0.06)))
        font = _font(size)
        lines = _wrap(draw, text, font, width * 0.8)
        while len(lines) > 4 and size > 12:
            size = int(size * 0.85)
            font = _font(size)
            lines = _wrap(draw, text, font, width * 0.8)
        step = int(size * 1.35)
        y = (height - step * len(lines)) / 2 + (step - size) / 2
        for line in lines:
            tw = draw.textlength(line, font=font)
            draw.text(((width - tw) / 2, y), line, font=font, fill=(240, 238, 228))
            y += step
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


def last_picture(frames: Iterable[np.ndarray]) -> np.ndarray | None:
    """Return the last frame of an iterable of frames (None when it is empty)."""
    last = None
    for last in frames:
        pass
    return None if last is None else np.array(last)
