"""Exterior sets: street, forest, beach, mountain, rooftop and park."""
from __future__ import annotations

import math

from core.providers.local.canvas import Canvas
from core.providers.local.sets.common import HORIZON, ground, sky


def _street(c: Canvas):
    sky(c)
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
    sky(c)
    p = c.palette
    ground(c, (70, 110, 50), (96, 130, 80))
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
    sky(c, HORIZON)
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
    sky(c)
    ground(c, (150, 130, 90), (170, 160, 120))
    for x, h, w, col in ((-0.7, 0.32, 0.5, (110, 110, 130)), (0.1, 0.4, 0.6, (96, 100, 120)),
                         (0.8, 0.28, 0.45, (120, 116, 130))):
        c.poly([(x - w, HORIZON + 0.01), (x, HORIZON - h), (x + w, HORIZON + 0.01)], col)
        c.poly([(x - w * 0.22, HORIZON - h * 0.78), (x, HORIZON - h), (x + w * 0.22, HORIZON - h * 0.78)],
               (245, 245, 250))
        c.poly([(x, HORIZON - h), (x + w, HORIZON + 0.01), (x + w * 0.3, HORIZON + 0.01)], col, k=0.8)


def _rooftop(c: Canvas):
    sky(c, 0.6)
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
    sky(c)
    ground(c, (80, 140, 60), (120, 170, 90))
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
