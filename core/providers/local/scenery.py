"""Backdrops for storyboard frames: the location picks a set (kitchen, street, forest, …) drawn in
simple one-point perspective, and the time of day picks sky and light.
"""
from __future__ import annotations

import math

from core.providers.local.canvas import Canvas
from core.providers.local.styles import mix

HORIZON = 0.46
# keyword → set; first match wins, so specific rooms come before generic words like "house".
_SETS = [
    ("spaceship", ("spaceship", "starship", "space station", "cockpit", "airlock", "shuttle", "spacecraft")),
    ("car", ("car", "taxi", "cab ", "truck", "van", "vehicle", "bus")),
    ("kitchen", ("kitchen",)),
    ("bar", ("bar", "pub", "tavern", "saloon", "nightclub", "club", "lounge")),
    ("restaurant", ("restaurant", "cafe", "café", "diner", "coffee", "canteen", "cafeteria")),
    ("office", ("office", "studio", "lab", "laboratory", "newsroom", "precinct", "police station", "bank")),
    ("bedroom", ("bedroom", "motel", "hotel room", "dorm")),
    ("hospital", ("hospital", "clinic", "ward", "infirmary")),
    ("classroom", ("classroom", "school", "lecture", "library")),
    ("warehouse", ("warehouse", "factory", "garage", "hangar", "basement", "barn")),
    ("beach", ("beach", "shore", "coast", "ocean", "sea", "harbor", "harbour", "dock", "pier", "lake")),
    ("forest", ("forest", "woods", "jungle", "grove", "trail")),
    ("mountain", ("mountain", "cliff", "peak", "canyon", "desert", "valley")),
    ("rooftop", ("rooftop", "roof", "balcony", "skyline")),
    ("street", ("street", "city", "alley", "road", "avenue", "downtown", "town", "parking", "highway",
                "sidewalk", "square", "market", "station", "bridge")),
    ("park", ("park", "garden", "field", "meadow", "farm", "yard", "backyard", "countryside", "cemetery")),
    ("room", ("living room", "apartment", "flat", "house", "home", "room", "hall", "lobby", "corridor",
              "hallway", "church", "court", "cabin")),
]
INTERIOR_SETS = {"spaceship", "car", "kitchen", "bar", "restaurant", "office", "bedroom", "hospital",
                 "classroom", "warehouse", "room"}


def classify_location(location: str, prompt: str = "") -> tuple[str, bool]:
    """Return (set name, interior?) for a location like "INT. KITCHEN" or "a rainy street"."""
    loc = f" {location.lower()} "
    for text in (loc, f" {prompt.lower()} "):
        for name, words in _SETS:
            if any(f" {w}" in text or f"{w} " in text or f"{w}." in text for w in words):
                interior = name in INTERIOR_SETS
                if loc.strip().startswith("ext") and name == "car":
                    return "street", False
                return name, interior
    if loc.strip().startswith("int"):
        return "room", True
    return "park", False


def draw_backdrop(c: Canvas, *, set_name: str) -> None:
    """Paint the whole canvas with the set for ``set_name`` under the canvas's palette."""
    painter = _PAINTERS.get(set_name, _room)
    painter(c)


# --- skies ---------------------------------------------------------------------------------------
def _sky(c: Canvas, bottom: float = HORIZON + 0.02, *, x_span: float = 2.5) -> None:
    p = c.palette
    c.vgradient(0.0, bottom, p.sky_top, p.sky_bottom)
    if p.night:
        for _ in range(int(90 * x_span)):
            x, y = c.rng.uniform(-x_span, x_span), c.rng.uniform(0.0, bottom * 0.85)
            r = c.rng.choice((0.0015, 0.002, 0.003))
            c.ellipse(x, y, r, r, (235, 235, 255), emissive=True)
        c.glow(0.45, 0.13, 0.12, (120, 130, 170), 0.5)
        c.ellipse(0.45, 0.13, 0.045, 0.045, (242, 240, 226), emissive=True)
        c.ellipse(0.47, 0.12, 0.04, 0.04, mix(p.sky_top, (242, 240, 226), 0.15), emissive=True)
    else:
        sy = 0.12 if p.name == "day" else bottom - 0.06
        c.glow(0.5, sy, 0.35, p.sun, 0.55)
        c.ellipse(0.5, sy, 0.05, 0.05, p.sun, emissive=True)
        for i in range(4):
            x, y = c.rng.uniform(-x_span * 0.6, x_span * 0.6), c.rng.uniform(0.06, bottom * 0.6)
            cloud = mix(p.sky_bottom, (255, 255, 255), 0.6)
            for j in range(4):
                c.ellipse(x + (j - 1.5) * 0.06, y + (0.012 if j in (0, 3) else 0), 0.06, 0.025 + 0.01 * (j % 2),
                          cloud, emissive=True)


def _ground(c: Canvas, near, far, *, lines: bool = False, line_col=None) -> None:
    c.vgradient(HORIZON, 1.0, far, near, emissive=False)
    if lines:
        # Converging lines toward the vanishing point read as depth even on a flat colour.
        for i in range(-14, 15):
            c.line([(0, HORIZON), (i * 0.35, 1.3)], line_col or near, 0.002, k=0.85)


# --- interiors -----------------------------------------------------------------------------------
def _box_room(c: Canvas, wall, floor, ceiling, *, back=(-0.55, 0.1, 0.55, 0.66), floor_lines=True):
    """One-point perspective room: back wall rectangle, side walls, floor and ceiling to the edges."""
    x0, y0, x1, y1 = back
    e = c.half_w + 0.05
    c.poly([(-e, -0.05), (e, -0.05), (x1, y0), (x0, y0)], ceiling, k=0.92)
    c.poly([(-e, -0.05), (x0, y0), (x0, y1), (-e, 1.25)], wall, k=0.82)
    c.poly([(e, -0.05), (x1, y0), (x1, y1), (e, 1.25)], wall, k=0.72)
    c.poly([(x0, y1), (x1, y1), (e, 1.25), (-e, 1.25)], floor)
    c.rect(x0, y0, x1, y1, wall)
    if floor_lines:
        vx = 0.0
        for i in range(-10, 11):
            t = i / 10
            c.line([(vx + t * (x1 - x0) / 2, y1), (vx + t * 3.2, 1.25)], floor, 0.002, k=0.82)
        for yy in (0.72, 0.8, 0.92, 1.08):
            c.line([(-e, yy), (e, yy)], floor, 0.0015, k=0.88)
    c.line([(x0, y1), (x1, y1)], wall, 0.004, k=0.55)


def _window(c: Canvas, x0, y0, x1, y1, frame=(240, 240, 236), *, view="sky"):
    p = c.palette
    c.rect(x0 - 0.012, y0 - 0.012, x1 + 0.012, y1 + 0.012, frame)
    top, bottom = p.sky_top, p.sky_bottom
    a, b = int(c.Y(y0)), int(c.Y(y1))
    for i, yy in enumerate(range(a, b, max(1, (b - a) // 12))):
        t = (yy - a) / max(1, b - a)
        c.d.rectangle([c.X(x0), yy, c.X(x1), yy + max(1, (b - a) // 12) + 1], fill=mix(top, bottom, t))
    if view == "city":
        for i in range(8):
            bx = x0 + (x1 - x0) * i / 8
            bh = c.rng.uniform(0.3, 0.8) * (y1 - y0)
            c.rect(bx, y1 - bh, bx + (x1 - x0) / 8.5, y1, (70, 80, 100), k=0.9 if not p.night else 0.5)
            if p.night:
                for wy in range(3):
                    c.rect(bx + 0.01, y1 - bh + 0.02 + wy * 0.03, bx + 0.02, y1 - bh + 0.035 + wy * 0.03,
                           (255, 220, 140), emissive=True)
    elif p.night:
        c.ellipse(x0 + (x1 - x0) * 0.7, y0 + (y1 - y0) * 0.3, 0.02, 0.02, (240, 238, 220), emissive=True)
    c.line([((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1)], frame, 0.008)
    c.line([(x0, (y0 + y1) / 2), (x1, (y0 + y1) / 2)], frame, 0.006)


def _lamp(c: Canvas, x, y, col=(255, 214, 150)):
    c.line([(x, 0.0), (x, y - 0.03)], (40, 40, 40), 0.003)
    c.poly([(x - 0.04, y), (x + 0.04, y), (x + 0.02, y - 0.035), (x - 0.02, y - 0.035)], (60, 60, 62))
    if c.palette.night or c.interior:
        c.glow(x, y + 0.02, 0.22, col, 0.35 if c.palette.night else 0.18)


def _kitchen(c: Canvas):
    _box_room(c, (226, 214, 180), (150, 120, 92), (236, 232, 224))
    for i in range(11):  # tiled backsplash
        c.line([(-0.55 + i * 0.11, 0.36), (-0.55 + i * 0.11, 0.46)], (200, 200, 196), 0.002)
    c.rect(-0.55, 0.36, 0.55, 0.46, (214, 222, 226), k=0.98)
    c.rect(-0.55, 0.1, -0.12, 0.3, (120, 150, 120))
    c.rect(0.12, 0.1, 0.55, 0.3, (120, 150, 120))
    for x in (-0.55, -0.41, -0.27, 0.12, 0.26, 0.40):
        c.rect(x + 0.01, 0.12, x + 0.13, 0.28, (132, 164, 132), k=1.02)
    _window(c, -0.09, 0.13, 0.09, 0.33)
    c.rect(-0.55, 0.46, 0.55, 0.49, (80, 80, 84))
    c.rect(-0.55, 0.49, 0.55, 0.66, (110, 140, 110), k=0.85)
    for x in (-0.5, -0.3, -0.1, 0.1, 0.3):
        c.rect(x + 0.015, 0.51, x + 0.185, 0.64, (120, 152, 120), k=0.9)
    c.rect(0.62, 0.05, 0.9, 0.8, (220, 224, 228), k=0.86)  # fridge on the right wall
    c.line([(0.64, 0.32), (0.88, 0.32)], (150, 150, 150), 0.003)
    c.ellipse(-0.3, 0.43, 0.03, 0.02, (60, 60, 60))
    _lamp(c, 0.0, 0.08)


def _office(c: Canvas):
    _box_room(c, (208, 212, 216), (110, 116, 128), (232, 234, 236))
    _window(c, -0.5, 0.14, 0.5, 0.48, frame=(90, 94, 100), view="city")
    for x in (-0.9, 0.6):  # desks with monitors, in perspective on both sides
        c.poly([(x, 0.7), (x + 0.32, 0.7), (x + 0.36, 0.76), (x - 0.04, 0.76)], (150, 120, 90))
        c.rect(x + 0.02, 0.76, x + 0.05, 0.95, (70, 70, 72))
        c.rect(x + 0.26, 0.76, x + 0.29, 0.95, (70, 70, 72))
        c.rect(x + 0.08, 0.56, x + 0.26, 0.68, (30, 32, 36))
        c.rect(x + 0.09, 0.57, x + 0.25, 0.67, (120, 180, 230), emissive=c.palette.night, k=1.0)
        c.rect(x + 0.16, 0.68, x + 0.18, 0.7, (40, 40, 40))
    for x in (-0.3, 0.3):
        c.rect(x - 0.12, 0.02, x + 0.12, 0.035, (250, 250, 240), emissive=True)
    c.ellipse(0.7, 0.55, 0.05, 0.08, (60, 130, 70))  # plant
    c.rect(0.67, 0.6, 0.73, 0.68, (160, 100, 60))


def _bedroom(c: Canvas):
    _box_room(c, (196, 176, 200), (130, 96, 72), (226, 220, 228))
    _window(c, 0.2, 0.16, 0.45, 0.4)
    c.rect(0.17, 0.14, 0.2, 0.48, (150, 60, 70))
    c.rect(0.45, 0.14, 0.48, 0.48, (150, 60, 70))
    c.rect(-0.45, 0.36, 0.05, 0.58, (110, 80, 60))  # headboard
    c.poly([(-0.5, 0.58), (0.1, 0.58), (0.22, 0.8), (-0.62, 0.8)], (90, 120, 170))
    c.rect(-0.42, 0.5, -0.24, 0.57, (240, 240, 236), radius=0.02)
    c.rect(-0.2, 0.5, -0.02, 0.57, (240, 240, 236), radius=0.02)
    c.rect(0.12, 0.5, 0.26, 0.64, (120, 86, 62))
    c.rect(0.17, 0.42, 0.2, 0.5, (60, 60, 60))
    c.poly([(0.13, 0.42), (0.24, 0.42), (0.21, 0.36), (0.16, 0.36)], (240, 220, 170))
    if c.palette.night:
        c.glow(0.185, 0.4, 0.25, (255, 200, 120), 0.45)


def _bar(c: Canvas):
    _box_room(c, (90, 56, 44), (70, 50, 40), (50, 36, 30))
    for shelf in (0.2, 0.32, 0.44):
        c.rect(-0.5, shelf, 0.5, shelf + 0.012, (140, 100, 60))
        for i in range(16):
            x = -0.48 + i * 0.062
            col = ((60, 130, 70), (150, 80, 40), (200, 190, 150), (90, 40, 50))[(i * 7 + int(shelf * 50)) % 4]
            c.rect(x, shelf - 0.07, x + 0.035, shelf, col, k=1.05)
            c.rect(x + 0.012, shelf - 0.09, x + 0.023, shelf - 0.07, col, k=1.05)
    c.rect(-1.8, 0.62, 1.8, 0.66, (120, 70, 40), k=1.1)  # counter top across the frame
    c.rect(-1.8, 0.66, 1.8, 0.86, (90, 50, 30))
    for x in (-0.7, -0.35, 0.0, 0.35, 0.7):
        c.rect(x - 0.05, 0.8, x + 0.05, 0.83, (40, 30, 26))
        c.rect(x - 0.008, 0.83, x + 0.008, 1.0, (40, 30, 26))
    for x in (-0.4, 0.0, 0.4):
        _lamp(c, x, 0.1, (255, 180, 100))


def _restaurant(c: Canvas):
    _box_room(c, (214, 190, 160), (120, 80, 56), (230, 220, 200))
    _window(c, -0.45, 0.15, -0.1, 0.42, view="city")
    _window(c, 0.1, 0.15, 0.45, 0.42, view="city")
    for x, y, s in ((-0.8, 0.72, 1.0), (0.7, 0.74, 1.0), (-0.25, 0.6, 0.6), (0.3, 0.6, 0.6)):
        c.ellipse(x, y, 0.16 * s, 0.04 * s, (240, 236, 228))
        c.rect(x - 0.012 * s, y, x + 0.012 * s, y + 0.18 * s, (60, 50, 40))
        c.ellipse(x - 0.05 * s, y - 0.01 * s, 0.025 * s, 0.01 * s, (250, 250, 250))
    for x in (-0.3, 0.3):
        _lamp(c, x, 0.1)


def _hospital(c: Canvas):
    _box_room(c, (196, 222, 210), (180, 190, 190), (236, 240, 238))
    c.rect(-0.5, 0.1, -0.2, 0.62, (150, 190, 200), k=0.95)  # curtain
    for i in range(6):
        c.line([(-0.5 + i * 0.05, 0.1), (-0.5 + i * 0.05, 0.62)], (120, 160, 170), 0.002)
    c.rect(0.1, 0.5, 0.52, 0.62, (240, 240, 240))
    c.rect(0.1, 0.44, 0.14, 0.62, (160, 160, 170))
    c.rect(0.3, 0.22, 0.44, 0.33, (30, 40, 40))
    c.line([(0.31, 0.28), (0.34, 0.28), (0.355, 0.24), (0.37, 0.31), (0.385, 0.28), (0.43, 0.28)],
           (80, 240, 120), 0.003, emissive=True)
    c.rect(-0.1, 0.02, 0.1, 0.035, (250, 250, 250), emissive=True)


def _classroom(c: Canvas):
    _box_room(c, (220, 206, 170), (150, 110, 80), (236, 232, 220))
    c.rect(-0.4, 0.2, 0.4, 0.45, (40, 70, 56))
    c.rect(-0.42, 0.45, 0.42, 0.465, (150, 110, 70))
    c.line([(-0.3, 0.28), (-0.1, 0.28)], (230, 230, 220), 0.003)
    c.line([(-0.3, 0.33), (0.05, 0.33)], (230, 230, 220), 0.003)
    for x in (-0.7, -0.25, 0.25, 0.7):
        c.rect(x - 0.14, 0.78, x + 0.14, 0.8, (170, 130, 90))
        c.rect(x - 0.12, 0.8, x - 0.1, 0.95, (80, 80, 80))
        c.rect(x + 0.1, 0.8, x + 0.12, 0.95, (80, 80, 80))


def _warehouse(c: Canvas):
    _box_room(c, (130, 130, 126), (96, 96, 94), (80, 82, 86), back=(-0.6, 0.02, 0.6, 0.64))
    for x in (-0.4, 0.0, 0.4):
        c.rect(x - 0.1, 0.04, x + 0.1, 0.1, (200, 210, 220), emissive=not c.palette.night, k=1.0)
    for x in (-0.55, 0.25):
        for shelf in (0.3, 0.45, 0.6):
            c.rect(x, shelf, x + 0.3, shelf + 0.015, (200, 120, 40))
            for i in range(3):
                c.rect(x + 0.02 + i * 0.095, shelf - 0.09, x + 0.09 + i * 0.095, shelf, (170, 130, 80))
    c.rect(-0.85, 0.7, -0.65, 0.9, (160, 120, 70))
    c.rect(0.7, 0.72, 0.86, 0.88, (150, 110, 64))


def _room(c: Canvas):
    _box_room(c, (200, 190, 170), (140, 100, 70), (232, 228, 220))
    _window(c, 0.18, 0.16, 0.45, 0.42)
    c.rect(-0.4, 0.2, -0.16, 0.36, (120, 90, 60))  # picture frame
    c.rect(-0.38, 0.22, -0.18, 0.34, (120, 160, 190))
    c.poly([(-0.38, 0.34), (-0.3, 0.26), (-0.24, 0.31), (-0.18, 0.27), (-0.18, 0.34)], (70, 120, 80))
    c.rect(-0.52, 0.5, 0.1, 0.62, (120, 60, 60), radius=0.02)  # sofa
    c.rect(-0.52, 0.44, 0.1, 0.52, (130, 66, 66), radius=0.02)
    c.ellipse(0.0, 0.84, 0.5, 0.08, (160, 80, 70), k=0.9)  # rug
    c.rect(0.3, 0.44, 0.31, 0.62, (50, 50, 50))
    c.poly([(0.26, 0.44), (0.35, 0.44), (0.33, 0.38), (0.28, 0.38)], (240, 220, 170))
    if c.palette.night:
        c.glow(0.305, 0.42, 0.3, (255, 200, 120), 0.45)


def _spaceship(c: Canvas):
    _box_room(c, (150, 160, 172), (90, 96, 108), (110, 118, 130), floor_lines=True)
    c.rect(-0.45, 0.14, 0.45, 0.46, (14, 16, 30), emissive=True)  # viewport onto space
    for _ in range(120):
        x, y = c.rng.uniform(-0.45, 0.45), c.rng.uniform(0.14, 0.46)
        c.ellipse(x, y, 0.0018, 0.0018, (240, 240, 255), emissive=True)
    c.ellipse(0.25, 0.4, 0.14, 0.14, (200, 120, 80), emissive=True)
    c.rect(-0.45, 0.46, 0.45, 0.56, (14, 16, 30), emissive=True)
    c.rect(-0.5, 0.46, 0.5, 0.66, (80, 86, 96))
    for i in range(10):
        col = ((80, 220, 255), (255, 80, 80), (120, 255, 120))[i % 3]
        c.rect(-0.42 + i * 0.085, 0.5, -0.39 + i * 0.085, 0.52, col, emissive=True)
    for x in (-0.48, 0.48):
        c.line([(x, 0.1), (x, 0.66)], (200, 210, 220), 0.01)


def _car(c: Canvas):
    # Inside a car: a side window onto the passing road, roof lining, seat backs.
    _sky(c, 0.5)
    c.vgradient(0.5, 1.0, (90, 110, 80), (60, 70, 60), emissive=False)
    c.rect(-3, 0.5, 3, 0.58, (70, 70, 76))
    for i in range(-12, 12):
        c.rect(i * 0.25, 0.53, i * 0.25 + 0.12, 0.545, (230, 230, 220))
    c.rect(-3, 0.0, 3, 0.14, (60, 58, 56))
    c.rect(-3, 0.66, 3, 1.2, (50, 48, 46))
    c.poly([(-3, 0.14), (3, 0.14), (3, 0.2), (-3, 0.2)], (40, 40, 40))
    for x in (-0.6, 0.6):
        c.rect(x - 0.06, 0.06, x + 0.06, 0.66, (40, 40, 42))
    c.rect(-0.18, 0.48, 0.18, 0.8, (70, 60, 56), radius=0.05)
    c.rect(-0.1, 0.38, 0.1, 0.48, (70, 60, 56), radius=0.03)


def _street(c: Canvas):
    _sky(c)
    p = c.palette
    c.vgradient(HORIZON, 1.0, (110, 110, 114), (80, 80, 86), emissive=False)
    c.poly([(-0.03, HORIZON), (0.03, HORIZON), (1.4, 1.05), (-1.4, 1.05)], (60, 60, 66))
    for i in range(6):  # lane dashes in perspective
        t0, t1 = 0.1 + i * 0.15, 0.16 + i * 0.15
        y0, y1 = HORIZON + (1 - HORIZON) * t0 ** 1.4, HORIZON + (1 - HORIZON) * t1 ** 1.4
        w0, w1 = 0.004 + 0.02 * t0, 0.004 + 0.02 * t1
        c.poly([(-w0, y0), (w0, y0), (w1, y1), (-w1, y1)], (230, 220, 160))
    for side in (-1, 1):
        for j in range(7):  # building facades receding to the vanishing point
            d0, d1 = 2.2 ** (-j), 2.2 ** (-j - 1)
            xa, xb = side * (0.12 + 1.3 * d0), side * (0.12 + 1.3 * d1)
            top_a, top_b = HORIZON - 0.75 * d0 - 0.05, HORIZON - 0.75 * d1 - 0.02
            base_a, base_b = HORIZON + 0.62 * d0, HORIZON + 0.62 * d1
            col = ((150, 110, 90), (120, 130, 150), (170, 150, 120), (110, 100, 110))[(j + (side > 0)) % 4]
            c.poly([(xa, top_a), (xb, top_b), (xb, base_b), (xa, base_a)], col, k=0.9 if side < 0 else 0.78)
            for f in range(1, 5):  # window rows
                ya, yb = top_a + (base_a - top_a) * f / 6, top_b + (base_b - top_b) * f / 6
                wc = (255, 214, 140) if p.night and (j + f) % 3 else (60, 70, 90)
                c.line([(xa - side * 0.02 * d0, ya), (xb, yb)], wc, 0.004 + 0.01 * d0, emissive=p.night and wc[0] > 200)
        lx = side * 0.5
        c.line([(lx, 0.8), (lx, 0.3)], (50, 50, 56), 0.01)
        c.line([(lx, 0.3), (lx - side * 0.08, 0.29)], (50, 50, 56), 0.008)
        if p.night:
            c.glow(lx - side * 0.08, 0.3, 0.25, (255, 210, 140), 0.5)


def _forest(c: Canvas):
    _sky(c)
    p = c.palette
    _ground(c, (70, 110, 50), (96, 130, 80))
    c.poly([(-0.02, HORIZON), (0.02, HORIZON), (0.35, 1.05), (-0.35, 1.05)], (140, 110, 80))
    for depth, (k, count, size) in enumerate(((0.55, 14, 0.08), (0.72, 10, 0.14), (0.9, 6, 0.28))):
        for i in range(count):
            x = -c.half_w - 0.2 + (i + c.rng.random() * 0.6) * (2 * c.half_w + 0.4) / count
            if abs(x) < 0.12 * (depth + 1):
                continue
            base = HORIZON + 0.05 + depth * 0.18
            c.rect(x - size * 0.08, base - size * 1.3, x + size * 0.08, base, (80, 56, 40), k=k)
            for j in range(3):
                c.ellipse(x + (j - 1) * size * 0.3, base - size * (1.5 + 0.3 * (j == 1)), size * 0.5, size * 0.55,
                          (50, 110 + 10 * depth, 60), k=k)
            c.ellipse(x - size * 0.12, base - size * 1.7, size * 0.25, size * 0.25, (80, 150, 80), k=k)
    if p.night:
        c.glow(0.0, HORIZON, 0.6, (40, 60, 110), 0.3)


def _beach(c: Canvas):
    _sky(c, HORIZON)
    p = c.palette
    c.vgradient(HORIZON, 0.66, (40, 90, 150), (70, 140, 180), emissive=False)
    if p.sun or p.night:
        refl = (240, 240, 220) if p.night else p.sun
        for i in range(8):
            y = HORIZON + 0.02 + i * 0.022
            c.rect(0.5 - 0.02 - i * 0.01, y, 0.5 + 0.02 + i * 0.01, y + 0.006, refl, k=0.9)
    c.vgradient(0.66, 1.0, (226, 200, 150), (200, 170, 120), emissive=False)
    for i in range(3):
        y = 0.66 + i * 0.012
        c.line([(-3, y), (3, y)], (240, 246, 250), 0.004)
    c.line([(-0.8, 0.9), (-0.75, 0.5), (-0.7, 0.3)], (110, 80, 50), 0.02)
    for ang in range(0, 360, 60):
        a = math.radians(ang)
        c.line([(-0.7, 0.3), (-0.7 + 0.16 * math.cos(a), 0.3 + 0.08 * math.sin(a) + 0.04)], (50, 120, 60), 0.014)


def _mountain(c: Canvas):
    _sky(c)
    _ground(c, (150, 130, 90), (170, 160, 120))
    for x, h, w, col in ((-0.7, 0.32, 0.5, (110, 110, 130)), (0.1, 0.4, 0.6, (96, 100, 120)),
                         (0.8, 0.28, 0.45, (120, 116, 130))):
        c.poly([(x - w, HORIZON + 0.01), (x, HORIZON - h), (x + w, HORIZON + 0.01)], col)
        c.poly([(x - w * 0.22, HORIZON - h * 0.78), (x, HORIZON - h), (x + w * 0.22, HORIZON - h * 0.78)],
               (245, 245, 250))
        c.poly([(x, HORIZON - h), (x + w, HORIZON + 0.01), (x + w * 0.3, HORIZON + 0.01)], col, k=0.8)


def _rooftop(c: Canvas):
    _sky(c, 0.6)
    p = c.palette
    for i in range(-16, 16):
        x = i * 0.11
        h = 0.15 + ((i * 37) % 11) / 30
        c.rect(x, 0.6 - h, x + 0.1, 0.62, (60, 66, 84), k=0.9)
        for r in range(int(h / 0.05)):
            for q in range(2):
                lit = p.night and (i + r + q) % 3 == 0
                c.rect(x + 0.02 + q * 0.04, 0.6 - h + 0.02 + r * 0.05, x + 0.035 + q * 0.04,
                       0.6 - h + 0.035 + r * 0.05, (255, 214, 140) if lit else (90, 100, 120), emissive=lit)
    c.vgradient(0.62, 1.0, (120, 116, 110), (96, 92, 88), emissive=False)
    c.rect(-3, 0.6, 3, 0.66, (150, 140, 130))
    c.rect(0.6, 0.4, 0.9, 0.66, (120, 110, 100))


def _park(c: Canvas):
    _sky(c)
    _ground(c, (80, 140, 60), (120, 170, 90))
    for i in range(3):
        c.ellipse(-1.2 + i * 1.2, HORIZON + 0.05, 0.9, 0.09, (90, 150, 70), k=0.9)
    c.poly([(-0.02, HORIZON + 0.02), (0.02, HORIZON + 0.02), (0.3, 1.05), (-0.3, 1.05)], (200, 180, 140))
    for x, s in ((-0.7, 0.12), (0.65, 0.16), (-0.3, 0.06), (0.35, 0.07)):
        base = HORIZON + 0.3 * s / 0.12 * 0.4
        c.rect(x - s * 0.1, base - s * 1.2, x + s * 0.1, base, (100, 70, 45))
        c.ellipse(x, base - s * 1.6, s * 0.8, s * 0.7, (60, 130, 60))
        c.ellipse(x - s * 0.2, base - s * 1.8, s * 0.4, s * 0.35, (90, 160, 80))
    c.rect(0.2, 0.72, 0.55, 0.74, (120, 80, 50))
    c.rect(0.2, 0.66, 0.55, 0.68, (120, 80, 50))
    c.rect(0.22, 0.74, 0.24, 0.8, (50, 50, 50))
    c.rect(0.51, 0.74, 0.53, 0.8, (50, 50, 50))


_PAINTERS = {"kitchen": _kitchen, "office": _office, "bedroom": _bedroom, "bar": _bar,
             "restaurant": _restaurant, "hospital": _hospital, "classroom": _classroom,
             "warehouse": _warehouse, "room": _room, "spaceship": _spaceship, "car": _car,
             "street": _street, "forest": _forest, "beach": _beach, "mountain": _mountain,
             "rooftop": _rooftop, "park": _park}
SET_NAMES = tuple(_PAINTERS)
