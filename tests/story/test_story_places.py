"""Place and time from the scene heading, and the people of each shot, on scripts of our own."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.cast import local_style_card
from core.story.breakdown import breakdown_script
from core.story.people import about, crowd_in, resolve_pronouns, subject_of
from core.story.places import carry_times, is_interior, light_of, place_kind

DATA = Path(__file__).resolve().parents[1] / "data" / "h17"


@pytest.mark.parametrize("location,kind", [
    ("NIGHT MARKET", "market"), ("NOODLE STALL", "market"), ("CLOCK SHOP", "shop"), ("GARAGE WORKSHOP", "workshop"),
    ("LIGHTHOUSE LAMP ROOM", "lamp_room"), ("LIGHTHOUSE", "lighthouse"), ("ROOFTOP", "rooftop"),
    ("HARBOUR STREET", "street"), ("FARMHOUSE PORCH", "patio"), ("TRAILER", "living_room"),
    ("MARA'S APARTMENT - KITCHEN", "kitchen"), ("TRAIN STATION", "station"), ("BACK STAIRS", "stairs"),
    ("MANOR", "mansion"), ("HOSPITAL CORRIDOR", "corridor"), ("POOL", "patio"), ("DOCKS", "beach"),
])
def test_place_kind_on_whole_words(location, kind):
    assert place_kind(location) == kind


def test_no_substring_matches_and_unknown_places():
    assert place_kind("TRAILER") != "forest"          # not "trail"
    assert place_kind("SCARBOROUGH MOTEL OFFICE") == "office"
    assert place_kind("SHACK") == "" and place_kind("THE VOID") == ""
    assert place_kind("SEASIDE CLOCK SHOP") == "shop"   # the head noun, not "sea"
    assert place_kind("CAR", int_ext="EXT") == "street" and place_kind("CAR", int_ext="INT") == "car"
    assert is_interior("market", int_ext="INT") and not is_interior("market", int_ext="EXT")


def test_time_carries_over_continuous_later_and_missing():
    assert [light_of(t) for t in ("NIGHT", "CONTINUOUS", "LATER", "", "EARLY MORNING", "SUNSET")] == \
        ["night", "", "", "", "dawn", "dusk"]
    assert carry_times(["NIGHT", "CONTINUOUS", "", "DAY", "MOMENTS LATER"]) == ["NIGHT", "NIGHT", "NIGHT", "DAY", "DAY"]


def test_breakdown_stores_the_carried_time_per_scene():
    bd = breakdown_script(text=(DATA / "night_market.fountain").read_text(), target_length_s=60)
    assert [sc.time_of_day for sc in bd.scenes] == ["NIGHT", "NIGHT", "NIGHT"]
    mixed = breakdown_script(text=(DATA / "day_night.fountain").read_text(), target_length_s=60)
    assert [light_of(sc.time_of_day) for sc in mixed.scenes] == ["day", "day", "night", "night"]


def test_pronouns_crowds_and_subjects():
    bd = breakdown_script(text=(DATA / "night_market.fountain").read_text(), target_length_s=60)
    shots = [sh for sc in bd.scenes for sh in sc.shots]
    bowl = next(sh for sh in shots if "bowl" in sh.action)
    assert bowl.characters == ["LIN", "DEV"]  # "She sets a bowl in front of him."
    cat = next(sh for sh in shots if "cat" in sh.action)
    assert cat.characters == [] and subject_of(cat.action) == "cat"
    assert subject_of("Paper lanterns sway over the stalls.") == "lanterns"
    assert subject_of("The scarlet sky burns.") == ""  # "scar" is not "car"
    assert crowd_in("The crowd of neighbours gathers.") and not crowd_in("Mara waits.")
    assert resolve_pronouns(text="He nods.", recent=["LIN", "DEV"], genders={"LIN": "f", "DEV": "m"}) == ["DEV"]
    assert resolve_pronouns(text="They leave.", recent=["LIN", "DEV"], genders={}) == ["DEV", "LIN"]


def test_descriptions_and_style_cards_stay_with_their_character():
    text = "LIN (60s, grey hair) hands DEV (19, hoodie) a bowl."
    assert about(text, "LIN", ["LIN", "DEV"]) == "LIN (60s, grey hair) hands"
    assert about(text, "DEV", ["LIN", "DEV"]).startswith("DEV (19, hoodie)")
    bd = breakdown_script(text=(DATA / "day_night.fountain").read_text(), target_length_s=60)
    desc = {c.name: " ".join(c.description) for c in bd.characters}
    assert "70" not in desc["PIA"] and "shaved" not in desc["PIA"]
    card = local_style_card(name="DEV", description="DEV (19, paint-stained hoodie, curly black hair) sits.")
    assert "19" in card and "hoodie" in card and "around thirty" not in card and "wears" not in card
    orrin = local_style_card(name="ORRIN", description="ORRIN (70, shaved head, white beard) polishes a watch.")
    assert "shaved head" in orrin and "hair" not in orrin.split("; ", 2)[-1]
    pia = local_style_card(name="PIA", description="PIA (12, red hair) presses her nose to the glass.")
    assert "girl" in pia
