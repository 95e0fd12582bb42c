"""Character looks for storyboard frames: colours and distinguishing marks parsed from a style
card ("MAYA: red coat, short black hair, scar over left eye; TOM: tall, blue hoodie, glasses"),
with stable hash-derived colours for anything the card leaves out, so a character looks the same
in every shot.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from PIL import Image

RGB = tuple[int, int, int]

COLOURS: dict[str, RGB] = {
    "red": (196, 44, 44), "crimson": (170, 24, 52), "scarlet": (214, 40, 30), "maroon": (118, 30, 40),
    "burgundy": (120, 28, 48), "orange": (228, 124, 36), "yellow": (232, 196, 52), "mustard": (200, 160, 40),
    "gold": (212, 170, 60), "golden": (212, 170, 60), "green": (52, 140, 72), "olive": (110, 116, 52),
    "emerald": (30, 140, 90), "teal": (30, 128, 128), "turquoise": (52, 180, 180), "blue": (48, 92, 190),
    "navy": (30, 40, 96), "cyan": (60, 180, 210), "purple": (112, 56, 150), "violet": (130, 80, 190),
    "lavender": (170, 150, 210), "pink": (226, 120, 160), "magenta": (190, 40, 140), "brown": (110, 72, 44),
    "tan": (190, 150, 104), "beige": (206, 186, 150), "khaki": (178, 160, 110), "cream": (236, 226, 200),
    "black": (32, 32, 36), "white": (236, 236, 232), "grey": (128, 128, 132), "gray": (128, 128, 132),
    "silver": (180, 182, 188), "charcoal": (60, 62, 66), "denim": (70, 96, 140), "leather": (80, 50, 34),
}
HAIR_COLOURS: dict[str, RGB] = {
    "black": (28, 24, 24), "dark": (46, 34, 28), "brown": (92, 60, 36), "brunette": (80, 52, 32),
    "blonde": (222, 190, 110), "blond": (222, 190, 110), "red": (168, 66, 30), "ginger": (186, 90, 40),
    "auburn": (130, 50, 30), "grey": (150, 150, 150), "gray": (150, 150, 150), "silver": (196, 196, 200),
    "white": (230, 230, 226), "pink": (230, 130, 170), "blue": (70, 100, 200), "green": (60, 150, 90),
    "purple": (120, 70, 160),
}
SKIN_TONES: dict[str, RGB] = {
    "pale": (246, 218, 200), "fair": (240, 208, 184), "light": (232, 196, 168), "olive": (196, 156, 112),
    "tan": (200, 150, 110), "tanned": (200, 150, 110), "brown": (150, 100, 66), "dark": (104, 68, 46),
    "deep": (84, 54, 38), "ebony": (70, 46, 34),
}
_DEFAULT_SKINS = [(240, 208, 184), (226, 186, 150), (198, 150, 110), (160, 110, 74), (112, 74, 50)]
_DEFAULT_HAIRS = [(28, 24, 24), (92, 60, 36), (222, 190, 110), (130, 50, 30), (60, 40, 28)]
_DEFAULT_CLOTHES = ["red", "blue", "green", "orange", "purple", "teal", "mustard", "navy", "burgundy",
                    "olive", "pink", "charcoal"]
GARMENTS = {"coat": "coat", "trenchcoat": "coat", "overcoat": "coat", "raincoat": "coat", "parka": "coat",
            "jacket": "jacket", "blazer": "jacket", "suit": "jacket", "hoodie": "hoodie", "sweater": "sweater",
            "jumper": "sweater", "cardigan": "sweater", "shirt": "shirt", "t-shirt": "shirt", "tshirt": "shirt",
            "blouse": "shirt", "top": "shirt", "vest": "shirt", "dress": "dress", "gown": "dress",
            "robe": "dress", "uniform": "jacket", "waistcoat": "jacket", "tunic": "shirt",
            "overalls": "shirt", "apron": "shirt", "scrubs": "shirt"}
LEGWEAR = ("jeans", "trousers", "pants", "skirt", "shorts", "leggings", "slacks")
MARKS = {"glasses": "glasses", "spectacles": "glasses", "sunglasses": "sunglasses", "beard": "beard",
         "moustache": "moustache", "mustache": "moustache", "stubble": "stubble", "hat": "hat",
         "fedora": "hat", "cap": "cap", "beanie": "beanie", "scar": "scar", "ponytail": "ponytail",
         "bun": "bun", "braid": "braid", "braids": "braid", "earring": "earrings", "earrings": "earrings",
         "freckles": "freckles", "eyepatch": "eyepatch", "scarf": "scarf", "tie": "tie",
         "headphones": "headphones", "bald": "bald", "tattoo": "tattoo", "bandana": "bandana",
         "necklace": "necklace", "mask": "mask"}
HAIR_STYLES = ("short", "long", "curly", "bob", "afro", "spiky", "shaved", "wavy")


@dataclass(frozen=True)
class Look:
    """How one character is drawn. Colours are RGB tuples; ``marks`` is a set of mark names."""

    name: str
    skin: RGB
    hair: RGB
    hair_style: str
    clothes: RGB
    garment: str
    legs: RGB
    accent: RGB
    marks: frozenset[str] = field(default_factory=frozenset)
    height: float = 1.0  # relative body height (tall 1.08, short 0.9, child 0.72)
    width: float = 1.0   # relative build
    scar_side: str = "left"
    old: bool = False
    beard: RGB | None = None  # a beard's own colour ("white beard"); None: the hair's


def _h(name: str, salt: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{salt}:{name.strip().lower()}".encode()).digest()[:4], "big")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z][a-z-]*", text.lower())


def split_style_card(character_styles: str) -> dict[str, str]:
    """Return {NAME (upper case): description} from "NAME: desc; NAME2: desc" (";" or newlines)."""
    out: dict[str, str] = {}
    for part in re.split(r"[;\n]+", character_styles or ""):
        if ":" in part:
            name, desc = part.split(":", 1)
            if name.strip():
                out[name.strip().upper()] = desc.strip()
    return out


def default_look(name: str) -> Look:
    """Return the look a name gets when its card says nothing: stable colours from a hash."""
    clothes = COLOURS[_DEFAULT_CLOTHES[_h(name, "clothes") % len(_DEFAULT_CLOTHES)]]
    accent = COLOURS[_DEFAULT_CLOTHES[_h(name, "accent") % len(_DEFAULT_CLOTHES)]]
    return Look(name=name, skin=_DEFAULT_SKINS[_h(name, "skin") % len(_DEFAULT_SKINS)],
                hair=_DEFAULT_HAIRS[_h(name, "hair") % len(_DEFAULT_HAIRS)],
                hair_style=("short", "long", "short", "curly", "bob")[_h(name, "style") % 5],
                clothes=clothes, garment=("jacket", "shirt", "sweater", "coat")[_h(name, "garment") % 4],
                legs=((40, 44, 60), (60, 60, 64), (70, 96, 140), (90, 70, 50))[_h(name, "legs") % 4],
                accent=accent)


def parse_look(name: str, description: str) -> Look:
    """Return the Look for ``name`` described by ``description`` (colours and marks found in it)."""
    look = default_look(name)
    changes: dict = {}
    marks: set[str] = set()
    for phrase in re.split(r"[,.]+|\band\b|\bwith\b", description.lower()):
        words = _words(phrase)
        if not words:
            continue
        colour = next((COLOURS[w] for w in words if w in COLOURS), None)
        if "hair" in words or "haired" in phrase:
            hc = next((HAIR_COLOURS[w] for w in words if w in HAIR_COLOURS), None)
            if hc:
                changes["hair"] = hc
            style = next((w for w in words if w in HAIR_STYLES), None)
            if style:
                changes["hair_style"] = style
        garment = next((GARMENTS[w] for w in words if w in GARMENTS), None)
        if garment:
            changes["garment"] = garment
            if colour:
                changes["clothes"] = colour
        if any(w in LEGWEAR for w in words):
            changes["legs"] = colour or (COLOURS["denim"] if "jeans" in words else look.legs)
        if "skin" in words or "skinned" in phrase or "complexion" in words:
            skin = next((SKIN_TONES[w] for w in words if w in SKIN_TONES), None)
            if skin:
                changes["skin"] = skin
        for w in words:
            if w in MARKS:
                marks.add(MARKS[w])
                if MARKS[w] in ("scarf", "tie", "hat", "cap", "beanie", "bandana") and colour:
                    changes["accent"] = colour
            if w in ("ponytail", "bun", "braid", "braids", "bald"):
                changes["hair_style"] = w.rstrip("s") if w == "braids" else w
            if w in ("tall", "lanky"):
                changes["height"] = 1.08
            if w in ("short", "small", "petite") and "hair" not in words:
                changes["height"] = 0.9
            if w in ("child", "kid", "boy", "girl", "young") and "woman" not in words:
                changes["height"] = 0.72 if w != "young" else look.height
            if w in ("stocky", "broad", "heavy", "burly", "big"):
                changes["width"] = 1.2
            if w in ("slim", "thin", "skinny", "slender"):
                changes["width"] = 0.88
            if w in ("old", "elderly", "aged", "grandmother", "grandfather"):
                changes["old"] = True
        if ("beard" in words or "moustache" in words or "mustache" in words) and "hair" not in words:
            bc = next((HAIR_COLOURS[w] for w in words if w in HAIR_COLOURS), None)
            if bc:
                changes["beard"] = bc
        if "scar" in words and "right" in words:
            changes["scar_side"] = "right"
    changes.update(_age_and_gender(description.lower(), look, changes))
    if changes.get("old") and "hair" not in changes:
        changes["hair"] = HAIR_COLOURS["grey"]
    return replace(look, marks=frozenset(marks), **changes)


_FEMALE = re.compile(r"\b(she|her|woman|girl|lady|mother|grandmother|granny|aunt|daughter|sister|wife|queen|mrs|ms|female)\b")
_MALE = re.compile(r"\b(he|his|him|man|boy|father|grandfather|grandpa|uncle|son|brother|husband|king|mr|male)\b")
_AGE = re.compile(r"(?:^|[\s(,;])(\d{1,2})(?:s\b|\b)(?!\s*(?:%|cm|kg|m\b|minutes?|hours?|days?))")


def _age_and_gender(text: str, look: Look, changes: dict) -> dict:
    """Age (a number, "60s", "70-year-old") and gender (woman/man, pronouns) read from the whole
    description: children are small, sixty and over is old (grey hair unless one is named), and
    a gender picks the default hair style the description did not give."""
    out: dict = {}
    m = _AGE.search(text)
    age = int(m.group(1)) if m else None
    if age is not None:
        if age < 13:
            out["height"] = 0.72
        elif age < 17:
            out["height"] = 0.9
        if age >= 60:
            out["old"] = True
    if re.search(r"\b(shaved|shaven) head\b|\bbald\b", text):
        out["hair_style"] = "shaved" if "shave" in text else "bald"
    f, m_ = len(_FEMALE.findall(text)), len(_MALE.findall(text))
    if "hair_style" not in changes and "hair_style" not in out and f != m_:
        styles = ("long", "bob", "wavy", "ponytail") if f > m_ else ("short", "short", "curly", "spiky")
        out["hair_style"] = styles[_h(look.name, "gender-style") % len(styles)]
    if f > m_ and "width" not in changes:
        out["width"] = 0.92
    return out


def dominant_colour(path: Path) -> RGB | None:
    """Return the most common saturated colour of an image's centre (where clothing usually is),
    or None when the file cannot be read."""
    try:
        with Image.open(path) as im:
            im = im.convert("RGB")
            w, h = im.size
            im = im.crop((w // 5, h // 4, w - w // 5, h)).resize((48, 48))
    except (OSError, ValueError):
        return None
    q = im.quantize(colors=6, method=Image.Quantize.MEDIANCUT)
    palette = q.getpalette()[: 6 * 3]
    counts = sorted(q.getcolors() or [], reverse=True)
    best = None
    for count, idx in counts:
        rgb = tuple(palette[idx * 3: idx * 3 + 3])
        mx, mn = max(rgb), min(rgb)
        if mx - mn > 40 and 40 < mx < 250:  # skip greys, white backdrops and near-black
            return rgb  # type: ignore[return-value]
        best = best or rgb
    return best  # type: ignore[return-value]


def looks_for(*, characters: list[str], character_styles: str = "",
              reference_images: list[Path] = ()) -> list[Look]:
    """Return one Look per character name, in order.

    A card entry is matched by name (case-insensitive, first word also matches: "MAYA" ↔ "Maya
    Lopez"); a card without names applies to a lone character. The first reference image's
    dominant colour overrides the first character's clothing colour.
    """
    cards = split_style_card(character_styles)
    if not cards and character_styles.strip() and len(characters) == 1:
        cards = {characters[0].upper(): character_styles}
    looks = []
    for name in characters:
        key = name.strip().upper()
        desc = cards.get(key) or next((d for k, d in cards.items() if k.split()[0] == key.split()[0]), "")
        looks.append(parse_look(name, desc))
    if looks and reference_images:
        colour = dominant_colour(Path(reference_images[0]))
        if colour:
            looks[0] = replace(looks[0], clothes=colour)
    return looks


def shade(rgb: RGB, factor: float) -> RGB:
    """Return the colour darkened (factor < 1) or lightened (factor > 1)."""
    if factor <= 1:
        return tuple(int(c * factor) for c in rgb)  # type: ignore[return-value]
    return tuple(int(c + (255 - c) * (factor - 1)) for c in rgb)  # type: ignore[return-value]


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """Return the colour t of the way from a to b."""
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))  # type: ignore[return-value]
