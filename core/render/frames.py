"""Frames of one shot segment, made with array operations.

A still keyframe is animated by one OpenCV affine warp per frame that does the camera move and
the fit (letterbox or centre crop) at once; a clip is decoded by ffmpeg and fitted with
``cv2.resize``. Frames are BGR uint8 arrays of exactly the output size.
"""
from __future__ import annotations

import logging
from typing import Iterator

import cv2
import imageio_ffmpeg
import numpy as np

from core.errors import RenderError
from core.media.camera import max_zoom, view_at
from core.timeline.model import VideoItem

# We ask the decoder to scale on purpose; drop imageio-ffmpeg's warning that the size differs.
logging.getLogger("imageio_ffmpeg").addFilter(
    lambda record: "is different from the source frame size" not in record.getMessage())

def fit_rect(src_w: int, src_h: int, out_w: int, out_h: int, fit: str) -> tuple[float, float, float]:
    """Return (scale, x, y): where a source of src_w×src_h lands in the output frame.

    letterbox: the whole source is visible, bars fill the rest; crop: the output is filled and
    the source centred (its overflow cut).
    """
    sx, sy = out_w / src_w, out_h / src_h
    s = min(sx, sy) if fit == "letterbox" else max(sx, sy)
    return s, (out_w - src_w * s) / 2.0, (out_h - src_h * s) / 2.0


def warp_still(img: np.ndarray, *, move: str, p: float, out_w: int, out_h: int, fit: str) -> np.ndarray:
    """Return one output frame of a still: camera view at progress ``p`` fitted into the frame.

    One ``cv2.warpAffine`` into the visible part of the content rectangle (so letterbox bars stay
    black even when zoomed in).
    """
    sh, sw = img.shape[:2]
    s, rx, ry = fit_rect(sw, sh, out_w, out_h, fit)
    z, cx, cy = view_at(move, p, sw, sh)
    k = s * z
    tx = rx - k * (cx - sw / (2 * z))
    ty = ry - k * (cy - sh / (2 * z))
    x0, y0 = max(int(round(rx)), 0), max(int(round(ry)), 0)
    x1, y1 = min(int(round(rx + sw * s)), out_w), min(int(round(ry + sh * s)), out_h)
    m = np.array([[k, 0.0, tx - x0], [0.0, k, ty - y0]], dtype=np.float64)
    inner = cv2.warpAffine(img, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if (x0, y0, x1, y1) == (0, 0, out_w, out_h):
        return inner
    frame = np.zeros((out_h, out_w, 3), dtype=np.uint8)
    frame[y0:y1, x0:x1] = inner
    return frame


def fit_frame(img: np.ndarray, *, out_w: int, out_h: int, fit: str) -> np.ndarray:
    """Return ``img`` resized into an out_w×out_h frame by letterbox or centre crop."""
    sh, sw = img.shape[:2]
    if (sw, sh) == (out_w, out_h):
        return img
    s, _, _ = fit_rect(sw, sh, out_w, out_h, fit)
    rw, rh = max(int(round(sw * s)), 1), max(int(round(sh * s)), 1)
    if fit == "crop":
        rw, rh = max(rw, out_w), max(rh, out_h)
    else:
        rw, rh = min(rw, out_w), min(rh, out_h)
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(img, (rw, rh), interpolation=interp)
    if fit == "crop":
        x0, y0 = (rw - out_w) // 2, (rh - out_h) // 2
        return np.ascontiguousarray(resized[y0:y0 + out_h, x0:x0 + out_w])
    x, y = (out_w - rw) // 2, (out_h - rh) // 2
    frame = np.zeros((out_h, out_w, 3), dtype=np.uint8)
    frame[y:y + rh, x:x + rw] = resized
    return frame


def still_frames(item: VideoItem, *, nframes: int, fps: int, out_w: int, out_h: int,
                 fit: str) -> Iterator[np.ndarray]:
    """Yield ``nframes`` frames of a keyframe image animated by the item's camera move.

    Raises RenderError when the image cannot be read.
    """
    img = cv2.imread(item.source, cv2.IMREAD_COLOR)
    if img is None:
        raise RenderError(f"Cannot read keyframe image {item.source}", field="source")
    # Downscale huge stills once so each warp reads less memory; keep headroom for the zoom.
    s, _, _ = fit_rect(img.shape[1], img.shape[0], out_w, out_h, fit)
    zoom = max_zoom(item.camera_move)
    if s * zoom < 0.5:
        f = s * zoom * 1.5
        img = cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    span = item.trim_in_s + item.duration_s
    if item.camera_move == "static":
        frame = warp_still(img, move="static", p=0.0, out_w=out_w, out_h=out_h, fit=fit)
        for _ in range(nframes):
            yield frame  # read-only downstream; burning subtitles copies first
        return
    for i in range(nframes):
        p = (item.trim_in_s + i / fps) / max(span - 1.0 / fps, 1e-6)
        yield warp_still(img, move=item.camera_move, p=p, out_w=out_w, out_h=out_h, fit=fit)


def clip_frames(item: VideoItem, *, nframes: int, fps: int, out_w: int, out_h: int,
                fit: str) -> Iterator[np.ndarray]:
    """Yield ``nframes`` frames of a clip from ``trim_in_s``, at ``fps``, fitted to the output.

    A clip shorter than the shot holds its last frame. Raises RenderError when the clip cannot be
    decoded (the ffmpeg reader is always closed).
    """
    input_params = ["-ss", f"{item.trim_in_s:.3f}"] if item.trim_in_s > 0 else []
    try:
        # The decoder scales to about the fitted size (in its own process, in parallel with us);
        # fit_frame then pads or crops exactly, resizing at most by a rounding pixel.
        aspect = "decrease" if fit == "letterbox" else "increase"
        vf = f"fps={fps},scale={out_w}:{out_h}:force_original_aspect_ratio={aspect}:flags=bilinear"
        gen = imageio_ffmpeg.read_frames(item.source, pix_fmt="bgr24", input_params=input_params,
                                         output_params=["-vf", vf])
        meta = next(gen)
    except (OSError, RuntimeError, StopIteration) as exc:
        raise RenderError(f"Cannot decode clip {item.source}: {str(exc).strip()[-300:]}", field="source") from exc
    w, h = meta["size"]
    last = None
    try:
        produced = 0
        for raw in gen:
            if produced >= nframes:
                break
            last = fit_frame(np.frombuffer(raw, np.uint8).reshape(h, w, 3), out_w=out_w, out_h=out_h, fit=fit)
            produced += 1
            yield last
    except (OSError, RuntimeError) as exc:
        raise RenderError(f"Cannot decode clip {item.source}: {str(exc).strip()[-300:]}", field="source") from exc
    finally:
        gen.close()
    if last is None:
        raise RenderError(f"Clip {item.source} has no frames", field="source")
    for _ in range(nframes - produced):
        yield last
