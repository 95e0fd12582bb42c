"""Shared pieces of the storyboard sets: sky and sun/moon for the time of day, ground, a
one-point-perspective room, windows and lamps. Coordinates are Canvas units (frame height = 1)."""
from __future__ import annotations

from core.providers.local.canvas import Canvas
from core.providers.local.styles import mix

HORIZON = 0.46


# --- skies ---------------------------------------------------------------------------------------
def sky(c: Canvas, bottom: float = HORIZON + 0.02, *, x_span: float = 2.5) -> None:
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


def ground(c: Canvas, near, far, *, lines: bool = False, line_col=None) -> None:
    c.vgradient(HORIZON, 1.0, far, near, emissive=False)
    if lines:
        # Converging lines toward the vanishing point read as depth even on a flat colour.
        for i in range(-14, 15):
            c.line([(0, HORIZON), (i * 0.35, 1.3)], line_col or near, 0.002, k=0.85)


# --- interiors -----------------------------------------------------------------------------------
def box_room(c: Canvas, wall, floor, ceiling, *, back=(-0.55, 0.1, 0.55, 0.66), floor_lines=True):
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


def window(c: Canvas, x0, y0, x1, y1, frame=(240, 240, 236), *, view="sky"):
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


def lamp(c: Canvas, x, y, col=(255, 214, 150)):
    c.line([(x, 0.0), (x, y - 0.03)], (40, 40, 40), 0.003)
    c.poly([(x - 0.04, y), (x + 0.04, y), (x + 0.02, y - 0.035), (x - 0.02, y - 0.035)], (60, 60, 62))
    if c.palette.night or c.interior:
        c.glow(x, y + 0.02, 0.22, col, 0.35 if c.palette.night else 0.18)
