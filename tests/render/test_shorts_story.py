"""Shorts that are short (issue 17 point 10): as many as asked, 15–60 s each on shot boundaries,
each with its reason; reframed to 9:16 around whoever speaks; captions above the bottom ~20 %."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from core.render.reframe import ShotLook, find_figures, reframe_vertical, window_x
from core.render.shorts import find_moments, render_short
from core.timeline.cues import cue_overlay
from core.timeline.model import SubtitleCue, Timeline, VideoItem


def _film(n_shots: int, shot_s: float = 4.0) -> Timeline:
    items = [VideoItem(shot_id=f"s{i}", start_s=i * shot_s, duration_s=shot_s, source="k.png",
                       camera_move="zoom_in" if i % 3 else "none") for i in range(n_shots)]
    items += [SubtitleCue(start_s=i * shot_s + 0.5, end_s=i * shot_s + 3.0,
                          text="Who is there?" if i % 4 == 0 else "Nothing at all.", speaker="A")
              for i in range(0, n_shots, 2)]
    return Timeline(items=tuple(items))


@pytest.mark.parametrize("seconds,count,expected", [(64, 3, 3), (64, 1, 1), (100, 5, 5), (64, 5, 4), (300, 5, 5)])
def test_as_many_shorts_as_asked_each_15_to_60_s_on_cuts_with_reasons(seconds, count, expected):
    tl = _film(seconds // 4)
    moments = find_moments(timeline=tl, count=count)
    assert len(moments) == expected  # 64 s holds only four 15 s shorts apart
    bounds = {round(v.start_s, 3) for v in tl.video} | {round(tl.video[-1].end_s, 3)}
    for m in moments:
        assert 15 - 1e-6 <= m.duration_s <= 60 + 1e-6
        assert m.start_s in bounds and m.end_s in bounds
        assert "dialogue" in m.reason and "shot change" in m.reason
    spans = sorted((m.start_s, m.end_s) for m in moments)
    assert all(a[1] <= b[0] + 1e-6 for a, b in zip(spans, spans[1:]))
    if seconds >= 100:
        assert max(m.duration_s for m in moments) <= 36  # short ones win over whole acts


def _two_people(path, size=(640, 360), heads=((150, "A"), (490, "B"))) -> str:
    """A set blurred behind two drawn people (outlined body and head), like the local keyframes."""
    w, h = size
    rng = np.random.default_rng(3)
    bg = Image.fromarray((rng.integers(120, 200, (h // 8, w // 8, 3))).astype(np.uint8)).resize(size)
    bg = bg.filter(ImageFilter.GaussianBlur(8))
    d = ImageDraw.Draw(bg)
    for x, _ in heads:
        d.rectangle([x - 45, 150, x + 45, h], fill=(40, 90, 160), outline=(10, 10, 10), width=3)
        d.ellipse([x - 28, 80, x + 28, 145], fill=(236, 200, 170), outline=(10, 10, 10), width=3)
        d.ellipse([x - 10, 108, x - 4, 114], fill=(0, 0, 0))
        d.ellipse([x + 4, 108, x + 10, 114], fill=(0, 0, 0))
        d.line([x - 8, 128, x + 8, 128], fill=(120, 40, 40), width=3)
    bg.save(path)
    return str(path)


def test_figures_found_and_window_keeps_the_speaker(tmp_path):
    still = _two_people(tmp_path / "two.png")
    figures = find_figures(path=still)
    assert len(figures) == 2
    assert figures[0][0] <= 150 - 28 and figures[0][2] >= 150 + 28  # A's head inside A's box
    assert figures[1][0] <= 490 - 28 and figures[1][2] >= 490 + 28
    cw = round(360 * 9 / 16)
    for speaker, head_x in ((0, 150), (1, 490)):
        x0 = window_x(src_w=640, src_h=360, figures=figures, speaker=speaker)
        assert x0 <= head_x - 28 and head_x + 28 <= x0 + cw  # the speaker's whole head is in the crop


def test_a_two_shot_is_cut_at_the_change_of_speaker_and_rendered_vertical(tmp_path, tools):
    still = _two_people(tmp_path / "two.png")
    items = (VideoItem(shot_id="1", start_s=0, duration_s=8, source=still),
             SubtitleCue(start_s=0.5, end_s=3.0, text="You are late.", speaker="A"),
             SubtitleCue(start_s=4.5, end_s=7.5, text="The ferry stopped.", speaker="B"))
    tl = Timeline(width=640, height=360, items=items)
    looks = {"1": ShotLook(keyframe=still, characters=["A", "B"])}
    framed, report = reframe_vertical(timeline=tl, looks=looks, work_dir=str(tmp_path / "w"))
    pieces = framed.video
    assert [r["speaker"] for r in report] == ["A", "B"]
    assert pieces[0].end_s == pytest.approx(3.75) and pieces[1].trim_in_s == pytest.approx(3.75)
    assert sum(p.duration_s for p in pieces) == pytest.approx(8.0)
    for piece, head_x in zip(pieces, (150, 490)):
        crop = Image.open(piece.source)
        assert crop.size == (round(360 * 9 / 16), 360)
        x0 = next(r["x0"] for r in report if r["start_s"] == pytest.approx(piece.start_s))
        assert x0 <= head_x - 28 and head_x + 28 <= x0 + crop.size[0]
        # Independently of the report: the speaker's drawn face (skin colour) is in the cropped picture.
        px = np.asarray(crop.convert("RGB")).astype(int)
        skin = (abs(px[..., 0] - 236) < 6) & (abs(px[..., 1] - 200) < 6) & (abs(px[..., 2] - 170) < 6)
        assert skin[80:145].sum() > 0.8 * np.pi * 26 * 30  # nearly the whole head
    from core.render.shorts import Moment

    res, framing = render_short(timeline=tl, moment=Moment(0.0, 8.0, 1.0, "test"), out_path=str(tmp_path / "s.mp4"),
                                quality="preview", short_side=180, cache_dir=str(tmp_path / "c"), looks=looks)
    assert tools.probe(res.path)["video"][1:3] == (180, 320)
    assert [f["speaker"] for f in framing] == ["A", "B"]


@pytest.mark.parametrize("size", [(180, 320), (720, 1280), (1080, 1920)])
def test_vertical_captions_stay_above_the_bottom_fifth(size):
    w, h = size
    rgba, x, y = cue_overlay("I was at the harbour, watching the\nships come in over the dark water.", w, h)
    assert y + rgba.shape[0] <= 0.8 * h and y > 0.4 * h
