"""Frames made in the encoder's I420 planes look like the BGR reference: the still's warp (the fast
resize path and the warpAffine fallback), letterbox bars, fades and burned cues."""
import cv2
import numpy as np
import pytest

from core.render import yuv
from core.render.frames import still_frames, still_rect, still_move, warp_still
from core.timeline.cues import burn_cue as burn_cue_bgr
from core.timeline.model import VideoItem


def _scene(w, h, seed=1):
    rng = np.random.default_rng(seed)
    img = cv2.resize((rng.random((h // 24, w // 24, 3)) * 255).astype(np.uint8), (w, h), interpolation=cv2.INTER_CUBIC)
    return cv2.GaussianBlur(img, (5, 5), 1.5)


def _close(a, b, *, mean=1.0, worst=12):
    d = np.abs(a.astype(int) - b.astype(int))
    assert d.mean() < mean and d.max() <= worst, (d.mean(), d.max())


@pytest.mark.parametrize("move,fit,size", [("push_in", "letterbox", (1280, 720)), ("pan_right", "crop", (640, 360)),
                                           ("tilt_up", "letterbox", (720, 1280)), ("pull_out", "crop", (800, 450)),
                                           ("truck_left", "letterbox", (1000, 1000))])
def test_i420_still_matches_the_bgr_warp(move, fit, size, tmp_path):
    w, h = size
    img = _scene(1280, 720)
    path = tmp_path / "k.png"
    cv2.imwrite(str(path), img)
    item = VideoItem(shot_id="a", start_s=0, duration_s=1.0, source=str(path), camera_move=move)
    frames = list(still_frames(item, nframes=24, fps=24, out_w=w, out_h=h, fit=fit))
    for i in (0, 7, 23):
        ref = yuv.from_bgr(warp_still(img, move=move, p=i / 23, out_w=w, out_h=h, fit=fit))
        (y, u, v), (ry, ru, rv) = yuv.planes(frames[i]), yuv.planes(ref)
        _close(y, ry, mean=0.5, worst=3)  # the same geometry, to rounding
        # chroma interpolated after, not before, subsampling: close on this busy colour scene
        _close(u, ru, mean=1.5, worst=48)  # the worst on a bar's edge line, half bar either way
        _close(v, rv, mean=1.5, worst=48)
    x0, y0, x1, y1 = still_rect(1280, 720, w, h, fit)
    if fit == "letterbox" and y0 > 1:  # bars stay black (Y 16, no colour)
        y, u, v = yuv.planes(frames[5])
        assert (y[: y0 - 1] == 16).all() and (u[: y0 // 2 - 1] == 128).all()


def test_the_resize_path_samples_where_warp_affine_does():
    rng = np.random.default_rng(0)
    src = cv2.GaussianBlur((rng.random((400, 600)) * 255).astype(np.uint8), (7, 7), 2)
    padded = cv2.copyMakeBorder(src, yuv.PAD, yuv.PAD, yuv.PAD, yuv.PAD, cv2.BORDER_REPLICATE)
    for k, tx, ty in [(1.16, -53.3, -21.77), (1.22, -80.2, -39.1), (0.8, 10.25, 3.5), (2.3, -500.4, -300.01)]:
        out = np.zeros((300, 500), np.uint8)
        yuv._warp_plane(padded, out, k=k, tx=tx, ty=ty)
        ref = cv2.warpAffine(src, np.array([[k, 0, tx], [0, k, ty]]), (500, 300), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REPLICATE)
        d = np.abs(out.astype(int) - ref.astype(int))
        assert d.max() <= 2 and d.mean() < 0.3


def test_fade_and_cue_in_i420_match_bgr():
    w, h = 320, 180
    img = _scene(w, h, seed=4)
    frame = yuv.from_bgr(img)
    assert yuv.to_bgr(yuv.fade(frame, 0.0)).max() == 0
    _close(yuv.to_bgr(yuv.fade(frame, 0.4)), yuv.to_bgr(yuv.from_bgr(cv2.convertScaleAbs(img, alpha=0.4))))
    ours = yuv.to_bgr(yuv.burn_cue(frame=frame.copy(), text="Hello there, harbour"))
    ref = yuv.to_bgr(yuv.from_bgr(burn_cue_bgr(frame=img.copy(), text="Hello there, harbour")))
    _close(ours, ref, mean=0.6, worst=64)  # chroma of the text's edges is subsampled either way
    assert (ours[: h // 2] == yuv.to_bgr(frame)[: h // 2]).all()  # only the lower part is touched
    k, tx, ty = still_move(w, h, move="static", p=0.0, out_w=w, out_h=h, fit="crop")
    assert (k, tx, ty) == (1.0, 0.0, 0.0)
