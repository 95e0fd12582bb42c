"""Frames in the encoder's own pixel format: I420 (planar YUV 4:2:0, BT.601 limited range).

A frame is one ``(height * 3 // 2, width)`` uint8 array laid out as OpenCV's ``COLOR_BGR2YUV_I420``
makes it and as ffmpeg's ``-pix_fmt yuv420p`` rawvideo reads it: the luma plane, then the U and
the V plane at half size. The renderer makes its frames in this layout (stills warped plane by
plane, clips decoded straight into it) and pipes them to x264 unchanged, so no colour conversion
happens on the way. The conversion is affine per pixel, so fades towards black, dissolves and alpha
blends give the same picture in either space up to rounding.

Stills are warped with ``cv2.resize`` on a source window chosen so that its sampling grid lands on
the camera move's sub-pixel position (within 1/40 px where a window start allows, at most 1/20 px:
about ``warpAffine``'s own 1/32 px quantisation): the same bilinear picture as one ``warpAffine``
for about 40% of its time. A still
whose zoom stays fixed over the shot (a pan, a tilt) is resized a dozen times per plane and each
frame cropped from the picture whose grid lies closest (``FixedZoom``): a copy per frame.
"""
from __future__ import annotations

import math
from functools import lru_cache

import cv2
import numpy as np

from core.timeline.cues import cue_overlay

# Sources are padded by this many pixels (edge replicated): a view touching the image's edge still
# finds the extra pixel bilinear sampling reads, as warpAffine's BORDER_REPLICATE does, and the
# resize path has room to start its window further out. Near a zoom of 1 the grid of x0·k moves
# by only k - 1 per pixel of start, so lining it up with a view needs many candidate starts: with
# 8 px, 27 of the 96 frames of a push-in fell back to warpAffine (twice the time); with 128, 6.
PAD = 128


def frame_size(frame: np.ndarray) -> tuple[int, int]:
    """Return (width, height) of an I420 frame."""
    return frame.shape[1], frame.shape[0] * 2 // 3


def planes(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return writable views (Y, U, V) of an I420 frame's planes."""
    w, h = frame_size(frame)
    flat = frame.reshape(-1)
    n, q = w * h, (w // 2) * (h // 2)
    return flat[:n].reshape(h, w), flat[n:n + q].reshape(h // 2, w // 2), flat[n + q:n + 2 * q].reshape(h // 2, w // 2)


@lru_cache(maxsize=8)
def black(width: int, height: int) -> np.ndarray:
    """Return a black I420 frame (Y 16, U and V 128: what BGR black converts to); read-only, shared."""
    frame = cv2.cvtColor(np.zeros((height, width, 3), dtype=np.uint8), cv2.COLOR_BGR2YUV_I420)
    frame.flags.writeable = False
    return frame


def from_bgr(image: np.ndarray) -> np.ndarray:
    """Return a BGR uint8 image of even width and height as an I420 frame."""
    return cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420)


def to_bgr(frame: np.ndarray) -> np.ndarray:
    """Return an I420 frame as a BGR uint8 image (for inspection and tests)."""
    return cv2.cvtColor(frame, cv2.COLOR_YUV2BGR_I420)


def source_planes(image: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return a BGR still's (Y, U, V) planes, each padded by ``PAD`` replicated pixels, for
    ``warp_into``. An odd width or height is first evened by repeating the last column or row."""
    h, w = image.shape[:2]
    if w % 2 or h % 2:
        image = cv2.copyMakeBorder(image, 0, h % 2, 0, w % 2, cv2.BORDER_REPLICATE)
    y, u, v = planes(from_bgr(image))
    return tuple(cv2.copyMakeBorder(p, PAD, PAD, PAD, PAD, cv2.BORDER_REPLICATE) for p in (y, u, v))


def _grid_offset(t: float, k: float) -> float:
    """Where, in a source resized by ``k`` (``cv2.resize``'s pixel-centre mapping), the output moved
    by ``t`` starts: a window at x0 whose resized picture is read from column c needs x0·k + c = this."""
    return -t - 0.5 + 0.5 * k


def _origin(a: float, k: float) -> tuple[int, int, float]:
    """Integers (x0, c) with x0·k + c ≈ a, c ≥ 1, x0 ≥ 0, and the error: where a window of the
    source must start (x0) and how far into the resized window the output starts (c). The largest
    x0 within 1/40 px is taken (the smallest window), else the closest; all candidates at once."""
    top = int(math.floor((a - 1.0) / k))
    xs = np.arange(top, max(top - PAD, -1), -1)  # every window start inside the padding
    if xs.size == 0:
        return 0, 0, math.inf
    c = a - xs * k
    ci = np.rint(c)
    err = np.where(ci >= 1, np.abs(c - ci), np.inf)
    near = np.flatnonzero(err < 0.025)
    i = int(near[0]) if near.size else int(np.argmin(err))
    return int(xs[i]), int(ci[i]), float(err[i])


# How far (px) the resize path's sampling grid may lie from a frame's exact position.
GRID_TOLERANCE = 0.05
_FIXED_MARGIN = 64  # replicated border above and left: window starts in [0, margin) serve every position
_FIXED_PAD = 8  # replicated border a kept picture keeps past the source's far edges
_FIXED_KEPT = 32  # resized pictures kept per plane (a one-axis move at zoom 1.16 needs about 12)


class FixedZoom:
    """One padded plane of a still at a zoom the shot keeps throughout (pans, tilts, tracking moves:
    only the position moves), resized whole from a few window starts and kept: a frame's plane is an
    integer crop of a kept picture whose grid lies within ``GRID_TOLERANCE`` of its position, a copy
    instead of a resize. A picture serves a band of sub-pixel positions, so a one-axis move needs
    about a dozen (each about 1.7 MB for a 720p luma plane)."""

    def __init__(self, src: np.ndarray, *, k: float):
        """``src``: a plane padded by ``PAD`` (``source_planes``)."""
        self.k = k
        # Kept pictures are resized whole, so they keep only what they read of the padding: a margin
        # above and left (window starts in [0, margin)) and _FIXED_PAD past the far edges (beyond,
        # the resize replicates its last row and column, as more padding would).
        cut = PAD - _FIXED_PAD  # PAD ≥ _FIXED_PAD + _FIXED_MARGIN: the padding holds the margin
        self.src = src[cut - _FIXED_MARGIN:src.shape[0] - cut, cut - _FIXED_MARGIN:src.shape[1] - cut]
        self.shift = cut - _FIXED_MARGIN  # this picture's x = the PAD-padded plane's x - shift
        self.starts = np.arange(_FIXED_MARGIN)
        self.kept: dict[tuple[int, int], np.ndarray] = {}

    def _starts(self, a: float) -> np.ndarray:
        """Window starts x0 whose resized grid lies within the tolerance of ``a`` (x0·k + c = a for
        an integer c), nearest first."""
        err = np.abs((a - self.starts * self.k + 0.5) % 1.0 - 0.5)
        ok = np.flatnonzero(err < GRID_TOLERANCE)
        return ok[np.argsort(err[ok], kind="stable")]

    def draw(self, out: np.ndarray, *, tx: float, ty: float) -> bool:
        """Fill ``out`` with the scaled plane moved by (tx, ty) in padded source terms (as
        ``_warp_plane`` after padding); returns False, ``out`` untouched, when no grid lies close
        enough (a zoom of simple ratio) or the view leaves the picture (the caller then warps)."""
        oh, ow = out.shape
        k = self.k
        ax, ay = _grid_offset(tx + k * self.shift, k), _grid_offset(ty + k * self.shift, k)  # in self.src
        xs, ys = self._starts(ax), self._starts(ay)
        if xs.size == 0 or ys.size == 0:
            return False
        key = next(((int(x), int(y)) for x in xs for y in ys if (int(x), int(y)) in self.kept), None)
        if key is None:
            if len(self.kept) >= _FIXED_KEPT:
                self.kept.clear()
            key = (int(xs[0]), int(ys[0]))
            self.kept[key] = cv2.resize(self.src[key[1]:, key[0]:], None, fx=k, fy=k, interpolation=cv2.INTER_LINEAR)
        big = self.kept[key]
        cx, cy = int(round(ax - key[0] * k)), int(round(ay - key[1] * k))
        if cx < 1 or cy < 1 or cx + ow > big.shape[1] or cy + oh > big.shape[0]:
            return False
        out[...] = big[cy:cy + oh, cx:cx + ow]
        return True


def _warp_plane(src: np.ndarray, out: np.ndarray, *, k: float, tx: float, ty: float,
                fixed: FixedZoom | None = None) -> None:
    """Fill ``out`` with ``src`` (padded by PAD) scaled by ``k`` and moved by (tx, ty) in unpadded
    source terms: out(x, y) = src((x - tx) / k, (y - ty) / k), bilinear. ``fixed``: the same plane
    at this zoom, kept per phase (``FixedZoom``)."""
    oh, ow = out.shape
    tx, ty = tx - k * PAD, ty - k * PAD  # into the padded source: x_pad = x + PAD
    if fixed is not None and fixed.k == k and fixed.draw(out, tx=tx, ty=ty):
        return
    x0, cx, ex = _origin(_grid_offset(tx, k), k)
    y0, cy, ey = _origin(_grid_offset(ty, k), k)
    sw, sh = int(math.ceil((ow + cx) / k)) + 2, int(math.ceil((oh + cy) / k)) + 2
    if max(ex, ey) < GRID_TOLERANCE and x0 + sw <= src.shape[1] and y0 + sh <= src.shape[0]:
        big = cv2.resize(src[y0:y0 + sh, x0:x0 + sw], None, fx=k, fy=k, interpolation=cv2.INTER_LINEAR)
        if big.shape[0] >= cy + oh and big.shape[1] >= cx + ow:
            out[...] = big[cy:cy + oh, cx:cx + ow]
            return
    m = np.array([[k, 0.0, tx], [0.0, k, ty]], dtype=np.float64)  # the general case (rare)
    cv2.warpAffine(src, m, (ow, oh), dst=out, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def warp_into(frame: np.ndarray, src: tuple[np.ndarray, np.ndarray, np.ndarray], *, k: float, tx: float, ty: float,
              rect: tuple[int, int, int, int],
              fixed: tuple[FixedZoom, FixedZoom, FixedZoom] | None = None) -> np.ndarray:
    """Draw a still's padded planes (``source_planes``) scaled by ``k`` and moved by (tx, ty) (output
    pixels, luma) into ``rect`` = (x0, y0, x1, y1) of an I420 ``frame``; returns the frame. ``fixed``:
    the planes at a zoom the shot keeps (``FixedZoom`` each), used when ``k`` is that zoom.

    The chroma planes get the same move on their half-size grid: OpenCV's conversion (the one the
    renderer has always used) takes each 2×2 block's chroma at its top-left pixel, so chroma sample
    j sits at luma position 2j, in the source as in the output."""
    x0, y0, x1, y1 = rect
    fy, fu, fv = planes(frame)
    fz = fixed or (None, None, None)
    _warp_plane(src[0], fy[y0:y1, x0:x1], k=k, tx=tx - x0, ty=ty - y0, fixed=fz[0])
    cx0, cy0, cx1, cy1 = (x0 + 1) // 2, (y0 + 1) // 2, (x1 + 1) // 2, (y1 + 1) // 2
    for s, d, f in ((src[1], fu, fz[1]), (src[2], fv, fz[2])):
        _warp_plane(s, d[cy0:cy1, cx0:cx1], k=k, tx=tx / 2 - cx0, ty=ty / 2 - cy0, fixed=f)
    return frame


def fade(frame: np.ndarray, a: float) -> np.ndarray:
    """Return ``frame`` at ``a`` (0 black … 1 unchanged) towards black, as a new frame."""
    a = max(0.0, min(1.0, a))
    w, h = frame_size(frame)
    return cv2.addWeighted(frame, a, black(w, h), 1.0 - a, 0.0)


def even_cue_overlay(text: str, width: int, height: int) -> tuple[np.ndarray, int, int] | None:
    """A cue's RGBA picture and (x, y) (``core.timeline.cues.cue_overlay``) cut to the frame and widened
    with transparent pixels to even bounds, so each chroma sample's 2×2 block lies wholly inside or
    outside the box (ffmpeg's overlay also places at even positions); None when nothing shows."""
    rgba, x, y = cue_overlay(text, width, height)
    oh, ow = min(rgba.shape[0], height - y), min(rgba.shape[1], width - x)
    rgba = rgba[:max(oh, 0), :max(ow, 0)]
    if rgba.size == 0:
        return None
    px, py = x % 2, y % 2
    rgba = np.pad(rgba, ((py, (py + rgba.shape[0]) % 2), (px, (px + rgba.shape[1]) % 2), (0, 0)))
    return rgba, x - px, y - py


@lru_cache(maxsize=256)
def _cue_parts(text: str, width: int, height: int):
    """A cue's overlay as integer blends on the planes: per plane (255 - alpha, value × alpha + 128)
    as uint16, with the plane's (x, y)."""
    even = even_cue_overlay(text, width, height)
    if even is None:
        return None
    rgba, x, y = even
    grey = np.ascontiguousarray(rgba[..., :3])
    luma = cv2.cvtColor(np.ascontiguousarray(grey[..., ::-1]), cv2.COLOR_BGR2GRAY)  # grey: R = G = B
    luma = (16 + luma.astype(np.float32) * (219 / 255)).round().astype(np.uint16)
    alpha = rgba[..., 3].astype(np.uint16)
    calpha = alpha[::2, ::2]  # chroma from each 2×2 block's top-left pixel, as OpenCV converts
    return ((255 - alpha, luma * alpha + 128, x, y),
            (255 - calpha, 128 * calpha + 128, x // 2, y // 2))


def _blend(plane: np.ndarray, inv: np.ndarray, pre: np.ndarray, x: int, y: int) -> None:
    region = plane[y:y + inv.shape[0], x:x + inv.shape[1]]
    t = region.astype(np.uint16) * inv + pre
    t += t >> 8  # with the +128 above: exact rounding of t / 255 without a division
    region[...] = (t >> 8).astype(np.uint8)


def burn_cue(*, frame: np.ndarray, text: str) -> np.ndarray:
    """Composite a subtitle cue (``core.timeline.cues.cue_overlay``: white text, dark outline,
    translucent box) onto an I420 frame in place and return it; only the cue's box is touched."""
    w, h = frame_size(frame)
    parts = _cue_parts(text, w, h)
    if parts is None:
        return frame
    (inv, pre, x, y), (cinv, cpre, cx, cy) = parts
    fy, fu, fv = planes(frame)
    _blend(fy, inv, pre, x, y)
    _blend(fu, cinv, cpre, cx, cy)
    _blend(fv, cinv, cpre, cx, cy)
    return frame
