"""Place and time from a scene heading: what kind of place the location is (market, shop,
lighthouse…) matched on whole words, and the light of the time of day, with CONTINUOUS, LATER and
headings without a time carrying the previous scene's.

The place kinds are a small shared vocabulary: the prompt builder passes the kind as the ``set``
part, and the local keyframe engine has a set for each. An unknown place gets kind "" (drawn as a
neutral set labelled with the location's name, never a park or a beach).
"""
from __future__ import annotations

import re

# kind → words naming it. Phrases are matched first (whole phrase), then single words from the
# LAST word of the location backwards: the head noun of "HARBOUR STREET" is street, of "CLOCK
# SHOP" shop, of "MARA'S APARTMENT - KITCHEN" kitchen.
_PHRASES = {
    "lamp room": "lamp_room", "lantern room": "lamp_room", "living room": "living_room",
    "sitting room": "living_room", "night market": "market", "food court": "market", "police station": "office",
    "train station": "station", "bus station": "station", "gas station": "street", "petrol station": "street",
    "car park": "street", "parking lot": "street", "sea wall": "beach", "coffee shop": "restaurant",
    "hotel room": "bedroom", "motel room": "bedroom", "space station": "spaceship", "front door": "corridor",
    "back seat": "car", "front seat": "car", "swimming pool": "patio", "construction site": "site",
    "building site": "site", "dining room": "restaurant", "throne room": "mansion", "ball room": "mansion",
}
_WORDS = {
    "market": "market", "markets": "market", "bazaar": "market", "souk": "market", "stall": "market",
    "stalls": "market", "hawker": "market", "fair": "market", "fairground": "market",
    "shop": "shop", "store": "shop", "boutique": "shop", "bakery": "shop", "pharmacy": "shop",
    "bookshop": "shop", "bookstore": "shop", "pawnshop": "shop", "grocery": "shop", "deli": "shop",
    "kiosk": "shop", "florist": "shop", "supermarket": "shop",
    "workshop": "workshop", "garage": "workshop", "shed": "workshop", "forge": "workshop", "smithy": "workshop",
    "atelier": "workshop", "studio": "workshop",
    "lighthouse": "lighthouse",
    "rooftop": "rooftop", "roof": "rooftop", "rooftops": "rooftop",
    "office": "office", "precinct": "office", "newsroom": "office", "bank": "office", "headquarters": "office",
    "hq": "office", "study": "office", "lab": "office", "laboratory": "office",
    "kitchen": "kitchen", "kitchenette": "kitchen",
    "bar": "bar", "pub": "bar", "tavern": "bar", "saloon": "bar", "nightclub": "bar", "club": "bar",
    "restaurant": "restaurant", "cafe": "restaurant", "café": "restaurant", "diner": "restaurant",
    "canteen": "restaurant", "cafeteria": "restaurant", "bistro": "restaurant", "teahouse": "restaurant",
    "patio": "patio", "pool": "patio", "poolside": "patio", "terrace": "patio", "deck": "patio",
    "porch": "patio", "veranda": "patio", "verandah": "patio", "balcony": "patio",
    "mansion": "mansion", "manor": "mansion", "estate": "mansion", "palace": "mansion", "castle": "mansion",
    "villa": "mansion", "ballroom": "mansion", "foyer": "mansion",
    "street": "street", "avenue": "street", "road": "street", "alley": "street", "alleyway": "street",
    "sidewalk": "street", "square": "street", "plaza": "street", "downtown": "street", "boulevard": "street",
    "lane": "street", "highway": "street", "crossroads": "street", "bridge": "street", "city": "street",
    "town": "street", "village": "street",
    "car": "car", "taxi": "car", "cab": "car", "limo": "car", "limousine": "car", "van": "car", "truck": "car",
    "corridor": "corridor", "hallway": "corridor", "hall": "corridor", "passage": "corridor", "lobby": "corridor",
    "entrance": "corridor",
    "stairs": "stairs", "staircase": "stairs", "stairwell": "stairs", "steps": "stairs",
    "warehouse": "warehouse", "factory": "warehouse", "hangar": "warehouse", "depot": "warehouse",
    "barn": "warehouse", "basement": "warehouse", "cellar": "warehouse",
    "station": "station", "platform": "station", "subway": "station", "metro": "station", "train": "station",
    "railway": "station", "terminal": "station", "airport": "station",
    "forest": "forest", "woods": "forest", "wood": "forest", "jungle": "forest", "grove": "forest",
    "trail": "forest", "clearing": "forest",
    "beach": "beach", "shore": "beach", "coast": "beach", "seaside": "beach", "sea": "beach", "ocean": "beach",
    "harbour": "beach", "harbor": "beach", "pier": "beach", "dock": "beach", "docks": "beach", "cove": "beach",
    "bay": "beach", "jetty": "beach", "boardwalk": "beach", "lake": "beach",
    "park": "park", "garden": "park", "gardens": "park", "field": "park", "meadow": "park", "yard": "park",
    "backyard": "park", "playground": "park", "cemetery": "park", "graveyard": "park", "farm": "park",
    "lawn": "park", "countryside": "park",
    "bedroom": "bedroom", "dorm": "bedroom", "nursery": "bedroom",
    "apartment": "living_room", "flat": "living_room", "house": "living_room", "home": "living_room",
    "den": "living_room", "parlour": "living_room", "parlor": "living_room", "lounge": "living_room",
    "trailer": "living_room", "caravan": "living_room", "cabin": "living_room", "cottage": "living_room",
    "farmhouse": "living_room", "room": "living_room",
    "hospital": "hospital", "clinic": "hospital", "ward": "hospital", "infirmary": "hospital",
    "classroom": "classroom", "school": "classroom", "lecture": "classroom", "library": "classroom",
    "spaceship": "spaceship", "starship": "spaceship", "cockpit": "spaceship", "airlock": "spaceship",
    "spacecraft": "spaceship", "shuttle": "spaceship",
    "mountain": "mountain", "mountains": "mountain", "cliff": "mountain", "cliffs": "mountain",
    "peak": "mountain", "canyon": "mountain", "desert": "mountain", "valley": "mountain", "hills": "mountain",
    "site": "site", "construction": "site",
}
PLACE_KINDS = tuple(sorted(set(_WORDS.values()) | set(_PHRASES.values())))
# Kinds that are outdoors when the heading says EXT and no more is known.
_OUTDOOR = {"market", "lighthouse", "rooftop", "patio", "street", "station", "forest", "beach", "park",
            "mountain", "site"}

_LIGHT = [  # (words, light) — most specific first
    (("LATE NIGHT", "MIDNIGHT", "NIGHT", "NIGHTFALL"), "night"),
    (("DAWN", "SUNRISE", "DAYBREAK", "FIRST LIGHT", "EARLY MORNING"), "dawn"),
    (("DUSK", "SUNSET", "TWILIGHT", "EVENING", "MAGIC HOUR", "GOLDEN HOUR", "SUNDOWN"), "dusk"),
    (("MORNING", "DAY", "NOON", "AFTERNOON", "MIDDAY", "DAYTIME"), "day"),
]
_CARRY = re.compile(r"^(CONTINUOUS|CONT'?D|CONTINUED|SAME|SAME TIME|LATER|MOMENTS LATER|A MOMENT LATER|"
                    r"SECONDS LATER|MINUTES LATER|A FEW MINUTES LATER|INTERCUT|FLASHBACK|PRESENT)?$")


def place_kind(location: str, *, int_ext: str = "") -> str:
    """Return the kind of place a heading's location names ("NOODLE STALL" → "market", "HARBOUR
    STREET" → "street", "TRAILER" → "living_room"), or "" when no whole word names a known kind.

    ``int_ext`` ("INT"/"EXT") settles the car: a car seen from outside (EXT) is a street.
    """
    text = " ".join(re.sub(r"[^\w' &/-]+", " ", (location or "").lower()).split())
    parts = [p.strip() for p in re.split(r"\s+-\s+|/|,", text) if p.strip()] or [text]
    for part in reversed(parts):  # "HOUSE - KITCHEN": the last part is the most precise
        kind = _kind_of(part)
        if kind:
            if kind == "car" and int_ext.upper().startswith("EXT"):
                return "street"
            return kind
    return ""


def _kind_of(part: str) -> str:
    for phrase, kind in _PHRASES.items():
        if re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", part):
            return kind
    for word in reversed(re.findall(r"[\w']+", part)):
        word = re.sub(r"'s$", "", word)
        if word in _WORDS:
            return _WORDS[word]
    return ""


def is_interior(kind: str, *, int_ext: str = "") -> bool:
    """Return True when the place is indoors: INT says so, EXT says not, else by kind."""
    ie = (int_ext or "").upper()
    if ie.startswith("INT") and "EXT" not in ie:
        return True
    if ie.startswith("EXT") or ie.startswith("EST"):
        return False
    return bool(kind) and kind not in _OUTDOOR


def light_of(time_of_day: str) -> str:
    """Return "day", "night", "dawn" or "dusk" for a heading's time words, or "" when they say no
    light (CONTINUOUS, LATER, nothing): those carry the previous scene's."""
    up = " ".join((time_of_day or "").upper().replace("-", " ").split())
    if _CARRY.match(up):
        return ""
    for words, light in _LIGHT:
        if any(re.search(rf"\b{w}\b", up) for w in words):
            return light
    return ""


def carry_times(times: list[str]) -> list[str]:
    """Return each scene's time of day, where a continuation (CONTINUOUS, LATER, no time) takes the
    previous scene's (none before the first known time). Known times keep their own words."""
    out, last = [], ""
    for t in times:
        if light_of(t):
            last = t
            out.append(t)
        else:
            out.append(last)
    return out
