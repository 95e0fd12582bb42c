import io

import numpy as np
import pytest
from PIL import Image

from core.errors import InvalidInput
from core.providers.local.keyframe import SHOT_TYPES, draw_keyframe, normalize_shot_type
from core.providers.local.styles import looks_for, parse_look
from core.media.info import probe, sniff_media_type

STYLES = "MAYA: red coat, short black hair, scar over left eye; TOM: tall, blue hoodie, glasses, beard"


def _img(data):
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(np.int16)


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (512, 512), (640, 800)])
def test_png_honours_size_for_each_aspect(size, tmp_path):
    data = draw_keyframe(prompt="Maya waits", shot_type="medium", location="INT. KITCHEN", characters=["MAYA"],
                         character_styles=STYLES, caption="Maya waits.", width=size[0], height=size[1])
    assert sniff_media_type(data=data) == "image/png"
    p = tmp_path / "k.png"
    p.write_bytes(data)
    info = probe(path=p)
    assert (info.kind, info.width, info.height) == ("image", size[0], size[1])


def test_every_shot_type_draws_a_distinct_frame():
    frames = {s: _img(draw_keyframe(prompt="x", shot_type=s, location="street", characters=["MAYA", "TOM"],
                                    character_styles=STYLES, width=320, height=180)) for s in SHOT_TYPES}
    for a in SHOT_TYPES:
        assert frames[a].std() > 10, a  # not a flat fill
    keys = list(frames)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            # An establishing shot and an extreme wide share the whole set; only figure size differs.
            floor = 0.5 if {a, b} == {"extreme wide", "establishing"} else 3
            assert np.abs(frames[a] - frames[b]).mean() > floor, (a, b)


def test_deterministic_for_seed_and_location_time_change_the_picture():
    kw = dict(prompt="x", shot_type="wide", characters=["MAYA"], width=320, height=180)
    a = draw_keyframe(location="forest", time_of_day="day", seed=1, **kw)
    assert a == draw_keyframe(location="forest", time_of_day="day", seed=1, **kw)
    night = _img(draw_keyframe(location="forest", time_of_day="night", seed=1, **kw))
    kitchen = _img(draw_keyframe(location="INT. KITCHEN", time_of_day="day", seed=1, **kw))
    day = _img(a)
    assert day.mean() - night.mean() > 30  # night is darker
    assert np.abs(day - kitchen).mean() > 20


def test_character_colours_come_from_style_card_and_stay_consistent():
    maya = parse_look("MAYA", "red coat, short black hair, scar over left eye")
    assert maya.clothes[0] > 150 and maya.clothes[2] < 80 and "scar" in maya.marks and maya.garment == "coat"
    tom = looks_for(characters=["Tom"], character_styles=STYLES)[0]
    assert {"glasses", "beard"} <= tom.marks and tom.height > 1
    # The close-up of Maya holds far more of her red than a close-up of Tom.
    def red_share(name):
        img = _img(draw_keyframe(prompt="x", shot_type="medium", location="office", characters=[name],
                                 character_styles=STYLES, width=320, height=180))
        r, g, b = img[..., 0], img[..., 1], img[..., 2]
        return float(np.mean((r > 150) & (g < 80) & (b < 80)))
    assert red_share("MAYA") > 0.03 > red_share("TOM")


def test_reference_image_colour_overrides_clothing(tmp_path):
    ref = tmp_path / "ref.png"
    Image.new("RGB", (64, 64), (30, 170, 40)).save(ref)
    look = looks_for(characters=["MAYA"], character_styles=STYLES, reference_images=[ref])[0]
    assert look.clothes[1] > 120 and look.clothes[0] < 80


def test_caption_strip_is_dark_band_with_text():
    img = _img(draw_keyframe(prompt="x", shot_type="wide", location="beach", caption="Maya runs into the sea.",
                             width=640, height=360))
    band = img[-20:]
    assert band.mean() < 70 and band.max() > 200  # dark strip carrying light text
    no_cap = _img(draw_keyframe(prompt="x", shot_type="wide", location="beach", width=640, height=360))
    assert no_cap[-20:].mean() > band.mean() + 30


def test_shot_type_aliases_and_invalid_sizes():
    assert normalize_shot_type("ECU") == "extreme close-up"
    assert normalize_shot_type("Over the shoulder") == "over-the-shoulder"
    assert normalize_shot_type("Wide shot") == "wide"
    with pytest.raises(InvalidInput) as e:
        draw_keyframe(prompt="x", width=10, height=100)
    assert e.value.field == "width"
