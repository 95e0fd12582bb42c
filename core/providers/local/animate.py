"""Shot videos from keyframes: a camera move over the still (Ken Burns with ease-in-out), warped
with OpenCV and piped as raw frames into libx264. With an end frame the move travels from the
start image to the end image, dissolving between them, so the clip begins on the start frame and
lands on the end frame.
"""
from __future__ import annotations

import math
import random
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.errors import InvalidInput
from core.media.camera import CAMERA_MOVES, ease, move_at
from core.providers.local.canvas import frame_marks, load_cover
from core.providers.local.speaking import SpeakingTrack
from core.media.ffmpeg import RawVideoWriter
from core.media.files import atomic_path



def caption_band_height(path: Path) -> int:
    """Return the caption strip height (rows, at the image's own size) that ``keyframe`` recorded
    in the PNG's "storyreel:caption_band" text chunk, or 0 for any other image."""
    try:
        with Image.open(path) as im:
            return max(0, int(im.info.get("storyreel:caption_band", 0)))
    except (OSError, ValueError):
        return 0


def _split_caption(img: np.ndarray, band_h: int, keep: bool) -> tuple[np.ndarray, np.ndarray | None, float]:
    """Return (picture, band or None, scale). Kept: the picture as it is and the band to hold still
    over it. Dropped: the picture above the band enlarged (centred) to fill the frame, so no
    caption and no mirrored seam shows; ``scale`` is that enlargement (1.0 when nothing changed)."""
    if not band_h or band_h * 3 > img.shape[0]:
        return img, None, 1.0
    h, w = img.shape[:2]
    if keep:
        return img, img[h - band_h:].copy(), 1.0
    scale = h / (h - band_h)
    big = cv2.resize(img[: h - band_h], (int(round(w * scale)), h), interpolation=cv2.INTER_CUBIC)
    x0 = (big.shape[1] - w) // 2
    return np.ascontiguousarray(big[:, x0:x0 + w]), None, scale


def _slate(band: np.ndarray | None, text: str, width: int, height: int) -> np.ndarray | None:
    """Return the band with a slate line ("SC 2 · SHOT 3 · WIDE") above it, as one lower third."""
    if not text.strip():
        return band
    size = max(10, int(height * 0.028))
    font = None
    for name in ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
        try:
            font = ImageFont.truetype(name, size)
            break
        except OSError:
            continue
    font = font or ImageFont.load_default(size=size)
    strip = Image.new("RGB", (width, int(size * 1.7)), (12, 12, 16))
    ImageDraw.Draw(strip).text((int(size * 0.8), int(size * 0.3)), text.strip(), font=font, fill=(250, 210, 90))
    top = np.asarray(strip)
    return top if band is None else np.vstack([top, band])


def _transform(zoom: float, centre: tuple[float, float], keystone: float, w: int, h: int) -> np.ndarray:
    """3×3 map from the (frame-sized) still to the output frame for a window of 1/zoom size."""
    margin_x, margin_y = (w - w / zoom) / 2, (h - h / zoom) / 2
    cx, cy = w / 2 + centre[0] * margin_x, h / 2 + centre[1] * margin_y
    m = np.array([[zoom, 0, w / 2 - zoom * cx], [0, zoom, h / 2 - zoom * cy], [0, 0, 1]], dtype=np.float64)
    if keystone:
        # A pan turns the camera: the far side of the frame compresses slightly (perspective).
        k = np.array([[1, 0, 0], [0, 1, 0], [keystone / w, 0, 1]], dtype=np.float64)
        to_c = np.array([[1, 0, -w / 2], [0, 1, -h / 2], [0, 0, 1]], dtype=np.float64)
        m = np.linalg.inv(to_c) @ k @ to_c @ m
    return m


def _move_at(move: str, t: float, seed: int) -> tuple[float, tuple[float, float], float]:
    if move == "static":
        rng = random.Random(seed)
        ang = rng.uniform(0, 2 * math.pi)
        # Subtle drift: a slow 3% breathe-in with a small wander, so a held shot still feels alive.
        return 1.0 + 0.035 * t, (0.45 * t * math.cos(ang), 0.45 * t * math.sin(ang)), 0.0
    return move_at(move, t)


def _warp(img: np.ndarray, m: np.ndarray, w: int, h: int) -> np.ndarray:
    if abs(m[2, 0]) > 1e-12 or abs(m[2, 1]) > 1e-12:
        return cv2.warpPerspective(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
    return cv2.warpAffine(img, m[:2], (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)


def _remove_tag(img: np.ndarray, path: Path, width: int, height: int) -> np.ndarray:
    """Inpaint the keyframe's shot tag (top-left label) so it does not travel with the move."""
    marks = frame_marks(path=path, key="storyreel:tag_box", count=4, width=width, height=height)
    if marks is None:
        return img
    box, s, ox, oy = marks
    x0, y0 = max(0, int(box[0] * s - ox) - 2), max(0, int(box[1] * s - oy) - 2)
    x1, y1 = min(width, int(box[2] * s - ox) + 3), min(height, int(box[3] * s - oy) + 3)
    if x1 <= x0 or y1 <= y0:
        return img
    mask = np.zeros(img.shape[:2], np.uint8)
    mask[y0:y1, x0:x1] = 255
    pad = 6
    ry0, ry1, rx0, rx1 = max(0, y0 - pad), min(height, y1 + pad), max(0, x0 - pad), min(width, x1 + pad)
    out = img.copy()
    out[ry0:ry1, rx0:rx1] = cv2.inpaint(img[ry0:ry1, rx0:rx1], mask[ry0:ry1, rx0:rx1], 3, cv2.INPAINT_TELEA)
    return out


def _band_rows(path: Path, height: int) -> int:
    band = caption_band_height(path)
    if not band:
        return 0
    with Image.open(path) as im:
        src_w, src_h = im.size
    return int(round(band * height / src_h)) if src_h else 0


def _overlay(frame: np.ndarray, band: np.ndarray | None, end_band: np.ndarray | None, alpha: float) -> np.ndarray:
    """Put the still caption band(s) back over the bottom of a moving frame."""
    if band is None and end_band is None:
        return frame
    # Captions switch at the middle of the dissolve: two blended lines of text read as noise.
    if end_band is not None and (alpha >= 0.5 or band is None):
        frame[-end_band.shape[0]:] = end_band
    elif band is not None and (alpha < 0.5 or end_band is None):
        frame[-band.shape[0]:] = band
    return frame


def _validate(camera_move, duration_s, fps, width, height):
    if camera_move not in CAMERA_MOVES:
        raise InvalidInput(f"camera_move must be one of {', '.join(CAMERA_MOVES)}, got {camera_move!r}",
                           field="camera_move")
    if not isinstance(duration_s, (int, float)) or not 0.1 <= float(duration_s) <= 120:
        raise InvalidInput(f"duration_s must be from 0.1 to 120 seconds, got {duration_s!r}", field="duration_s")
    if not isinstance(fps, int) or isinstance(fps, bool) or not 1 <= fps <= 60:
        raise InvalidInput(f"fps must be an integer from 1 to 60, got {fps!r}", field="fps")
    for name, v in (("width", width), ("height", height)):
        if not isinstance(v, int) or isinstance(v, bool) or not 16 <= v <= 4096 or v % 2:
            raise InvalidInput(f"{name} must be an even integer from 16 to 4096, got {v!r}", field=name)


def animate_keyframe(*, image: Path, last_frame: Path | None = None, camera_move: str = "push_in",
                     duration_s: float = 4.0, fps: int = 24, width: int = 1280, height: int = 720,
                     seed: int = 0, out_path: Path, preset: str = "veryfast",
                     keep_caption: bool = True, slate: str = "", speech: list[Path] = (),
                     speaking: str = "") -> Path:
    """Animate a still into an H.264 MP4 (yuv420p, +faststart) at ``out_path``; return out_path.

    The clip has round(duration_s × fps) frames. Without ``last_frame`` the camera move travels
    over the still (push_in/static start on the whole still, pull_out ends on it). With
    ``last_frame`` the first frame is the start image and the last frame is the end image, the move
    carrying one into the other with a dissolve. A keyframe's caption strip is held still over the
    moving picture, with ``slate`` above it as a lower third (``keep_caption=False`` drops both and
    fills the frame with the picture). With ``speech`` (voice files, one per turn) and ``speaking``
    ("NAME:0.3-2.1;…", seconds from the clip start), each speaker's recorded mouth moves with
    their voice during their turn. Written atomically.
    Raises InvalidInput(field=...) for bad arguments or unreadable images, RenderError if encoding fails.
    """
    _validate(camera_move, duration_s, fps, width, height)
    if not Path(image).is_file():
        raise InvalidInput(f"image: no such file: {image}", field="image")
    if last_frame is not None and not Path(last_frame).is_file():
        raise InvalidInput(f"last_frame: no such file: {last_frame}", field="last_frame")
    start = load_cover(Path(image), width, height, "image")
    end = load_cover(Path(last_frame), width, height, "last_frame") if last_frame is not None else None
    start = _remove_tag(start, Path(image), width, height)
    if end is not None:
        end = _remove_tag(end, Path(last_frame), width, height)
    start, band, scale = _split_caption(start, _band_rows(Path(image), height), keep_caption)
    end_band = None
    if end is not None:
        end, end_band, _ = _split_caption(end, _band_rows(Path(last_frame), height), keep_caption)
    if keep_caption:
        band = _slate(band, slate, width, height)
        end_band = _slate(end_band, slate, width, height) if end is not None else None
    n = max(1, round(float(duration_s) * fps))
    talk = SpeakingTrack.build(speech=[Path(p) for p in speech or ()], speaking=speaking, image=Path(image),
                               width=width, height=height, fps=fps, n_frames=n)
    identity = np.eye(3)
    m0 = _transform(*_move_at(camera_move, 0.0, seed), width, height)
    m1 = _transform(*_move_at(camera_move, 1.0, seed), width, height)
    with atomic_path(Path(out_path)) as tmp, \
            RawVideoWriter(tmp, width=width, height=height, fps=fps, preset=preset) as writer:
        for i in range(n):
            t = i / (n - 1) if n > 1 else 1.0
            m = _transform(*_move_at(camera_move, t, seed), width, height)
            still = talk.apply(start, i, scale=scale) if talk is not None else start
            if end is None:
                writer.write(_overlay(_warp(still, m, width, height), band, None, 0.0))
                continue
            # Re-anchor the move so the start image is untouched at t=0 and the end image at t=1.
            a = _warp(still, m @ np.linalg.inv(m0) @ identity, width, height) if i < n - 1 else None
            b = _warp(end, m @ np.linalg.inv(m1), width, height) if i > 0 else None
            alpha = ease(min(1.0, max(0.0, (t - 0.1) / 0.8)))
            if a is None:
                frame = b
            elif b is None:
                frame = a
            else:
                frame = cv2.addWeighted(a, 1.0 - alpha, b, alpha, 0.0)
            writer.write(_overlay(frame, band, end_band, alpha if 0 < i < n - 1 else float(i == n - 1)))
    return Path(out_path)
