"""What a shot without characters shows: its subject on a labelled card (the cat, the phone, the
lanterns), and anonymous extras for a crowd. A card is a simple drawing plus the word, so the
animatic says what the script means even where the drawing is plain."""
from __future__ import annotations

from core.providers.local.canvas import Canvas

INK = (34, 30, 36)


def _cat(c, x, y, s, col=(70, 60, 56)):
    c.ellipse(x, y + 0.05 * s, 0.2 * s, 0.13 * s, col)                       # body
    c.ellipse(x + 0.17 * s, y - 0.08 * s, 0.09 * s, 0.085 * s, col)           # head
    for dx in (0.11, 0.22):                                                   # ears
        c.poly([(x + dx * s - 0.03 * s, y - 0.13 * s), (x + dx * s + 0.03 * s, y - 0.14 * s),
                (x + dx * s, y - 0.21 * s)], col)
    c.line([(x - 0.19 * s, y + 0.05 * s), (x - 0.3 * s, y - 0.08 * s), (x - 0.27 * s, y - 0.18 * s)], col, 0.03 * s)
    for dx in (-0.12, -0.04, 0.06, 0.13):
        c.rect(x + dx * s - 0.02 * s, y + 0.12 * s, x + dx * s + 0.02 * s, y + 0.22 * s, col)
    for dx in (0.14, 0.2):
        c.ellipse(x + dx * s, y - 0.09 * s, 0.014 * s, 0.02 * s, (200, 220, 80), emissive=True)


def _dog(c, x, y, s, col=(150, 110, 70)):
    c.ellipse(x, y + 0.04 * s, 0.24 * s, 0.12 * s, col)
    c.ellipse(x + 0.22 * s, y - 0.08 * s, 0.1 * s, 0.09 * s, col)
    c.ellipse(x + 0.31 * s, y - 0.05 * s, 0.06 * s, 0.04 * s, col)
    c.ellipse(x + 0.36 * s, y - 0.06 * s, 0.015 * s, 0.015 * s, INK)
    c.ellipse(x + 0.17 * s, y - 0.06 * s, 0.04 * s, 0.08 * s, (100, 70, 44))   # ear
    for dx in (-0.16, -0.06, 0.08, 0.16):
        c.rect(x + dx * s - 0.025 * s, y + 0.1 * s, x + dx * s + 0.025 * s, y + 0.24 * s, col)
    c.line([(x - 0.23 * s, y), (x - 0.32 * s, y - 0.1 * s)], col, 0.03 * s)


def _bird(c, x, y, s, col=(90, 100, 120)):
    c.ellipse(x, y, 0.14 * s, 0.08 * s, col)
    c.ellipse(x + 0.13 * s, y - 0.06 * s, 0.06 * s, 0.055 * s, col)
    c.poly([(x + 0.18 * s, y - 0.07 * s), (x + 0.25 * s, y - 0.05 * s), (x + 0.18 * s, y - 0.04 * s)], (230, 170, 50))
    c.poly([(x - 0.05 * s, y - 0.02 * s), (x + 0.06 * s, y - 0.03 * s), (x - 0.12 * s, y - 0.2 * s)], col, k=0.8)
    c.poly([(x - 0.13 * s, y), (x - 0.26 * s, y - 0.04 * s), (x - 0.25 * s, y + 0.04 * s)], col)


def _fish(c, x, y, s, col=(120, 150, 170)):
    c.ellipse(x, y, 0.2 * s, 0.08 * s, col)
    c.poly([(x - 0.18 * s, y), (x - 0.3 * s, y - 0.08 * s), (x - 0.3 * s, y + 0.08 * s)], col)
    c.ellipse(x + 0.12 * s, y - 0.02 * s, 0.015 * s, 0.015 * s, INK)


def _horse(c, x, y, s, col=(120, 80, 50)):
    c.ellipse(x, y, 0.24 * s, 0.1 * s, col)
    c.poly([(x + 0.16 * s, y - 0.04 * s), (x + 0.24 * s, y - 0.24 * s), (x + 0.3 * s, y - 0.2 * s),
            (x + 0.22 * s, y + 0.02 * s)], col)
    c.ellipse(x + 0.3 * s, y - 0.2 * s, 0.07 * s, 0.04 * s, col)
    for dx in (-0.18, -0.1, 0.1, 0.18):
        c.rect(x + dx * s - 0.02 * s, y + 0.06 * s, x + dx * s + 0.02 * s, y + 0.28 * s, col)


def _lantern(c, x, y, s, col=(230, 70, 50)):
    for i, dx in enumerate((-0.18, 0.0, 0.18) if s > 0 else (0.0,)):
        yy = y + (0.03 if i == 1 else 0.0) * s
        if c.palette.night:
            c.glow(x + dx * s, yy, 0.18 * s, (255, 150, 80), 0.5)
        c.line([(x + dx * s, yy - 0.2 * s), (x + dx * s, yy - 0.11 * s)], INK, 0.006 * s)
        c.ellipse(x + dx * s, yy, 0.07 * s, 0.1 * s, col, emissive=c.palette.night)
        c.rect(x + dx * s - 0.04 * s, yy - 0.11 * s, x + dx * s + 0.04 * s, yy - 0.09 * s, INK)


def _phone(c, x, y, s):
    c.rect(x - 0.09 * s, y - 0.17 * s, x + 0.09 * s, y + 0.17 * s, (26, 26, 30), radius=0.02 * s)
    c.rect(x - 0.075 * s, y - 0.14 * s, x + 0.075 * s, y + 0.13 * s, (70, 140, 220), emissive=True)


def _clock(c, x, y, s, strap=False):
    if strap:
        c.rect(x - 0.05 * s, y - 0.25 * s, x + 0.05 * s, y + 0.25 * s, (90, 60, 40))
    c.ellipse(x, y, 0.15 * s, 0.15 * s, (200, 170, 80))
    c.ellipse(x, y, 0.125 * s, 0.125 * s, (244, 240, 226))
    c.line([(x, y), (x, y - 0.09 * s)], INK, 0.012 * s)
    c.line([(x, y), (x + 0.06 * s, y + 0.02 * s)], INK, 0.012 * s)


def _car(c, x, y, s, col=(180, 50, 50)):
    c.rect(x - 0.3 * s, y - 0.02 * s, x + 0.3 * s, y + 0.1 * s, col, radius=0.03 * s)
    c.poly([(x - 0.17 * s, y - 0.02 * s), (x - 0.1 * s, y - 0.13 * s), (x + 0.12 * s, y - 0.13 * s),
            (x + 0.2 * s, y - 0.02 * s)], col, k=0.9)
    c.poly([(x - 0.13 * s, y - 0.03 * s), (x - 0.08 * s, y - 0.11 * s), (x + 0.1 * s, y - 0.11 * s),
            (x + 0.16 * s, y - 0.03 * s)], (150, 190, 220))
    for dx in (-0.18, 0.18):
        c.ellipse(x + dx * s, y + 0.1 * s, 0.06 * s, 0.06 * s, (30, 30, 34))


def _door(c, x, y, s):
    c.rect(x - 0.13 * s, y - 0.25 * s, x + 0.13 * s, y + 0.25 * s, (130, 84, 54))
    c.rect(x - 0.1 * s, y - 0.21 * s, x + 0.1 * s, y - 0.02 * s, (150, 100, 66))
    c.rect(x - 0.1 * s, y + 0.02 * s, x + 0.1 * s, y + 0.21 * s, (150, 100, 66))
    c.ellipse(x + 0.08 * s, y, 0.015 * s, 0.015 * s, (220, 190, 80))


def _bottle(c, x, y, s):
    c.rect(x - 0.06 * s, y - 0.08 * s, x + 0.06 * s, y + 0.2 * s, (60, 120, 70), radius=0.02 * s)
    c.rect(x - 0.025 * s, y - 0.2 * s, x + 0.025 * s, y - 0.08 * s, (60, 120, 70))
    c.rect(x - 0.05 * s, y + 0.0, x + 0.05 * s, y + 0.08 * s, (236, 226, 200))


def _radio(c, x, y, s):
    c.rect(x - 0.22 * s, y - 0.1 * s, x + 0.22 * s, y + 0.14 * s, (120, 84, 56), radius=0.02 * s)
    c.ellipse(x - 0.09 * s, y + 0.02 * s, 0.08 * s, 0.08 * s, (60, 50, 44))
    c.rect(x + 0.04 * s, y - 0.05 * s, x + 0.18 * s, y + 0.0, (230, 200, 120), emissive=True)
    c.line([(x + 0.15 * s, y - 0.1 * s), (x + 0.26 * s, y - 0.3 * s)], (150, 150, 156), 0.008 * s)


def _wrench(c, x, y, s):
    c.line([(x - 0.2 * s, y + 0.15 * s), (x + 0.12 * s, y - 0.1 * s)], (160, 164, 172), 0.05 * s)
    c.ellipse(x + 0.15 * s, y - 0.13 * s, 0.07 * s, 0.07 * s, (160, 164, 172))
    c.ellipse(x + 0.18 * s, y - 0.16 * s, 0.03 * s, 0.03 * s, (235, 230, 220))


ICONS = {"cat": _cat, "kitten": _cat, "dog": _dog, "puppy": _dog, "bird": _bird, "gull": _bird, "seagull": _bird,
         "crow": _bird, "owl": _bird, "pigeon": _bird, "fish": _fish, "horse": _horse, "lantern": _lantern,
         "lanterns": _lantern, "lamp": _lantern, "phone": _phone, "cellphone": _phone, "smartphone": _phone,
         "watch": lambda c, x, y, s: _clock(c, x, y, s, strap=True), "clock": _clock, "clocks": _clock,
         "car": _car, "cars": _car, "truck": _car, "taxi": _car, "door": _door, "bottle": _bottle,
         "radio": _radio, "wrench": _wrench, "tools": _wrench, "hammer": _wrench}


def draw_subject_card(c: Canvas, *, subject: str, big: bool = True) -> None:
    """Draw ``subject`` (a noun from the shot: "cat", "lanterns") as a picture on a pale card with
    its name written under it, centred low in the frame (``big`` for inserts and closer shots)."""
    name = " ".join((subject or "").lower().split())
    if not name:
        return
    s = 0.85 if big else 0.55
    cx, cy = 0.0, 0.5 if big else 0.6  # clear of the bottom rows a clean clip crops away
    w, h = 0.42 * s, 0.4 * s
    c.rect(cx - w + 0.012, cy - h + 0.016, cx + w + 0.012, cy + h + 0.016, (0, 0, 0), k=0.4, radius=0.02)
    c.rect(cx - w, cy - h, cx + w, cy + h, (236, 232, 220), radius=0.02 * s)
    icon = icon_for(name)
    label = f"THE {name.upper()}" if not name.startswith("the ") else name.upper()
    if icon is None:  # no drawing for it: the word alone, large, never a stand-in object
        c.text(label, cx, cy, 0.08 * s, (40, 36, 40), emissive=False)
        return
    icon(c, cx, cy - 0.06 * s, 1.0 * s)
    c.text(label, cx, cy + h - 0.07 * s, 0.05 * s, (40, 36, 40), emissive=False)


def icon_for(subject: str):
    """The drawing function for a subject ("lanterns" → the lantern drawing), or None."""
    name = " ".join((subject or "").lower().split())
    return ICONS.get(name) or ICONS.get(name.split()[-1] if name else "") or ICONS.get(name.rstrip("s"))


def draw_crowd(c: Canvas, *, seed: int, near: bool = True) -> None:
    """Draw anonymous extras (grey silhouettes without faces) across the middle ground."""
    rng = c.rng
    count = 14 if near else 24
    for i in range(count):
        x = -c.half_w + (i + rng.random()) * 2 * c.half_w / count
        hu = (0.07 if near else 0.03) * (0.85 + 0.3 * rng.random())
        feet = 0.86 if near else 0.72
        head = feet - 6.2 * hu
        tone = (90 + int(40 * rng.random()),) * 3
        c.ellipse(x, head, 0.38 * hu, 0.5 * hu, tone, k=0.9)
        c.poly([(x - 0.9 * hu, head + 0.8 * hu), (x + 0.9 * hu, head + 0.8 * hu), (x + 0.7 * hu, feet),
                (x - 0.7 * hu, feet)], tone, k=0.85)
