"""More sets: market and stall, shop, workshop, lighthouse and its lamp room, patio with pool,
mansion hall, corridor, stairs, station platform, building site, and the neutral set an unknown
place gets (a plain stage with the place's name on a slate)."""
from __future__ import annotations

import math

from core.providers.local.canvas import Canvas
from core.providers.local.sets.common import HORIZON, box_room, ground, lamp, sky, window

_LANTERN = (255, 120, 60)


def _lanterns(c: Canvas, y: float, x0: float, x1: float, n: int, sag: float = 0.04) -> None:
    """A string of paper lanterns hung between x0 and x1 (lit and glowing at night)."""
    pts = [(x0 + (x1 - x0) * i / 20, y + sag * math.sin(math.pi * i / 20)) for i in range(21)]
    c.line(pts, (40, 36, 34), 0.003)
    for i in range(n):
        t = (i + 0.5) / n
        x, yy = x0 + (x1 - x0) * t, y + sag * math.sin(math.pi * t) + 0.03
        col = ((230, 60, 50), (240, 150, 50), (230, 60, 50))[i % 3]
        if c.palette.night or c.interior:
            c.glow(x, yy, 0.08, (255, 150, 80), 0.35 if c.palette.night else 0.15)
        c.ellipse(x, yy, 0.022, 0.028, col, emissive=c.palette.night)
        c.line([(x, yy - 0.03), (x, yy - 0.04)], (40, 36, 34), 0.003)


def _stall(c: Canvas, x: float, base: float, w: float, h: float, awning) -> None:
    c.rect(x - w, base - h * 0.45, x + w, base, (120, 84, 56))  # counter
    c.rect(x - w * 0.95, base - h, x - w * 0.88, base - h * 0.45, (70, 50, 40))
    c.rect(x + w * 0.88, base - h, x + w * 0.95, base - h * 0.45, (70, 50, 40))
    for i in range(6):  # striped awning
        col = awning if i % 2 == 0 else (240, 236, 226)
        xa = x - w * 1.1 + i * w * 2.2 / 6
        c.poly([(xa, base - h), (xa + w * 2.2 / 6, base - h), (xa + w * 2.2 / 6 + 0.01, base - h * 0.82),
                (xa + 0.01, base - h * 0.82)], col)
    for i in range(4):  # goods on the counter
        c.ellipse(x - w * 0.7 + i * w * 0.45, base - h * 0.47, w * 0.16, h * 0.05,
                  ((200, 80, 50), (230, 190, 70), (90, 160, 70), (240, 240, 230))[i])


def market(c: Canvas) -> None:
    if c.interior:  # inside a stall: counter, stools, pot and lanterns overhead
        box_room(c, (150, 60, 44), (110, 80, 60), (60, 40, 34), back=(-0.6, 0.05, 0.6, 0.6))
        c.rect(-0.6, 0.3, 0.6, 0.34, (90, 60, 40))
        for i in range(5):
            c.rect(-0.5 + i * 0.22, 0.16, -0.38 + i * 0.22, 0.3, ((230, 200, 160), (200, 90, 60))[i % 2])
        c.rect(-2, 0.62, 2, 0.7, (140, 96, 60), k=1.05)
        c.rect(-2, 0.7, 2, 0.9, (100, 66, 44))
        c.ellipse(0.35, 0.56, 0.12, 0.05, (70, 70, 74))
        c.rect(0.23, 0.56, 0.47, 0.62, (60, 60, 64))
        for i in range(3):
            c.arc(0.3 + i * 0.05, 0.48, 0.02, 0.06, 90, 270, (230, 230, 230), 0.004)
        for x in (-0.7, -0.2, 0.3, 0.8):
            c.rect(x - 0.07, 0.88, x + 0.07, 0.9, (180, 40, 40))
            c.rect(x - 0.01, 0.9, x + 0.01, 1.05, (60, 60, 60))
        _lanterns(c, 0.06, -0.9, 0.9, 7)
        return
    sky(c)
    ground(c, (96, 90, 84), (120, 112, 100))
    for depth, (k, n, s) in enumerate(((0.7, 7, 0.5), (0.85, 5, 0.75), (1.0, 3, 1.0))):
        base = HORIZON + 0.08 + depth * 0.16
        for i in range(n):
            x = -c.half_w + (i + 0.5) * 2 * c.half_w / n + (0.1 if depth == 1 else 0)
            if abs(x) < 0.15 * s:
                continue
            _stall(c, x, base, 0.16 * s, 0.3 * s, ((190, 50, 50), (40, 110, 170), (220, 150, 40))[(i + depth) % 3])
    _lanterns(c, 0.16, -c.half_w, c.half_w, 11)
    _lanterns(c, 0.26, -c.half_w, c.half_w, 9, sag=0.06)


def shop(c: Canvas) -> None:
    box_room(c, (210, 196, 170), (130, 96, 70), (230, 226, 214))
    label = c.label.lower()
    for shelf in (0.2, 0.34, 0.48):
        c.rect(-0.55, shelf, -0.15, shelf + 0.012, (120, 84, 56))
        c.rect(0.15, shelf, 0.55, shelf + 0.012, (120, 84, 56))
        for i in range(5):
            for x in (-0.54 + i * 0.08, 0.16 + i * 0.08):
                if "clock" in label or "watch" in label:
                    c.ellipse(x + 0.03, shelf - 0.04, 0.028, 0.028, (236, 230, 210))
                    c.line([(x + 0.03, shelf - 0.04), (x + 0.03, shelf - 0.062)], (30, 30, 30), 0.003)
                    c.line([(x + 0.03, shelf - 0.04), (x + 0.045, shelf - 0.04)], (30, 30, 30), 0.003)
                else:
                    c.rect(x + 0.005, shelf - 0.07, x + 0.06, shelf,
                           ((200, 80, 60), (70, 120, 180), (220, 190, 80), (90, 150, 90))[(i + int(shelf * 10)) % 4])
    if "clock" in label or "watch" in label:  # a tall case clock and wall clocks
        for x, y, r in ((-0.9, 0.25, 0.07), (0.85, 0.3, 0.09), (-0.05, 0.17, 0.06)):
            c.ellipse(x, y, r, r, (120, 84, 56))
            c.ellipse(x, y, r * 0.82, r * 0.82, (240, 234, 214))
            c.line([(x, y), (x, y - r * 0.6)], (30, 30, 30), 0.004)
            c.line([(x, y), (x + r * 0.45, y + r * 0.2)], (30, 30, 30), 0.004)
    window(c, -0.1, 0.24, 0.1, 0.5, view="city")
    c.rect(-1.6, 0.64, 1.6, 0.68, (150, 110, 70), k=1.05)  # counter with a glass front
    c.rect(-1.6, 0.68, 1.6, 0.9, (110, 80, 56))
    c.rect(-1.2, 0.7, 1.2, 0.86, (170, 200, 210), k=0.9)
    c.rect(0.6, 0.56, 0.8, 0.64, (60, 60, 64))  # till
    lamp(c, -0.3, 0.08)
    lamp(c, 0.3, 0.08)


def workshop(c: Canvas) -> None:
    box_room(c, (150, 140, 120), (110, 106, 100), (120, 116, 110))
    c.rect(-0.5, 0.14, 0.5, 0.46, (190, 160, 110))  # pegboard with tool outlines
    for i in range(9):
        x = -0.44 + i * 0.11
        c.line([(x, 0.18), (x, 0.3 + 0.05 * (i % 3))], (60, 60, 64), 0.008)
        c.rect(x - 0.025, 0.17, x + 0.025, 0.2, ((200, 50, 40), (60, 60, 64), (230, 180, 40))[i % 3])
    for i in range(5):
        c.ellipse(-0.4 + i * 0.2, 0.4, 0.03, 0.03, (100, 100, 104))
    c.rect(-1.4, 0.6, 1.4, 0.65, (140, 100, 60), k=1.05)  # workbench
    c.rect(-1.3, 0.65, -1.22, 0.95, (90, 64, 40))
    c.rect(1.22, 0.65, 1.3, 0.95, (90, 64, 40))
    c.rect(0.3, 0.52, 0.46, 0.6, (70, 90, 110))  # vise
    c.rect(-0.45, 0.55, -0.2, 0.6, (180, 60, 40))  # toolbox
    lamp(c, 0.0, 0.08, (255, 240, 210))


def lighthouse(c: Canvas) -> None:
    sky(c)
    p = c.palette
    c.vgradient(HORIZON, 0.74, (40, 90, 150), (60, 120, 160), emissive=False)
    c.poly([(-3, 0.74), (-0.1, 0.6), (0.7, 0.58), (3, 0.72), (3, 1.2), (-3, 1.2)], (90, 86, 80))  # rocks
    x, base, top = 0.35, 0.62, 0.2
    for i in range(6):  # tapering striped tower
        y0, y1 = top + (base - top) * i / 6, top + (base - top) * (i + 1) / 6
        w0, w1 = 0.05 + 0.03 * i / 6, 0.05 + 0.03 * (i + 1) / 6
        c.poly([(x - w0, y0), (x + w0, y0), (x + w1, y1), (x - w1, y1)], (200, 50, 50) if i % 2 else (240, 240, 236))
    c.rect(x - 0.06, top - 0.07, x + 0.06, top, (40, 40, 44))
    c.rect(x - 0.045, top - 0.06, x + 0.045, top - 0.01, (255, 240, 180), emissive=p.night)
    c.poly([(x - 0.07, top - 0.07), (x + 0.07, top - 0.07), (x, top - 0.12)], (40, 40, 44))
    if p.night:  # the beam sweeping over the sea
        for i in range(6):
            c.glow(x - 0.25 - i * 0.25, top - 0.04 - i * 0.012, 0.1 + 0.03 * i, (255, 240, 190), 0.35 - 0.04 * i)
        c.glow(x, top - 0.035, 0.2, (255, 240, 180), 0.8)
    for i in range(4):
        c.line([(-3, 0.66 + i * 0.02), (3, 0.66 + i * 0.02)], (200, 220, 236), 0.002)


def lamp_room(c: Canvas) -> None:
    """The lamp room at the top of a lighthouse: glass all round, the great lens in the middle."""
    sky(c, 0.62)
    c.vgradient(0.5, 0.62, (40, 80, 130), (60, 110, 150), emissive=False)  # the sea far below
    for i in range(-6, 7):  # window mullions curving round
        x = i * 0.22
        c.line([(x, 0.0), (x * 1.05, 0.62)], (50, 50, 54), 0.012)
    c.rect(-3, 0.0, 3, 0.06, (60, 60, 64))
    c.rect(-3, 0.62, 3, 1.2, (70, 66, 62))
    c.rect(-3, 0.6, 3, 0.64, (100, 96, 90))
    for i in range(-12, 13):  # gallery railing
        c.line([(i * 0.12, 0.5), (i * 0.12, 0.62)], (40, 40, 44), 0.004)
    c.line([(-3, 0.5), (3, 0.5)], (40, 40, 44), 0.006)
    lit = c.palette.night
    c.rect(-0.12, 0.62, 0.12, 0.85, (120, 110, 90))  # pedestal
    c.ellipse(0.0, 0.4, 0.16, 0.22, (230, 220, 170) if not lit else (255, 246, 200), emissive=lit)  # lens
    for j in range(5):
        c.line([(-0.15, 0.26 + j * 0.06), (0.15, 0.26 + j * 0.06)], (170, 160, 120), 0.004)
    if lit:
        c.glow(0.0, 0.4, 0.6, (255, 240, 190), 0.7)


def patio(c: Canvas) -> None:
    sky(c)
    c.rect(-3, 0.12, 3, HORIZON + 0.02, (226, 214, 196), k=0.9)  # house wall with doors
    for x in (-0.9, -0.3, 0.3, 0.9):
        window(c, x - 0.15, 0.18, x + 0.15, HORIZON - 0.02)
    if any(w in c.label.lower() for w in ("porch", "veranda", "verandah", "deck", "balcony", "terrace")):
        _porch(c)
        return
    ground(c, (206, 196, 180), (220, 210, 196), lines=True, line_col=(180, 170, 156))
    c.poly([(-0.6, 0.62), (0.6, 0.62), (0.9, 0.86), (-0.9, 0.86)], (60, 170, 210), emissive=False)  # pool
    c.poly([(-0.55, 0.64), (0.55, 0.64), (0.8, 0.82), (-0.8, 0.82)], (90, 200, 230))
    for i in range(3):
        c.line([(-0.4 + i * 0.3, 0.7), (-0.3 + i * 0.3, 0.7)], (230, 250, 255), 0.004)
    for x in (-1.2, 1.1):  # loungers and a parasol
        c.poly([(x - 0.15, 0.8), (x + 0.15, 0.8), (x + 0.18, 0.74), (x - 0.1, 0.76)], (240, 240, 236))
    c.line([(1.3, 0.9), (1.3, 0.5)], (80, 80, 80), 0.008)
    c.poly([(1.0, 0.52), (1.6, 0.52), (1.3, 0.4)], (200, 60, 60))
    if c.palette.night:
        c.glow(0.0, 0.74, 0.5, (80, 200, 255), 0.4)


def _porch(c: Canvas) -> None:
    """A wooden porch in front of the house wall: boards, railing, steps down to the yard."""
    c.vgradient(HORIZON + 0.02, 1.0, (150, 112, 76), (120, 86, 56), emissive=False)
    for i in range(-14, 15):  # boards running away from the camera
        c.line([(i * 0.05, HORIZON + 0.02), (i * 0.35, 1.3)], (96, 70, 46), 0.003)
    for side in (-1, 1):  # railings and posts at the sides
        c.line([(side * 0.9, 0.62), (side * 3.0, 0.78)], (230, 226, 214), 0.014)
        for i in range(8):
            x = side * (0.9 + i * 0.28)
            c.line([(x, 0.62 + i * 0.02), (x, 0.86 + i * 0.04)], (230, 226, 214), 0.008)
    c.rect(-0.3, 0.88, 0.3, 0.95, (110, 80, 54))  # top step
    c.rect(-0.05, 0.14, 0.18, HORIZON + 0.02, (110, 70, 44))  # screen door
    c.rect(-0.03, 0.16, 0.16, 0.3, (60, 66, 70), k=0.8)


def mansion(c: Canvas) -> None:
    box_room(c, (196, 180, 150), (120, 60, 50), (220, 210, 190), back=(-0.5, 0.08, 0.5, 0.62))
    for side in (-1, 1):  # double staircase sweeping up to a gallery
        for i in range(10):
            y = 0.62 - i * 0.035
            x0 = side * (0.05 + i * 0.04)
            c.rect(min(x0, x0 + side * 0.3), y - 0.035, max(x0, x0 + side * 0.3), y, (150, 60, 56), k=1 - i * 0.02)
        c.line([(side * 0.05, 0.62), (side * 0.45, 0.27)], (230, 210, 150), 0.008)
    c.rect(-0.5, 0.25, 0.5, 0.28, (170, 150, 110))
    for x in (-0.35, 0.35):
        c.rect(x - 0.03, 0.08, x + 0.03, 0.62, (230, 222, 200), k=1.05)  # columns
    c.rect(-0.12, 0.1, 0.12, 0.24, (120, 90, 60))  # portrait
    c.rect(-0.1, 0.12, 0.1, 0.22, (110, 120, 90))
    c.line([(0.0, 0.0), (0.0, 0.12)], (200, 180, 120), 0.004)  # chandelier
    for i in range(7):
        c.ellipse(-0.12 + i * 0.04, 0.14 + 0.01 * (i % 2), 0.01, 0.014, (255, 230, 160), emissive=True)
    c.glow(0.0, 0.14, 0.35, (255, 220, 150), 0.3)
    c.ellipse(0.0, 0.92, 0.7, 0.1, (150, 40, 40), k=0.9)  # rug


def corridor(c: Canvas) -> None:
    box_room(c, (200, 196, 186), (140, 130, 120), (226, 224, 218), back=(-0.09, 0.3, 0.09, 0.52))
    for i in range(5):  # doors receding down both walls
        d = 1.6 ** (-i)
        for side in (-1, 1):
            xa, xb = side * (0.09 + 0.9 * d), side * (0.09 + 0.9 * d * 0.72)
            c.poly([(xa, 0.52 - 0.6 * d + 0.0), (xb, 0.52 - 0.6 * d * 0.72), (xb, 0.52 + 0.44 * d * 0.72),
                    (xa, 0.52 + 0.44 * d)], (120, 84, 60), k=0.9 if side < 0 else 0.78)
        c.rect(-0.07 * d - 0.02, 0.3 - 0.25 * d, 0.07 * d + 0.02, 0.3 - 0.24 * d, (250, 250, 240), emissive=True)
    c.rect(-0.05, 0.36, 0.05, 0.52, (110, 80, 60))  # door at the end
    c.poly([(-0.09, 0.52), (0.09, 0.52), (0.5, 1.2), (-0.5, 1.2)], (150, 40, 40), k=0.9)  # runner


def stairs(c: Canvas) -> None:
    box_room(c, (190, 186, 176), (120, 110, 100), (210, 206, 200), back=(-0.3, 0.0, 0.3, 0.3))
    for i in range(12):  # steps rising away from the camera
        y = 1.05 - i * 0.065
        w = 0.75 - i * 0.035
        c.rect(-w, y - 0.065, w, y, (150, 140, 130), k=1.0 - 0.025 * i)
        c.line([(-w, y - 0.065), (w, y - 0.065)], (100, 96, 90), 0.003)
    for side in (-1, 1):
        c.line([(side * 0.78, 0.95), (side * 0.36, 0.2)], (90, 60, 40), 0.012)
        for i in range(8):
            t = i / 7
            x, y = side * (0.78 - 0.42 * t), 0.95 - 0.75 * t
            c.line([(x, y), (x, y + 0.12)], (90, 60, 40), 0.004)
    lamp(c, 0.0, 0.05)


def station(c: Canvas) -> None:
    sky(c, 0.3)
    c.rect(-3, 0.0, 3, 0.12, (70, 74, 80))  # canopy
    for x in (-1.2, -0.5, 0.5, 1.2):
        c.rect(x - 0.015, 0.12, x + 0.015, 0.7, (60, 64, 70))
        c.rect(x - 0.1, 0.14, x + 0.1, 0.2, (250, 250, 240), emissive=True)
    c.vgradient(0.3, HORIZON + 0.1, (120, 124, 130), (100, 104, 110), emissive=False)
    c.poly([(-3, 0.62), (3, 0.62), (3, 1.2), (-3, 1.2)], (170, 166, 156))  # platform
    c.rect(-3, 0.6, 3, 0.63, (230, 200, 40))  # yellow line
    c.rect(-3, HORIZON + 0.04, 3, 0.6, (70, 66, 60))  # track bed
    for y in (0.52, 0.57):
        c.line([(-3, y), (3, y)], (180, 180, 186), 0.005)
    for i in range(-20, 21):
        c.line([(i * 0.12, 0.5), (i * 0.12 + 0.02, 0.59)], (90, 70, 50), 0.006)
    c.ellipse(0.0, 0.2, 0.05, 0.05, (240, 240, 236))  # platform clock
    c.line([(0.0, 0.2), (0.0, 0.165)], (20, 20, 20), 0.004)
    c.line([(0.0, 0.2), (0.025, 0.2)], (20, 20, 20), 0.004)


def site(c: Canvas) -> None:
    sky(c)
    ground(c, (150, 120, 90), (170, 150, 120))
    for level in range(5):  # a steel frame going up
        y = HORIZON + 0.05 - level * 0.08
        c.line([(-0.9, y), (-0.3, y)], (150, 80, 50), 0.008)
        for x in (-0.9, -0.7, -0.5, -0.3):
            c.line([(x, y), (x, y - 0.08)], (150, 80, 50), 0.008)
    c.line([(0.6, HORIZON + 0.1), (0.6, 0.05)], (230, 180, 40), 0.014)  # tower crane
    c.line([(0.3, 0.06), (1.4, 0.06)], (230, 180, 40), 0.01)
    c.line([(1.1, 0.06), (1.1, 0.3)], (60, 60, 60), 0.003)
    c.rect(1.05, 0.3, 1.15, 0.32, (150, 80, 50))
    for x in (-0.2, 0.2):  # barriers
        c.rect(x - 0.12, 0.8, x + 0.12, 0.84, (240, 120, 40))
        c.rect(x - 0.1, 0.84, x - 0.09, 0.92, (60, 60, 60))
        c.rect(x + 0.09, 0.84, x + 0.1, 0.92, (60, 60, 60))


def neutral(c: Canvas) -> None:
    """A plain stage (sky and ground outside, walls inside) with the place's name on a slate, for a
    place the set library does not know: it says where we are without pretending to be elsewhere."""
    if c.interior:
        box_room(c, (170, 166, 158), (120, 116, 110), (190, 186, 180), floor_lines=False)
        lamp(c, 0.0, 0.06)
    else:
        sky(c)
        ground(c, (130, 126, 116), (150, 146, 136))
    label = " ".join(c.label.upper().split())[:40]
    if label:
        c.rect(-0.36, 0.2, 0.36, 0.3, (30, 30, 34), k=1.0)
        c.text(label, 0.0, 0.25, 0.045, (240, 240, 236))
