"""A small drawing surface for storyboard frames: PIL drawing on a supersampled canvas, in units
of the frame height (so layouts keep their proportions at any aspect ratio), with a colour grade
for the time of day applied to every non-emissive colour.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.errors import InvalidInput
from core.providers.local.styles import RGB


@dataclass(frozen=True)
class Palette:
    """Sky and light of one time of day. ``light`` multiplies surface colours; ``night`` turns on
    lit windows and lamps."""

    name: str
    sky_top: RGB
    sky_bottom: RGB
    light: tuple[float, float, float]
    interior_light: tuple[float, float, float]
    night: bool = False
    sun: RGB | None = None


PALETTES = {
    "day": Palette("day", (86, 146, 222), (196, 224, 246), (1.0, 1.0, 1.0), (1.0, 0.99, 0.96), sun=(255, 248, 220)),
    "dawn": Palette("dawn", (104, 104, 170), (252, 186, 146), (0.95, 0.85, 0.84), (0.98, 0.9, 0.86),
                    sun=(255, 214, 170)),
    "dusk": Palette("dusk", (52, 44, 104), (248, 142, 80), (0.92, 0.72, 0.62), (0.96, 0.84, 0.7),
                    sun=(255, 170, 90)),
    "night": Palette("night", (8, 12, 34), (34, 44, 86), (0.42, 0.48, 0.68), (0.88, 0.78, 0.62), night=True),
}
_TIME_WORDS = {"dawn": "dawn", "sunrise": "dawn", "morning": "day", "day": "day", "noon": "day",
               "afternoon": "day", "continuous": "day", "later": "day", "dusk": "dusk", "sunset": "dusk",
               "evening": "dusk", "twilight": "dusk", "night": "night", "midnight": "night"}


def palette_for(time_of_day: str) -> Palette:
    """Return the Palette whose keyword appears in ``time_of_day`` (day when none does)."""
    text = (time_of_day or "").lower()
    for word, key in _TIME_WORDS.items():
        if word in text:
            return PALETTES[key]
    return PALETTES["day"]


class Canvas:
    """Drawing in frame-height units: x = 0 is the frame centre, y = 0 top, y = 1 bottom."""

    def __init__(self, width: int, height: int, *, palette: Palette, interior: bool, seed: int):
        self.W, self.H = width, height
        self.im = Image.new("RGB", (width, height), (0, 0, 0))
        self.d = ImageDraw.Draw(self.im)
        self.palette = palette
        self.interior = interior
        self.light = palette.interior_light if interior else palette.light
        self.rng = random.Random(seed)
        self.half_w = width / height / 2  # visible x range is [-half_w, +half_w]
        # Figure layers in narrow frames are drawn smaller around pivot_y so they still fit.
        self.z = 1.0
        self.pivot_y = 0.5
        self.mouths: list[tuple[float, float, float, str]] = []  # (x, y, width) canvas pixels + name, for lip sync
        self.label = ""  # the place's name, for sets that show it

    def fit(self, needed_half_w: float, pivot_y: float) -> None:
        """Scale further drawing so a layout needing ±needed_half_w fits the frame width."""
        self.z = min(1.0, self.half_w / needed_half_w) if needed_half_w > 0 else 1.0
        self.pivot_y = pivot_y
        self.half_w = self.W / self.H / 2 / self.z

    # --- coordinates and colour -------------------------------------------------------------
    def X(self, x: float) -> float:
        return self.W / 2 + x * self.H * self.z

    def Y(self, y: float) -> float:
        return (self.pivot_y + (y - self.pivot_y) * self.z) * self.H

    def S(self, s: float) -> float:
        return s * self.H * self.z

    def g(self, rgb: RGB, k: float = 1.0) -> RGB:
        """Grade a surface colour by the light of the time of day (k darkens further)."""
        return tuple(max(0, min(255, int(c * l * k))) for c, l in zip(rgb, self.light))  # type: ignore

    # --- primitives (colours are graded unless emissive=True) ---------------------------------
    def rect(self, x0, y0, x1, y1, col, *, emissive=False, k=1.0, outline=None, radius=0.0):
        box = [self.X(min(x0, x1)), self.Y(min(y0, y1)), self.X(max(x0, x1)), self.Y(max(y0, y1))]
        fill = col if emissive else self.g(col, k)
        if radius:
            self.d.rounded_rectangle(box, radius=self.S(radius), fill=fill,
                                     outline=self.g(outline) if outline else None)
        else:
            self.d.rectangle(box, fill=fill, outline=self.g(outline) if outline else None)

    def poly(self, pts, col, *, emissive=False, k=1.0):
        self.d.polygon([(self.X(x), self.Y(y)) for x, y in pts], fill=col if emissive else self.g(col, k))

    def ellipse(self, cx, cy, rx, ry, col, *, emissive=False, k=1.0):
        self.d.ellipse([self.X(cx - rx), self.Y(cy - ry), self.X(cx + rx), self.Y(cy + ry)],
                       fill=col if emissive else self.g(col, k))

    def line(self, pts, col, width, *, emissive=False, k=1.0):
        self.d.line([(self.X(x), self.Y(y)) for x, y in pts], fill=col if emissive else self.g(col, k),
                    width=max(1, int(self.S(width))), joint="curve")

    def arc(self, cx, cy, rx, ry, start, end, col, width, *, k=1.0):
        self.d.arc([self.X(cx - rx), self.Y(cy - ry), self.X(cx + rx), self.Y(cy + ry)], start, end,
                   fill=self.g(col, k), width=max(1, int(self.S(width))))

    def text(self, text: str, cx: float, cy: float, size: float, col, *, emissive=True) -> None:
        """Draw ``text`` centred at (cx, cy), ``size`` high (DejaVu Sans Bold where installed)."""
        px = max(8, int(self.S(size)))
        font = None
        for name in ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
            try:
                font = ImageFont.truetype(name, px)
                break
            except OSError:
                continue
        font = font or ImageFont.load_default(size=px)
        w = self.d.textlength(text, font=font)
        self.d.text((self.X(cx) - w / 2, self.Y(cy) - px * 0.6), text, font=font,
                    fill=col if emissive else self.g(col))

    def vgradient(self, y0: float, y1: float, top: RGB, bottom: RGB, *, emissive=True) -> None:
        """Fill the full-width band y0..y1 with a vertical gradient."""
        a, b = max(0, int(self.Y(y0))), min(self.H, int(self.Y(y1)))
        if b <= a:
            return
        if not emissive:
            top, bottom = self.g(top), self.g(bottom)
        t = np.linspace(0.0, 1.0, b - a)[:, None]
        band = (np.array(top)[None, :] * (1 - t) + np.array(bottom)[None, :] * t).astype(np.uint8)
        strip = np.broadcast_to(band[:, None, :], (b - a, self.W, 3))
        self.im.paste(Image.fromarray(np.ascontiguousarray(strip)), (0, a))
        self.d = ImageDraw.Draw(self.im)

    def glow(self, cx, cy, r, col, strength=0.6):
        """Add a soft additive light (lamps, sun, lit windows at night)."""
        x0, x1 = int(max(0, self.X(cx - r))), int(min(self.W, self.X(cx + r)))
        y0, y1 = int(max(0, self.Y(cy - r))), int(min(self.H, self.Y(cy + r)))
        if x1 <= x0 or y1 <= y0:
            return
        # Work on the lit square only: a full-frame float copy per lamp would cost ~10 ms each.
        arr = np.asarray(self.im.crop((x0, y0, x1, y1))).astype(np.float32)
        yy, xx = np.mgrid[y0:y1, x0:x1]
        dist = np.hypot(xx - self.X(cx), yy - self.Y(cy)) / max(1.0, self.S(r))
        fall = np.clip(1 - dist, 0, 1) ** 2 * strength
        arr += fall[..., None] * np.array(col, dtype=np.float32)[None, None, :]
        self.im.paste(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), (x0, y0))


def frame_marks(*, path, key: str, count: int, width: int, height: int):
    """Read ``count`` numbers a keyframe wrote into its PNG text chunk ``key`` (in the keyframe's
    pixels) and return (values, scale, x offset, y offset) mapping them into a ``width``×``height``
    frame filled edge to edge (centre crop); None when the file has no such mark."""
    try:
        with Image.open(path) as im:
            vals = [float(v) for v in str(im.info.get(key, "")).split(",") if v.strip()]
            src_w, src_h = im.size
    except (OSError, ValueError):
        return None
    if len(vals) != count:
        return None
    s = max(width / src_w, height / src_h)
    return vals, s, (src_w * s - width) / 2, (src_h * s - height) / 2


def load_cover(path: Path, width: int, height: int, field: str) -> np.ndarray:
    """Load an image and scale it to cover width×height (cropping the overflow centrally)."""
    try:
        with Image.open(path) as im:
            rgb = np.asarray(im.convert("RGB"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{field}: not a readable image: {Path(path).name}", field=field) from exc
    h, w = rgb.shape[:2]
    s = max(width / w, height / h)
    nw, nh = max(width, round(w * s)), max(height, round(h * s))
    out = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)
    x0, y0 = (nw - width) // 2, (nh - height) // 2
    return np.ascontiguousarray(out[y0:y0 + height, x0:x0 + width])
