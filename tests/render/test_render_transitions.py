"""Titles and transitions on the timeline, measured on the rendered picture: fades on frame
brightness, a dissolve as a blend of both shots, title cards as bright text on black."""
from __future__ import annotations

import subprocess

import numpy as np
import pytest

from tests.render.conftest import FFMPEG


def _frames(path, width=320, height=180) -> np.ndarray:
    """Every frame of the film as a (n, h, w, 3) uint8 array, decoded by the ffmpeg binary."""
    raw = subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-i", str(path), "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)


def _flat(path, colour) -> str:
    from PIL import Image

    Image.new("RGB", (320, 180), colour).save(path)
    return str(path)


@pytest.fixture()
def edited(tmp_path):
    """Three flat-colour stills: fade in on the first, a dissolve into the second, fade out and a
    title card after the last; a title card opens the film."""
    from core.timeline.build import ShotMedia, build_timeline

    shots = [
        ShotMedia(shot_id="a", duration_s=3.0, keyframe_path=_flat(tmp_path / "a.png", (200, 200, 200)),
                  camera_move="none", transition_in="fade", titles_before=["BRICK & STEEL"]),
        ShotMedia(shot_id="b", duration_s=3.0, keyframe_path=_flat(tmp_path / "b.png", (20, 40, 220)),
                  camera_move="none", transition_in="dissolve"),
        ShotMedia(shot_id="c", duration_s=3.0, keyframe_path=_flat(tmp_path / "c.png", (220, 200, 40)),
                  camera_move="none", transition_out="fade", titles_after=["THE END"]),
    ]
    return build_timeline(shots=shots, fps=24, short_side=180, subtitles=False)


def test_timeline_places_title_cards_and_transitions(edited):
    titles = edited.titles
    assert [t.text for t in titles] == ["BRICK & STEEL", "THE END"]
    video = {v.shot_id: v for v in edited.video}
    assert titles[0].start_s == 0 and video["a"].start_s == pytest.approx(titles[0].duration_s)
    assert titles[1].start_s == pytest.approx(video["c"].end_s)
    assert edited.duration_s == pytest.approx(titles[1].end_s)
    assert (video["a"].transition_in, video["a"].transition_in_s) == ("fade", 1.0)
    assert (video["b"].transition_in, video["b"].transition_in_s) == ("dissolve", 0.8)
    assert (video["c"].transition_out, video["c"].transition_out_s) == ("fade", 1.0)
    assert video["b"].transition_out == "cut" and video["b"].transition_out_s == 0


def test_cut_to_black_holds_black_after_the_shot(tmp_path):
    from core.timeline.build import ShotMedia, build_timeline

    tl = build_timeline(shots=[ShotMedia(shot_id="a", duration_s=2.0, camera_move="none", transition_out="black",
                                         keyframe_path=_flat(tmp_path / "a.png", (200, 200, 200)))],
                        fps=24, short_side=180, subtitles=False)
    (card,) = tl.titles
    assert card.text == "" and card.start_s == 2.0 and tl.duration_s == pytest.approx(3.0)


def test_fades_dissolve_and_titles_in_the_rendered_picture(edited, tmp_path):
    from core.render.engine import render_timeline

    out = render_timeline(timeline=edited, out_path=str(tmp_path / "film.mp4"), quality="final", short_side=180)
    frames = _frames(out.path)
    fps = 24
    title_n = int(round(edited.titles[0].duration_s * fps))
    a0 = title_n
    luma = frames.mean(axis=(1, 2, 3))
    # Title card: mostly black with bright text in the middle.
    card = frames[title_n // 2]
    assert card.mean() < 40 and card[70:110, 60:260].max() > 200
    # Fade in: the first frame of shot a is black, brightness rises steadily over 1 s to the shot's level.
    ramp = luma[a0:a0 + fps]
    assert ramp[0] < 10 and luma[a0 + fps + 5] > 190
    assert np.all(np.diff(ramp) > -2) and ramp[fps // 2] == pytest.approx(100, abs=25)
    # Dissolve: halfway through, the frame is a mix of grey (a) and blue (b).
    b0 = a0 + 3 * fps
    mid = frames[b0 + int(0.4 * fps)].reshape(-1, 3).mean(axis=0)
    assert 60 < mid[0] < 160 and mid[2] > 200 and luma[b0 - 1] > 190
    # Fade out: the last frame of shot c is black; the end card follows.
    c_end = b0 + 6 * fps
    assert luma[c_end - 1] < 10 and luma[c_end - fps // 2] == pytest.approx(luma[c_end - fps - 3] / 2, abs=30)
    end_card = frames[c_end + int(edited.titles[1].duration_s * fps) // 2]
    assert end_card.mean() < 40 and end_card.max() > 200
    assert len(frames) == pytest.approx(edited.duration_s * fps, abs=2)


def test_a_shot_segment_with_a_transition_is_cached_apart_from_the_plain_one(edited, tmp_path):
    from core.render.engine import plan_segments

    plain = edited.model_copy(update={"items": tuple(
        i.model_copy(update={"transition_in": "cut", "transition_in_s": 0.0}) if getattr(i, "shot_id", "") == "a"
        and i.track == "video" else i for i in edited.items)})
    keys = [s.key for s in plan_segments(timeline=edited, width=320, height=180, fit="letterbox", quality="final",
                                         burn=False)]
    plain_keys = [s.key for s in plan_segments(timeline=plain, width=320, height=180, fit="letterbox",
                                               quality="final", burn=False)]
    assert len(keys) == 5 and keys[1] != plain_keys[1] and keys[2:] == plain_keys[2:]
