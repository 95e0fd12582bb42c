"""Frames of one shot segment, made with array operations.

A still keyframe is animated by one scale-and-move per plane and frame that does the camera move
and the fit (letterbox or centre crop) at once; a clip is decoded, scaled and fitted by ffmpeg. Frames
are I420 arrays of exactly the output size (``core.render.yuv``), the encoder's own pixel format.
"""
from __future__ import annotations

import logging
from typing import Iterator

import cv2
import imageio_ffmpeg
import numpy as np

from core.errors import RenderError
from core.render import yuv
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


def still_rect(sw: int, sh: int, out_w: int, out_h: int, fit: str) -> tuple[int, int, int, int]:
    """Return (x0, y0, x1, y1): the part of the output a still covers (all of it unless letterboxed)."""
    s, rx, ry = fit_rect(sw, sh, out_w, out_h, fit)
    return (max(int(round(rx)), 0), max(int(round(ry)), 0),
            min(int(round(rx + sw * s)), out_w), min(int(round(ry + sh * s)), out_h))


def still_move(sw: int, sh: int, *, move: str, p: float, out_w: int, out_h: int, fit: str) -> tuple[float, float, float]:
    """Return (k, tx, ty): output = source scaled by k and moved by (tx, ty), for the camera view at
    progress ``p`` fitted into the frame."""
    s, rx, ry = fit_rect(sw, sh, out_w, out_h, fit)
    z, cx, cy = view_at(move, p, sw, sh)
    k = s * z
    return k, rx - k * (cx - sw / (2 * z)), ry - k * (cy - sh / (2 * z))


def warp_still(img: np.ndarray, *, move: str, p: float, out_w: int, out_h: int, fit: str) -> np.ndarray:
    """Return one BGR output frame of a still: camera view at progress ``p`` fitted into the frame.

    One ``cv2.warpAffine`` into the visible part of the content rectangle (so letterbox bars stay
    black even when zoomed in). The renderer draws the same picture in I420 (``still_frames``).
    """
    sh, sw = img.shape[:2]
    k, tx, ty = still_move(sw, sh, move=move, p=p, out_w=out_w, out_h=out_h, fit=fit)
    x0, y0, x1, y1 = still_rect(sw, sh, out_w, out_h, fit)
    m = np.array([[k, 0.0, tx - x0], [0.0, k, ty - y0]], dtype=np.float64)
    inner = cv2.warpAffine(img, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if (x0, y0, x1, y1) == (0, 0, out_w, out_h):
        return inner
    frame = np.zeros((out_h, out_w, 3), dtype=np.uint8)
    frame[y0:y1, x0:x1] = inner
    return frame


def still_frames(item: VideoItem, *, nframes: int, fps: int, out_w: int, out_h: int,
                 fit: str) -> Iterator[np.ndarray]:
    """Yield ``nframes`` I420 frames (``core.render.yuv``) of a keyframe image animated by the item's
    camera move: each plane scaled and moved into the fitted rectangle, bars black.

    A static shot is one frame repeated (drawn once). Raises RenderError when the image cannot be read.
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
    sh, sw = img.shape[:2]
    src = yuv.source_planes(img)
    rect = still_rect(sw, sh, out_w, out_h, fit)
    base = yuv.black(out_w, out_h)
    full = rect == (0, 0, out_w, out_h)  # no bars: every pixel is drawn, nothing to clear
    span = item.trim_in_s + item.duration_s
    static = item.camera_move == "static"
    progress = [0.0] if static else [(item.trim_in_s + i / fps) / max(span - 1.0 / fps, 1e-6) for i in range(nframes)]
    views = [still_move(sw, sh, move=item.camera_move, p=p, out_w=out_w, out_h=out_h, fit=fit) for p in progress]
    zooms = {k for k, _, _ in views}
    # A zoom kept over the whole shot (pans, tilts): each plane is drawn once per sub-pixel phase and cropped.
    fixed = tuple(yuv.FixedZoom(p, k=views[0][0]) for p in src) if len(views) > 1 and len(zooms) == 1 else None

    def draw(view: tuple[float, float, float]) -> np.ndarray:
        k, tx, ty = view
        frame = np.empty_like(base) if full else base.copy()
        return yuv.warp_into(frame, src, k=k, tx=tx, ty=ty, rect=rect, fixed=fixed)

    if static:
        frame = draw(views[0])
        frame.flags.writeable = False  # shared by every frame; burning subtitles copies first
        for _ in range(nframes):
            yield frame
        return
    for view in views:
        yield draw(view)


def clip_input(item: VideoItem) -> list[str]:
    """ffmpeg input options for a clip: one decoding thread (the encoder beside it is the slow part;
    a thread pool per short clip cost ~25 ms of CPU a clip in bench/render.py) and its trim point."""
    return ["-threads", "1", *(["-ss", f"{item.trim_in_s:.3f}"] if item.trim_in_s > 0 else [])]


def clip_filter(*, fps: int, out_w: int, out_h: int, fit: str) -> str:
    """The ffmpeg filter chain that resamples a clip to ``fps`` and scales, pads or crops it to the
    output (the one fit of clips, whether the frames come to us or go straight to the encoder)."""
    scale = f"scale={out_w}:{out_h}:force_original_aspect_ratio={'decrease' if fit == 'letterbox' else 'increase'}"
    place = (f"pad={out_w}:{out_h}:(ow-iw)/2:(oh-ih)/2:color=black" if fit == "letterbox"
             else f"crop={out_w}:{out_h}")
    return f"fps={fps},{scale}:flags=bilinear,{place}"


def clip_frames(item: VideoItem, *, nframes: int, fps: int, out_w: int, out_h: int,
                fit: str) -> Iterator[np.ndarray]:
    """Yield ``nframes`` I420 frames of a clip from ``trim_in_s``, at ``fps``, fitted to the output.

    The decoder (its own process, in parallel with us) resamples, scales, pads or crops and hands
    over yuv420p, the encoder's format, so the frames pass through untouched. A clip shorter than
    the shot holds its last frame. Raises RenderError when the clip cannot be decoded (the ffmpeg
    reader is always closed).
    """
    try:
        gen = imageio_ffmpeg.read_frames(item.source, pix_fmt="yuv420p", bits_per_pixel=12,
                                         input_params=clip_input(item),
                                         output_params=["-vf", clip_filter(fps=fps, out_w=out_w, out_h=out_h, fit=fit)])
        meta = next(gen)
    except (OSError, RuntimeError, StopIteration) as exc:
        raise RenderError(f"Cannot decode clip {item.source}: {str(exc).strip()[-300:]}", field="source") from exc
    if tuple(meta["size"]) != (out_w, out_h):
        gen.close()
        raise RenderError(f"Clip {item.source} decoded at {meta['size']}, not {out_w}x{out_h}", field="source")
    last = None
    try:
        produced = 0
        for raw in gen:
            if produced >= nframes:
                break
            last = np.frombuffer(raw, np.uint8).reshape(out_h * 3 // 2, out_w)  # read-only: burning copies
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
