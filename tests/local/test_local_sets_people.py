"""The keyframe engine draws the right place at the right time, only the right people, and the
subject of an empty shot on a labelled card — read back from the marks the PNG records."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from core.providers.local.keyframe import draw_keyframe
from core.providers.local.sets import SET_NAMES
from core.providers.local.styles import looks_for


def _marks(png: bytes) -> dict:
    with Image.open(io.BytesIO(png)) as im:
        return dict(im.info)


def _img(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.float64)


KW = dict(prompt="", width=320, height=180, seed=3)


@pytest.mark.parametrize("kind", sorted(SET_NAMES))
def test_every_set_draws_and_records_itself(kind):
    png = draw_keyframe(shot_type="wide", location=kind.upper(), set_name=kind, time_of_day="night", **KW)
    marks = _marks(png)
    assert (marks["storyreel:set"], marks["storyreel:time"]) == (kind, "night")
    assert _img(png).std() > 8  # a picture, not a flat fill


def test_unknown_place_is_a_neutral_set_labelled_with_its_name():
    png = draw_keyframe(shot_type="wide", location="INT. SHACK", set_name="", **KW)
    assert _marks(png)["storyreel:set"] == "neutral"
    other = draw_keyframe(shot_type="wide", location="INT. BOATHOUSE", set_name="", **KW)
    assert np.abs(_img(png) - _img(other)).mean() > 0.3  # the label differs
    assert _marks(draw_keyframe(shot_type="wide", location="a sunny trail", **KW))["storyreel:set"] == "neutral"
    assert _marks(draw_keyframe(shot_type="wide", location="INT. KITCHEN", **KW))["storyreel:set"] == "kitchen"


def test_night_is_darker_than_day_in_every_outdoor_set():
    for kind in ("market", "street", "beach", "rooftop", "lighthouse", "park", "station"):
        day = _img(draw_keyframe(shot_type="wide", location=kind, set_name=kind, time_of_day="day", **KW)).mean()
        night = _img(draw_keyframe(shot_type="wide", location=kind, set_name=kind, time_of_day="night", **KW)).mean()
        assert day - night > 25, kind


@pytest.mark.parametrize("shot", ["medium", "close-up", "two-shot", "over-the-shoulder", "full", "extreme close-up",
                                  "medium close-up", "insert", "wide"])
def test_no_stranger_in_a_shot_without_characters(shot):
    png = draw_keyframe(shot_type=shot, location="NIGHT MARKET", set_name="market", time_of_day="night",
                        characters=[], subject="cat", **KW)
    marks = _marks(png)
    assert marks["storyreel:figures"] == "0" and "storyreel:mouth" not in marks
    assert marks["storyreel:subject"] == "cat"


def test_only_the_named_characters_are_drawn():
    for shot, names in (("two-shot", ["LIN"]), ("over-the-shoulder", ["LIN"]), ("medium", ["LIN", "DEV"])):
        marks = _marks(draw_keyframe(shot_type=shot, location="market", set_name="market", characters=names, **KW))
        assert marks["storyreel:figures"] == str(len(names)), shot


def test_subject_card_changes_the_picture_and_crowd_adds_extras():
    base = dict(shot_type="medium", location="garage", set_name="workshop", **KW)
    empty = _img(draw_keyframe(**base))
    cat = _img(draw_keyframe(subject="cat", **base))
    crowd_png = draw_keyframe(crowd=True, **base)
    assert np.abs(cat - empty).mean() > 5
    assert np.abs(_img(crowd_png) - empty).mean() > 3 and _marks(crowd_png)["storyreel:figures"] == "0"


def test_looks_come_from_the_whole_description_of_that_character_only():
    cards = ("LIN: 60s, grey hair in a bun, round glasses, red apron, woman; "
             "ORRIN: 70, shaved head, white beard, brown waistcoat; "
             "PIA: 12, red hair in braids, yellow raincoat, girl; "
             "DEV: 19, paint-stained hoodie, curly black hair")
    lin, orrin, pia, dev = looks_for(characters=["LIN", "ORRIN", "PIA", "DEV"], character_styles=cards)
    assert lin.old and lin.hair_style == "bun" and "glasses" in lin.marks and lin.clothes[0] > 150
    assert orrin.old and orrin.hair_style == "shaved" and "beard" in orrin.marks and orrin.garment == "jacket"
    assert orrin.beard == (230, 230, 226)  # a white beard, though his (absent) hair would be grey
    assert pia.height < 0.8 and pia.hair_style == "braid" and pia.hair[0] > 140 and pia.garment == "coat"
    assert pia.clothes[0] > 200 and pia.clothes[1] > 150  # yellow
    assert not dev.old and dev.hair_style == "curly" and dev.garment == "hoodie" and dev.height == 1.0
    assert not ({"glasses", "beard"} & dev.marks)  # Lin's glasses and Orrin's beard stay theirs
