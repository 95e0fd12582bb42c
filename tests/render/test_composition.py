"""Segments as MoviePy clips: frames from the OpenCV warps, fades, dissolves, title cards and lower
thirds as MoviePy effects, with the renderer's frame arithmetic. Frames are I420 (the encoder's
format); the checks look at them converted to BGR."""
import numpy as np
import pytest
from moviepy import VideoClip

from core.render.yuv import to_bgr
from core.render.composition import (DissolveFrom, FadeFromBlack, FadeToBlack, LowerThirds, TitleFade,
                                     clip_frames_of, segment_clip, shot_frames)
from core.timeline.edits import TitleCard
from core.timeline.model import VideoItem

W, H, FPS = 160, 90, 24


@pytest.fixture
def still(tmp_path, tools):
    return tools.synth.keyframe(tmp_path / "k.png", width=320, height=180, seed=3)


def _frames(clip, n):
    return [to_bgr(f) for f in clip_frames_of(clip, nframes=n, fps=FPS)]


def test_a_shot_is_a_moviepy_clip_of_its_warped_frames(still):
    item = VideoItem(shot_id="a", start_s=0, duration_s=1.0, source=still, camera_move="zoom_in")
    clip = segment_clip(item=item, nframes=24, fps=FPS, width=W, height=H, fit="letterbox")
    assert isinstance(clip, VideoClip) and clip.size == (W, H) and clip.duration == pytest.approx(1.0)
    direct = [to_bgr(f) for f in shot_frames(item, nframes=24, fps=FPS, out_w=W, out_h=H, fit="letterbox")]
    ours = _frames(clip, 24)
    assert all((a == b).all() for a, b in zip(direct, ours))
    assert not (ours[0] == ours[-1]).all()  # the camera moves
    assert (to_bgr(clip.get_frame(0.5)) == ours[12]).all()  # random access goes back and forth


def test_fades_and_dissolve_are_effects_with_exact_ends(still):
    item = VideoItem(shot_id="b", start_s=0, duration_s=1.0, source=still, transition_in="fade", transition_in_s=0.25,
                     transition_out="fade", transition_out_s=0.25)
    ours = _frames(segment_clip(item=item, nframes=24, fps=FPS, width=W, height=H, fit="crop"), 24)
    plain = [to_bgr(f) for f in shot_frames(item, nframes=24, fps=FPS, out_w=W, out_h=H, fit="crop")]
    assert ours[0].max() == 0 and ours[-1].max() == 0              # from black, to black
    assert 0 < ours[3].mean() < plain[3].mean()                     # half-way up
    assert (ours[12] == plain[12]).all()                            # untouched in the middle
    prev = VideoItem(shot_id="a", start_s=0, duration_s=0.5, source=still, camera_move="pan_left")
    dis = item.model_copy(update={"transition_in": "dissolve", "transition_out": "cut"})
    frames = _frames(segment_clip(item=dis, nframes=24, fps=FPS, width=W, height=H, fit="crop", prev=prev), 24)
    before = [to_bgr(f) for f in shot_frames(prev, nframes=12, fps=FPS, out_w=W, out_h=H, fit="crop")][-1]
    assert (frames[0] == before).all() and (frames[6] == plain[6]).all()
    for effect in (FadeFromBlack, FadeToBlack, DissolveFrom, TitleFade, LowerThirds):
        assert effect.__mro__[1].__module__.startswith("moviepy")  # MoviePy v2 Effect subclasses


def test_title_card_and_lower_thirds(still):
    card = TitleCard(shot_id="a", start_s=0, duration_s=1.0, text="THE LETTER", fade_s=0.25)
    frames = _frames(segment_clip(item=card, nframes=24, fps=FPS, width=W, height=H, fit="crop"), 24)
    assert frames[0].mean() < frames[12].mean() and frames[12].max() > 200 and frames[-1].mean() < frames[12].mean()
    item = VideoItem(shot_id="a", start_s=0, duration_s=1.0, source=still)
    plain = _frames(segment_clip(item=item, nframes=24, fps=FPS, width=W, height=H, fit="crop"), 24)
    cued = _frames(segment_clip(item=item, nframes=24, fps=FPS, width=W, height=H, fit="crop",
                                cues=((6, 18, "Hello there"),)), 24)
    assert (cued[0] == plain[0]).all() and (cued[20] == plain[20]).all()
    changed = np.argwhere((cued[10] != plain[10]).any(-1))
    assert changed.size and changed[:, 0].min() > H // 2  # drawn in the lower part only
