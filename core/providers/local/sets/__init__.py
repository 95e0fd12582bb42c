"""The storyboard set library: one painter per kind of place (the kinds of ``core.story.places``),
drawn in simple one-point perspective under the time of day's light. An unknown place gets the
neutral set, labelled with its name."""
from __future__ import annotations

from core.providers.local.canvas import Canvas
from core.providers.local.sets import outdoors, places, rooms
from core.providers.local.sets.common import HORIZON

PAINTERS = {
    "market": places.market, "shop": places.shop, "workshop": places.workshop, "lighthouse": places.lighthouse,
    "lamp_room": places.lamp_room, "patio": places.patio, "mansion": places.mansion, "corridor": places.corridor,
    "stairs": places.stairs, "station": places.station, "site": places.site, "neutral": places.neutral,
    "kitchen": rooms._kitchen, "office": rooms._office, "bedroom": rooms._bedroom, "bar": rooms._bar,
    "restaurant": rooms._restaurant, "hospital": rooms._hospital, "classroom": rooms._classroom,
    "warehouse": rooms._warehouse, "living_room": rooms._room, "spaceship": rooms._spaceship, "car": rooms._car,
    "street": outdoors._street, "forest": outdoors._forest, "beach": outdoors._beach,
    "mountain": outdoors._mountain, "rooftop": outdoors._rooftop, "park": outdoors._park,
}
SET_NAMES = tuple(PAINTERS)
# Sets that are rooms whatever the heading says (the light inside them is interior light).
INTERIOR_SETS = {"shop", "workshop", "lamp_room", "mansion", "corridor", "stairs", "kitchen", "office", "bedroom",
                 "bar", "restaurant", "hospital", "classroom", "warehouse", "living_room", "spaceship", "car"}


def set_for(name: str) -> str:
    """Return the set drawn for a place kind: the kind itself when the library has it, else neutral."""
    key = (name or "").strip().lower().replace(" ", "_").replace("-", "_")
    return key if key in PAINTERS else "neutral"


def draw_backdrop(c: Canvas, *, set_name: str, label: str = "") -> str:
    """Paint the whole canvas with the set for ``set_name`` (neutral for an unknown one, showing
    ``label``) under the canvas's palette; returns the set drawn."""
    name = set_for(set_name)
    c.label = label or ""
    PAINTERS[name](c)
    return name


__all__ = ["HORIZON", "SET_NAMES", "INTERIOR_SETS", "draw_backdrop", "set_for"]
