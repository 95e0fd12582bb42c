"""Characters for storyboard frames: flat-shaded figures lit from the left, with faces (eyes,
brows, nose, mouth), hair styles and distinguishing marks from the character's Look.

Sizes are in head units ``hu`` (the head's height, in frame-height units), so the same figure
reads as a tiny person in an extreme wide shot or a face filling a close-up.
"""
from __future__ import annotations

from core.providers.local.canvas import Canvas
from core.providers.local.styles import Look, mix, shade

INK = (34, 30, 36)


def _outline(c: Canvas, hu: float) -> int:
    return max(1, int(c.S(hu * 0.022)))


def _poly(c: Canvas, pts, col, hu, k=1.0):
    fill = c.g(col, k)
    c.d.polygon([(c.X(x), c.Y(y)) for x, y in pts], fill=fill, outline=c.g(shade(col, 0.45), k),
                width=_outline(c, hu))


def _ell(c: Canvas, cx, cy, rx, ry, col, hu, k=1.0, outline=True):
    box = [c.X(cx - rx), c.Y(cy - ry), c.X(cx + rx), c.Y(cy + ry)]
    c.d.ellipse(box, fill=c.g(col, k), outline=c.g(shade(col, 0.45), k) if outline else None,
                width=_outline(c, hu) if outline else 0)


def draw_figure(c: Canvas, look: Look, *, x: float, head_y: float, hu: float, facing: str = "front",
                k: float = 1.0, mouth_open: float = 0.0) -> None:
    """Draw one character with the head centred at (x, head_y), head height ``hu``.

    ``facing`` is "front", "left", "right" (three-quarter turn) or "back" (over-the-shoulder
    foreground). ``k`` darkens the whole figure (foreground silhouettes, night).
    """
    w = look.width
    sh_y, waist_y, hip_y = head_y + 0.78 * hu, head_y + 2.7 * hu, head_y + 3.2 * hu
    feet_y = head_y + 6.6 * hu
    sw, ww = 0.98 * hu * w, 0.7 * hu * w  # half widths at shoulders and waist
    cloth = look.clothes
    # Cast shadow on the ground grounds a full figure in the set.
    if feet_y < 1.3:
        c.ellipse(x + 0.3 * hu, feet_y + 0.05 * hu, 1.2 * hu * w, 0.18 * hu, (0, 0, 0), k=0.25 if k > 0.5 else 0.1)
    # Long hair hangs behind the body.
    if look.hair_style in ("long", "wavy", "braid") and facing != "back":
        _poly(c, [(x - 0.5 * hu, head_y - 0.1 * hu), (x + 0.5 * hu, head_y - 0.1 * hu),
                  (x + 0.58 * hu, head_y + 1.25 * hu), (x - 0.58 * hu, head_y + 1.25 * hu)], look.hair, hu, k)
    if look.hair_style == "afro":
        _ell(c, x, head_y - 0.12 * hu, 0.72 * hu, 0.66 * hu, look.hair, hu, k)
    # Legs and shoes.
    legs = look.legs
    for side in (-1, 1):
        lx = x + side * 0.3 * hu * w
        _poly(c, [(lx - 0.27 * hu, hip_y - 0.3 * hu), (lx + 0.27 * hu, hip_y - 0.3 * hu),
                  (lx + 0.2 * hu, feet_y - 0.1 * hu), (lx - 0.2 * hu, feet_y - 0.1 * hu)], legs, hu,
              k * (0.8 if side > 0 else 1.0))
        _ell(c, lx + side * 0.06 * hu, feet_y - 0.06 * hu, 0.28 * hu, 0.12 * hu, (40, 32, 30), hu, k)
    # Torso: garment shape, with a shaded right side (key light from the left).
    hem = {"coat": head_y + 5.0 * hu, "dress": head_y + 4.7 * hu}.get(look.garment, hip_y + 0.1 * hu)
    hem_w = ww * (1.35 if look.garment in ("coat", "dress") else 1.05)
    body = [(x - sw, sh_y + 0.12 * hu), (x - sw * 0.55, sh_y - 0.04 * hu), (x + sw * 0.55, sh_y - 0.04 * hu),
            (x + sw, sh_y + 0.12 * hu), (x + ww * 1.02, waist_y), (x + hem_w, hem), (x - hem_w, hem),
            (x - ww * 1.02, waist_y)]
    _poly(c, body, cloth, hu, k)
    c.poly([(x + sw * 0.45, sh_y), (x + sw, sh_y + 0.12 * hu), (x + ww * 1.02, waist_y), (x + hem_w, hem),
            (x + hem_w * 0.55, hem), (x + ww * 0.5, waist_y)], cloth, k=k * 0.72)
    if look.garment in ("coat", "jacket"):  # lapels and opening
        c.line([(x, sh_y + 0.1 * hu), (x, hem)], shade(cloth, 0.5), 0.02 * hu, k=k)
        c.poly([(x - 0.25 * hu, sh_y), (x, sh_y + 0.9 * hu), (x - 0.05 * hu, sh_y)], shade(cloth, 0.8), k=k)
        c.poly([(x + 0.25 * hu, sh_y), (x, sh_y + 0.9 * hu), (x + 0.05 * hu, sh_y)], shade(cloth, 0.65), k=k)
    if look.garment == "hoodie" and facing != "back":
        c.arc(x, sh_y + 0.05 * hu, 0.42 * hu, 0.25 * hu, 0, 180, shade(cloth, 0.6), 0.05 * hu, k=k)
        c.line([(x - 0.1 * hu, sh_y + 0.2 * hu), (x - 0.12 * hu, sh_y + 0.7 * hu)], (230, 230, 230), 0.015 * hu, k=k)
        c.line([(x + 0.1 * hu, sh_y + 0.2 * hu), (x + 0.12 * hu, sh_y + 0.7 * hu)], (230, 230, 230), 0.015 * hu, k=k)
    if "tie" in look.marks and facing != "back":
        _poly(c, [(x - 0.06 * hu, sh_y + 0.05 * hu), (x + 0.06 * hu, sh_y + 0.05 * hu), (x + 0.1 * hu, sh_y + 1.3 * hu),
                  (x, sh_y + 1.45 * hu), (x - 0.1 * hu, sh_y + 1.3 * hu)], look.accent, hu, k)
    # Arms hang at the sides, hands in skin tone.
    for side in (-1, 1):
        ax = x + side * (sw - 0.12 * hu)
        hand_y = head_y + 3.45 * hu
        _poly(c, [(ax - 0.2 * hu, sh_y + 0.1 * hu), (ax + 0.2 * hu, sh_y + 0.1 * hu),
                  (ax + side * 0.18 * hu + 0.15 * hu, hand_y - 0.15 * hu),
                  (ax + side * 0.18 * hu - 0.15 * hu, hand_y - 0.15 * hu)], cloth, hu, k * (0.78 if side > 0 else 0.95))
        _ell(c, ax + side * 0.18 * hu, hand_y, 0.15 * hu, 0.18 * hu, look.skin, hu, k)
    # Neck and head.
    _poly(c, [(x - 0.15 * hu, head_y + 0.3 * hu), (x + 0.15 * hu, head_y + 0.3 * hu), (x + 0.17 * hu, sh_y + 0.05 * hu),
              (x - 0.17 * hu, sh_y + 0.05 * hu)], shade(look.skin, 0.85), hu, k)
    if "scarf" in look.marks:
        _poly(c, [(x - 0.42 * hu, sh_y - 0.12 * hu), (x + 0.42 * hu, sh_y - 0.12 * hu), (x + 0.38 * hu, sh_y + 0.16 * hu),
                  (x - 0.38 * hu, sh_y + 0.16 * hu)], look.accent, hu, k)
        _poly(c, [(x + 0.1 * hu, sh_y + 0.1 * hu), (x + 0.3 * hu, sh_y + 0.1 * hu), (x + 0.28 * hu, sh_y + 0.9 * hu),
                  (x + 0.12 * hu, sh_y + 0.9 * hu)], look.accent, hu, k * 0.85)
    draw_head(c, look, x=x, y=head_y, hu=hu, facing=facing, k=k, mouth_open=mouth_open)


def draw_head(c: Canvas, look: Look, *, x: float, y: float, hu: float, facing: str = "front",
              k: float = 1.0, mouth_open: float = 0.0) -> None:
    """Draw a head (face, hair, marks) of height ``hu`` centred at (x, y)."""
    rx, ry = 0.38 * hu, 0.5 * hu
    skin = look.skin
    turn = {"left": -1.0, "right": 1.0}.get(facing, 0.0)
    if facing == "back":
        _ell(c, x, y, rx * 1.05, ry, look.hair if look.hair_style != "bald" else skin, hu, k)
        _ell(c, x - rx * 0.98, y + 0.05 * hu, 0.07 * hu, 0.12 * hu, skin, hu, k)
        _ell(c, x + rx * 0.98, y + 0.05 * hu, 0.07 * hu, 0.12 * hu, skin, hu, k)
        return
    fx = x + turn * 0.1 * hu  # features shift toward the way the head turns
    for side in (-1, 1):  # ears
        if turn * side <= 0 or turn == 0:
            _ell(c, x + side * rx * 0.98, y + 0.03 * hu, 0.07 * hu, 0.12 * hu, shade(skin, 0.92), hu, k)
    _ell(c, x, y, rx, ry, shade(skin, 0.82), hu, k)
    # Lit part of the face: a slightly smaller ellipse pushed toward the key light.
    c.ellipse(x - 0.05 * hu, y - 0.02 * hu, rx * 0.9, ry * 0.93, skin, k=k)
    _hair(c, look, x, y, hu, k, turn)
    ey = y - 0.02 * hu
    for side in (-1, 1):
        ex = fx + side * 0.15 * hu
        c.ellipse(ex, ey, 0.075 * hu, 0.05 * hu, (250, 250, 248), k=k)
        c.ellipse(ex + turn * 0.025 * hu, ey, 0.036 * hu, 0.042 * hu, (50, 40, 36), k=k)
        c.ellipse(ex + turn * 0.025 * hu - 0.012 * hu, ey - 0.015 * hu, 0.01 * hu, 0.01 * hu, (255, 255, 255), k=k)
        c.line([(ex - 0.08 * hu, ey - 0.09 * hu), (ex + 0.08 * hu, ey - 0.1 * hu - side * 0.01 * hu)],
               shade(look.hair, 0.8), 0.03 * hu, k=k)
    c.line([(fx + 0.01 * hu, ey + 0.04 * hu), (fx + 0.045 * hu, y + 0.15 * hu), (fx - 0.01 * hu, y + 0.16 * hu)],
           shade(skin, 0.6), 0.018 * hu, k=k)
    my = y + 0.28 * hu
    c.mouths.append((c.X(fx), c.Y(my), c.S(0.22 * hu), look.name))
    if mouth_open > 0.05:
        c.ellipse(fx, my, 0.1 * hu, 0.02 * hu + 0.06 * hu * mouth_open, (110, 30, 40), k=k)
    else:
        c.arc(fx, my - 0.05 * hu, 0.1 * hu, 0.06 * hu, 20, 160, (150, 60, 60), 0.022 * hu, k=k)
    if look.old:
        for side in (-1, 1):
            c.line([(fx + side * 0.2 * hu, y + 0.12 * hu), (fx + side * 0.14 * hu, y + 0.26 * hu)],
                   shade(skin, 0.7), 0.012 * hu, k=k)
    _marks(c, look, x, fx, y, ey, my, hu, k)


def _hair(c: Canvas, look: Look, x, y, hu, k, turn):
    hair, style = look.hair, look.hair_style
    if style in ("bald", "shaved"):
        if style == "shaved":  # a shadow of stubble on the scalp, not a cap of hair
            c.ellipse(x, y - 0.3 * hu, 0.33 * hu, 0.2 * hu, mix(shade(look.skin, 0.8), hair, 0.25), k=k)
        return
    # A cap of hair over the crown, parted toward the turn.
    c.d.chord([c.X(x - 0.41 * hu), c.Y(y - 0.58 * hu), c.X(x + 0.41 * hu), c.Y(y + 0.12 * hu)], 180, 360,
              fill=c.g(hair, k), outline=c.g(shade(hair, 0.5), k), width=_outline(c, hu))
    c.poly([(x - 0.4 * hu, y - 0.24 * hu), (x + 0.05 * hu + turn * 0.1 * hu, y - 0.24 * hu),
            (x - 0.1 * hu, y - 0.12 * hu), (x - 0.38 * hu, y - 0.05 * hu)], hair, k=k)
    c.ellipse(x - 0.15 * hu, y - 0.42 * hu, 0.12 * hu, 0.05 * hu, shade(hair, 1.18), k=k)  # sheen
    if style in ("bob", "long", "wavy", "braid"):
        for side in (-1, 1):
            _poly(c, [(x + side * 0.42 * hu, y - 0.25 * hu), (x + side * 0.3 * hu, y - 0.25 * hu),
                      (x + side * 0.3 * hu, y + 0.3 * hu), (x + side * 0.44 * hu, y + 0.35 * hu)], hair, hu, k)
    if style == "curly":
        for i in range(7):
            c.ellipse(x - 0.36 * hu + i * 0.12 * hu, y - 0.44 * hu + abs(i - 3) * 0.04 * hu, 0.1 * hu, 0.1 * hu,
                      hair, k=k)
    if style == "spiky":
        for i in range(5):
            sx = x - 0.3 * hu + i * 0.15 * hu
            c.poly([(sx - 0.07 * hu, y - 0.4 * hu), (sx, y - 0.7 * hu), (sx + 0.07 * hu, y - 0.4 * hu)], hair, k=k)
    if style == "ponytail" or "ponytail" in look.marks:
        _ell(c, x + 0.48 * hu, y - 0.05 * hu, 0.13 * hu, 0.38 * hu, hair, hu, k)
    if style == "bun" or "bun" in look.marks:
        _ell(c, x, y - 0.62 * hu, 0.18 * hu, 0.15 * hu, hair, hu, k)


def _marks(c: Canvas, look: Look, x, fx, y, ey, my, hu, k):
    m = look.marks
    if "freckles" in m:
        for i in range(8):
            c.ellipse(fx + (-1) ** i * (0.1 + 0.02 * (i % 3)) * hu, y + (0.06 + 0.015 * (i % 2)) * hu,
                      0.008 * hu, 0.008 * hu, shade(look.skin, 0.65), k=k)
    if "beard" in m or "stubble" in m:
        beard = (look.beard or look.hair) if "beard" in m else shade(look.skin, 0.78)
        c.d.chord([c.X(x - 0.37 * hu), c.Y(y - 0.25 * hu), c.X(x + 0.37 * hu), c.Y(y + 0.52 * hu)], 0, 180,
                  fill=c.g(beard, k))
        c.ellipse(fx, my, 0.12 * hu, 0.04 * hu, shade(look.skin, 0.8) if "beard" in m else (150, 60, 60), k=k)
    if "moustache" in m or "beard" in m:
        c.poly([(fx - 0.14 * hu, my - 0.02 * hu), (fx, my - 0.08 * hu), (fx + 0.14 * hu, my - 0.02 * hu),
                (fx, my - 0.04 * hu)], look.beard or look.hair, k=k)
    if "scar" in m:
        sx = fx + (0.15 if look.scar_side == "left" else -0.15) * hu  # the character's left is screen right
        c.line([(sx - 0.05 * hu, ey - 0.17 * hu), (sx + 0.05 * hu, ey + 0.14 * hu)], (176, 52, 56), 0.022 * hu, k=k)
        for t in (0.3, 0.6):
            yy = ey - 0.17 * hu + t * 0.31 * hu
            xx = sx - 0.05 * hu + t * 0.1 * hu
            c.line([(xx - 0.03 * hu, yy), (xx + 0.03 * hu, yy)], (176, 52, 56), 0.012 * hu, k=k)
    if "eyepatch" in m:
        c.ellipse(fx - 0.15 * hu, ey, 0.09 * hu, 0.07 * hu, (20, 20, 20), k=k)
        c.line([(x - 0.38 * hu, ey - 0.2 * hu), (x + 0.38 * hu, ey + 0.05 * hu)], (20, 20, 20), 0.015 * hu, k=k)
    if "glasses" in m or "sunglasses" in m:
        for side in (-1, 1):
            box = [c.X(fx + side * 0.15 * hu - 0.1 * hu), c.Y(ey - 0.08 * hu), c.X(fx + side * 0.15 * hu + 0.1 * hu),
                   c.Y(ey + 0.08 * hu)]
            c.d.rounded_rectangle(box, radius=c.S(0.03 * hu), outline=c.g((30, 30, 34), k),
                                  fill=c.g((24, 26, 30), k) if "sunglasses" in m else None, width=max(1, int(c.S(0.018 * hu))))
        c.line([(fx - 0.05 * hu, ey - 0.02 * hu), (fx + 0.05 * hu, ey - 0.02 * hu)], (30, 30, 34), 0.018 * hu, k=k)
    if "earrings" in m:
        for side in (-1, 1):
            c.ellipse(x + side * 0.38 * hu, y + 0.2 * hu, 0.03 * hu, 0.03 * hu, (230, 200, 90), k=k)
    if "hat" in m:
        c.ellipse(x, y - 0.36 * hu, 0.62 * hu, 0.1 * hu, look.accent, k=k * 0.8)
        _poly(c, [(x - 0.34 * hu, y - 0.38 * hu), (x - 0.3 * hu, y - 0.78 * hu), (x + 0.3 * hu, y - 0.78 * hu),
                  (x + 0.34 * hu, y - 0.38 * hu)], look.accent, hu, k)
        c.rect(x - 0.34 * hu, y - 0.48 * hu, x + 0.34 * hu, y - 0.4 * hu, shade(look.accent, 0.5), k=k)
    if "cap" in m or "beanie" in m:
        c.d.chord([c.X(x - 0.42 * hu), c.Y(y - 0.66 * hu), c.X(x + 0.42 * hu), c.Y(y - 0.04 * hu)], 180, 360,
                  fill=c.g(look.accent, k))
        if "cap" in m:
            c.ellipse(x - 0.2 * hu, y - 0.33 * hu, 0.36 * hu, 0.06 * hu, shade(look.accent, 0.7), k=k)
    if "headphones" in m:
        c.arc(x, y - 0.05 * hu, 0.44 * hu, 0.55 * hu, 180, 360, (40, 40, 44), 0.05 * hu, k=k)
        for side in (-1, 1):
            c.ellipse(x + side * 0.42 * hu, y + 0.02 * hu, 0.08 * hu, 0.13 * hu, (40, 40, 44), k=k)
    if "mask" in m:
        c.d.chord([c.X(x - 0.36 * hu), c.Y(y - 0.1 * hu), c.X(x + 0.36 * hu), c.Y(y + 0.5 * hu)], 0, 180,
                  fill=c.g((120, 170, 200), k))


def draw_hands(c: Canvas, look: Look, *, holding: str | None = None) -> None:
    """POV: the character's own forearms and hands rising from the bottom of the frame."""
    skin, sleeve = look.skin, look.clothes
    hu = 0.5
    for side in (-1, 1):
        bx = side * 0.45
        _poly(c, [(bx - 0.1, 1.05), (bx + 0.1, 1.05), (side * 0.22 + 0.07, 0.82), (side * 0.22 - 0.07, 0.82)],
              sleeve, hu)
        _ell(c, side * 0.2, 0.8, 0.08, 0.07, skin, hu)
        for f in range(4):
            _ell(c, side * (0.14 + f * 0.03), 0.74, 0.018, 0.04, skin, hu * 0.5)
    if holding:
        _ell(c, 0.0, 0.76, 0.09, 0.06, (80, 80, 90), hu)
