"""Picture transitions and title cards, drawn into a segment's frames (BGR uint8 arrays).

Fades multiply the picture toward black; a dissolve blends the previous shot's last picture into
the shot's first frames; a title card is centred white text on black that fades in and out.
Everything happens inside a segment's own frames, so segments still concatenate by stream copy.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Iterator

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.timeline.edits import TitleCard
from core.timeline.model import VideoItem

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


def title_frames(card: TitleCard, *, nframes: int, fps: int, width: int, height: int) -> Iterator[np.ndarray]:
    """Yield the card's frames: text fading in over ``fade_s``, held, fading out."""
    picture = title_picture(card.text, width, height)
    k = max(0, int(round(card.fade_s * fps)))
    for i in range(nframes):
        a = min(1.0, (i + 1) / k, (nframes - i) / k) if k else 1.0
        yield picture if a >= 1.0 else _scale(picture, a)


def _scale(frame: np.ndarray, a: float) -> np.ndarray:
    return cv2.convertScaleAbs(frame, alpha=max(0.0, min(1.0, a)))


def apply_transitions(frames: Iterable[np.ndarray], item: VideoItem, *, nframes: int, fps: int,
                      before: np.ndarray | None = None) -> Iterator[np.ndarray]:
    """Yield the shot's frames with its transitions drawn in.

    fade in: the first ``transition_in_s`` rise from black; dissolve: they blend from ``before``
    (the previous shot's last picture; from black when there is none); fade out: the last
    ``transition_out_s`` sink to black. Frames outside the transitions pass through untouched.
    """
    k_in = int(round(item.transition_in_s * fps)) if item.transition_in in ("fade", "dissolve") else 0
    k_out = int(round(item.transition_out_s * fps)) if item.transition_out == "fade" else 0
    for i, frame in enumerate(frames):
        if i < k_in:
            a = i / k_in
            if item.transition_in == "dissolve" and before is not None and before.shape == frame.shape:
                frame = cv2.addWeighted(before, 1.0 - a, frame, a, 0.0)
            else:
                frame = _scale(frame, a)
        if k_out and i >= nframes - k_out:
            frame = _scale(frame, (nframes - 1 - i) / k_out)
        yield frame


def last_picture(frames: Iterable[np.ndarray]) -> np.ndarray | None:
    """Return the last frame of an iterable of frames (None when it is empty)."""
    last = None
    for last in frames:
        pass
    return None if last is None else np.array(last)
