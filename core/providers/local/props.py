"""Objects for insert shots: the prompt's noun (phone, letter, key, gun, cup, book, photo, knife,
ring, laptop…) drawn large on a table surface in front of the softened set."""
from __future__ import annotations

from core.providers.local.canvas import Canvas
from core.providers.local.styles import shade

_OBJECTS = [
    ("phone", ("phone", "cellphone", "smartphone", "text message", "screen")),
    ("letter", ("letter", "note", "envelope", "paper", "document", "file", "page", "map", "contract")),
    ("key", ("key", "keys")),
    ("gun", ("gun", "pistol", "revolver", "weapon")),
    ("cup", ("cup", "mug", "coffee", "tea", "drink", "whiskey", "wine")),  # not "glass": a glass counter is no cup
    ("book", ("book", "diary", "journal", "notebook")),
    ("photo", ("photo", "photograph", "picture", "polaroid")),
    ("knife", ("knife", "blade", "dagger")),
    ("ring", ("ring", "jewel", "necklace")),
    ("laptop", ("laptop", "computer", "monitor")),
]


def object_for(prompt: str) -> str:
    """Return the object an insert shot shows (a box when the prompt names none we know)."""
    words = f" {prompt.lower()} "
    for name, keys in _OBJECTS:
        if any(f" {k}" in words and (f"{k} " in words or f"{k}." in words or f"{k}," in words or f"{k}s" in words)
               for k in keys):
            return name
    return "box"


def draw_table(c: Canvas) -> None:
    """The table surface an insert shot looks down on."""
    c.poly([(-3, 0.62), (3, 0.62), (3, 1.2), (-3, 1.2)], (120, 84, 60))
    for i in range(5):
        c.line([(-3, 0.66 + i * 0.08), (3, 0.68 + i * 0.08)], (100, 70, 50), 0.003)


def draw_insert_object(c: Canvas, *, prompt: str) -> str:
    """Draw the table and the object; return the object's name."""
    draw_table(c)
    c.ellipse(0.05, 0.82, 0.34, 0.06, (0, 0, 0), k=0.2)
    obj = object_for(prompt)
    ink = (30, 30, 34)
    if obj == "phone":
        c.rect(-0.16, 0.36, 0.16, 0.86, (26, 26, 30), radius=0.03)
        c.rect(-0.14, 0.39, 0.14, 0.82, (70, 140, 220), emissive=True)
        for i in range(3):
            c.rect(-0.11, 0.45 + i * 0.09, 0.08 - 0.04 * i, 0.5 + i * 0.09, (240, 240, 250), emissive=True, radius=0.01)
    elif obj == "letter":
        c.poly([(-0.35, 0.5), (0.3, 0.44), (0.36, 0.86), (-0.3, 0.9)], (244, 238, 222))
        for i in range(7):
            y = 0.54 + i * 0.045
            c.line([(-0.27, y + 0.01), (0.25, y - 0.03)], (60, 60, 90), 0.004)
    elif obj == "key":
        c.ellipse(-0.18, 0.66, 0.1, 0.1, (210, 180, 80))
        c.ellipse(-0.18, 0.66, 0.04, 0.04, (120, 84, 60))
        c.rect(-0.09, 0.64, 0.3, 0.68, (210, 180, 80))
        c.rect(0.2, 0.68, 0.23, 0.73, (210, 180, 80))
        c.rect(0.26, 0.68, 0.29, 0.72, (210, 180, 80))
    elif obj == "gun":
        c.poly([(-0.3, 0.56), (0.3, 0.56), (0.3, 0.64), (-0.1, 0.64), (-0.12, 0.82), (-0.26, 0.82), (-0.24, 0.64),
                (-0.3, 0.64)], (46, 46, 50))
        c.line([(-0.28, 0.58), (0.28, 0.58)], (90, 90, 96), 0.006)
    elif obj == "cup":
        c.rect(-0.16, 0.46, 0.16, 0.8, (236, 236, 232), radius=0.02)
        c.rect(0.06, 0.46, 0.16, 0.8, (236, 236, 232), k=0.8)
        c.ellipse(0.0, 0.46, 0.16, 0.04, (90, 56, 36))
        c.arc(0.2, 0.62, 0.07, 0.09, 270, 90, (236, 236, 232), 0.02)
        for i in range(3):
            c.arc(-0.05 + i * 0.05, 0.36, 0.02, 0.06, 90, 270, (220, 220, 220), 0.004)
    elif obj == "book":
        c.poly([(-0.36, 0.52), (0.32, 0.5), (0.38, 0.82), (-0.32, 0.86)], (130, 40, 40))
        c.poly([(-0.33, 0.53), (0.3, 0.51), (0.3, 0.54), (-0.33, 0.56)], (240, 230, 210))
        c.line([(0.0, 0.51), (0.02, 0.84)], shade((130, 40, 40), 0.6), 0.008)
    elif obj == "photo":
        c.poly([(-0.26, 0.44), (0.24, 0.42), (0.28, 0.84), (-0.22, 0.86)], (248, 248, 244))
        c.poly([(-0.22, 0.48), (0.2, 0.46), (0.23, 0.74), (-0.19, 0.76)], (120, 160, 200))
        c.ellipse(-0.05, 0.6, 0.05, 0.06, (230, 196, 168))
        c.ellipse(0.08, 0.61, 0.05, 0.06, (200, 150, 110))
    elif obj == "knife":
        c.poly([(-0.35, 0.64), (0.15, 0.6), (0.15, 0.67), (-0.35, 0.67)], (200, 204, 210))
        c.rect(0.15, 0.59, 0.42, 0.69, (70, 40, 30), radius=0.02)
    elif obj == "ring":
        c.ellipse(0.0, 0.7, 0.14, 0.08, (220, 190, 90))
        c.ellipse(0.0, 0.7, 0.1, 0.05, (120, 84, 60))
        c.ellipse(0.0, 0.6, 0.04, 0.04, (200, 230, 255), emissive=True)
    elif obj == "laptop":
        c.poly([(-0.4, 0.8), (0.4, 0.8), (0.46, 0.88), (-0.46, 0.88)], (170, 172, 178))
        c.rect(-0.36, 0.4, 0.36, 0.8, (40, 40, 44), radius=0.02)
        c.rect(-0.33, 0.43, 0.33, 0.77, (80, 160, 220), emissive=True)
    else:
        c.rect(-0.2, 0.5, 0.2, 0.82, (170, 130, 80))
        c.poly([(-0.2, 0.5), (0.2, 0.5), (0.26, 0.45), (-0.14, 0.45)], (190, 150, 100))
        c.poly([(0.2, 0.5), (0.26, 0.45), (0.26, 0.77), (0.2, 0.82)], (130, 100, 60))
    c.line([(-0.5, 0.9), (0.5, 0.9)], ink, 0.0)
    return obj
