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


@pytest.mark.parametrize("k", [1.16, 1.2345])
def test_a_fixed_zoom_crops_kept_pictures_where_warp_affine_samples(k):
    """A pan at a fixed zoom: every position is served by a crop of a few kept pictures, each
    within the resize path's tolerance of the exact bilinear warp."""
    rng = np.random.default_rng(3)
    src = cv2.GaussianBlur((rng.random((360, 640)) * 255).astype(np.uint8), (7, 7), 2)
    padded = cv2.copyMakeBorder(src, yuv.PAD, yuv.PAD, yuv.PAD, yuv.PAD, cv2.BORDER_REPLICATE)
    fixed = yuv.FixedZoom(padded, k=k)
    positions = [(-k * 60 * e, -23.37) for e in np.linspace(0, 1, 96) ** 2]  # eased, one axis
    for tx, ty in [*positions, (-k * 100.4, -23.37)]:  # the last one past the right edge: replicated
        out = np.zeros((300, 560), np.uint8)
        assert fixed.draw(out, tx=tx - k * yuv.PAD, ty=ty - k * yuv.PAD)
        ref = cv2.warpAffine(src, np.array([[k, 0, tx], [0, k, ty]]), (560, 300), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REPLICATE)
        d = np.abs(out.astype(int) - ref.astype(int))
        assert d.max() <= 2 and d.mean() < 0.3, (tx, d.max(), d.mean())
    assert len(fixed.kept) <= 16  # a band of sub-pixel positions per picture, not one per frame
    out = np.zeros((300, 560), np.uint8)
    assert not fixed.draw(out, tx=-k * 400.0, ty=0.0)  # past the kept pictures: the caller warps
    assert not out.any()


def _drawn(tmp_path, monkeypatch, *, move: str, seed: int, counted: str):
    """A 4 s shot of a 1280x720 still with this camera move, in 720p frames; returns (the image, its
    frames, how many times ``cv2.<counted>`` ran while they were drawn)."""
    img = _scene(1280, 720, seed=seed)
    path = tmp_path / "k.png"
    cv2.imwrite(str(path), img)
    calls = []
    real = getattr(cv2, counted)
    monkeypatch.setattr(yuv.cv2, counted, lambda *a, **kw: calls.append(1) or real(*a, **kw))
    item = VideoItem(shot_id="a", start_s=0, duration_s=4.0, source=str(path), camera_move=move)
    frames = list(still_frames(item, nframes=96, fps=24, out_w=1280, out_h=720, fit="letterbox"))
    return img, frames, len(calls)


def _like_one_warp(img, frames, *, move: str, at: tuple[int, ...]) -> None:
    for i in at:
        ref = yuv.from_bgr(warp_still(img, move=move, p=i / 95, out_w=1280, out_h=720, fit="letterbox"))
        _close(yuv.planes(frames[i])[0], yuv.planes(ref)[0], mean=0.5, worst=3)


def test_a_pan_is_drawn_from_kept_pictures(tmp_path, monkeypatch):
    img, frames, resized = _drawn(tmp_path, monkeypatch, move="pan_right", seed=7, counted="resize")
    assert resized <= 3 * 16  # not three per frame
    _like_one_warp(img, frames, move="pan_right", at=(0, 31, 95))


def test_a_push_in_is_drawn_by_resizing_even_near_a_zoom_of_one(tmp_path, monkeypatch):
    """Near a zoom of 1 the resize grid moves by only k - 1 per window start, so it lines up with
    the camera's position only with many starts to choose from (the padding): then few frames fall
    back to warpAffine, which takes about twice as long."""
    img, frames, warped = _drawn(tmp_path, monkeypatch, move="push_in", seed=9, counted="warpAffine")
    assert warped <= 3 * 8  # planes warped: at most 8 of 96 frames (27 with an 8 px padding)
    _like_one_warp(img, frames, move="push_in", at=(3, 10, 40, 95))  # near a zoom of 1 and further in
