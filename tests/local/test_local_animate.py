import io

import numpy as np
import pytest
from PIL import Image

from core.errors import InvalidInput
from core.providers.local.animate import animate_keyframe
from core.providers.local.keyframe import draw_keyframe
from core.media.info import probe
from tests.media_frames import extract_frame, read_frames

W, H = 320, 180


def _arr(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)


@pytest.fixture(scope="module")
def stills(tmp_path_factory):
    d = tmp_path_factory.mktemp("stills")
    a, b = d / "a.png", d / "b.png"
    a.write_bytes(draw_keyframe(prompt="x", shot_type="wide", location="street", characters=["MAYA"],
                                caption="Maya walks.", width=W, height=H))
    b.write_bytes(draw_keyframe(prompt="x", shot_type="close-up", location="forest", time_of_day="night",
                                characters=["MAYA"], caption="Maya stops.", width=W, height=H))
    return a, b


def test_push_in_is_h264_with_exact_duration_and_moving_frames(stills, tmp_path):
    out = animate_keyframe(image=stills[0], camera_move="push_in", duration_s=1.0, fps=12, width=W, height=H,
                           out_path=tmp_path / "c.mp4")
    info = probe(path=out)
    assert (info.video_codec, info.width, info.height) == ("h264", W, H)
    assert abs(info.duration_s - 1.0) <= 1 / 12 + 1e-6
    frames = read_frames(video=out)
    assert len(frames) == 12
    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 4  # the camera moved
    assert np.abs(frames[0].astype(int) - _arr(stills[0].read_bytes())).mean() < 6  # starts on the still
    assert [p.name for p in tmp_path.iterdir()] == ["c.mp4"]  # no temp files left


@pytest.mark.parametrize("move", ["pan_left", "tilt_up", "truck_right", "static"])
def test_other_moves_change_the_picture(stills, tmp_path, move):
    out = animate_keyframe(image=stills[0], camera_move=move, duration_s=0.5, fps=8, width=W, height=H,
                           out_path=tmp_path / f"{move}.mp4")
    f = read_frames(video=out).astype(int)
    assert np.abs(f[0] - f[-1]).mean() > (0.3 if move == "static" else 3)


def test_start_and_end_frames_are_honoured(stills, tmp_path):
    out = animate_keyframe(image=stills[0], last_frame=stills[1], camera_move="pan_right", duration_s=1.0, fps=12,
                           width=W, height=H, out_path=tmp_path / "ab.mp4")
    first, last = _arr(extract_frame(video=out, which="first")), _arr(extract_frame(video=out, which="last"))
    a, b = _arr(stills[0].read_bytes()), _arr(stills[1].read_bytes())
    assert np.abs(first - a).mean() < 6 and np.abs(last - b).mean() < 6
    assert np.abs(first - b).mean() > 20 and np.abs(last - a).mean() > 20


def test_invalid_move_raises_and_leaves_nothing(stills, tmp_path):
    with pytest.raises(InvalidInput) as e:
        animate_keyframe(image=stills[0], camera_move="spin", out_path=tmp_path / "x.mp4")
    assert e.value.field == "camera_move"
    with pytest.raises(InvalidInput) as e:
        animate_keyframe(image=tmp_path / "none.png", out_path=tmp_path / "x.mp4")
    assert e.value.field == "image"
    assert not list(tmp_path.iterdir())
