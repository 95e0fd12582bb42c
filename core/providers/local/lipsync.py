"""Lip sync driven by the audio envelope: the mouth region of a portrait (found with OpenCV's
bundled Haar face cascade, or recorded by ``keyframe`` in the PNG, or the lower-middle of the
frame as a last resort) opens and closes with the loudness of the speech.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from core.errors import InvalidInput
from core.providers.local.canvas import frame_marks, load_cover
from core.media.ffmpeg import RawVideoWriter, ffmpeg_exe, ffmpeg_failed
from core.media.files import atomic_path
from core.media.wav import envelope, read_audio
from core.media.info import probe

MAX_SOURCE_FRAMES = 360  # a shot clip is seconds long; this bounds memory for re-timing


@dataclass(frozen=True)
class Mouth:
    x: float  # centre, pixels
    y: float
    w: float  # mouth width, pixels


_CASCADE: object | None = None
_CASCADE_FILE = "haarcascade_frontalface_default.xml"


def _cascade():
    """The Haar face cascade, or False where OpenCV ships none (OpenCV 5 wheels dropped them)."""
    global _CASCADE
    if _CASCADE is None:
        path = Path(getattr(getattr(cv2, "data", None), "haarcascades", "")) / _CASCADE_FILE
        ok = hasattr(cv2, "CascadeClassifier") and path.is_file()
        _CASCADE = cv2.CascadeClassifier(str(path)) if ok else False
    return _CASCADE


def _skin_face(frame: np.ndarray) -> tuple[float, float, float, float] | None:
    """Largest skin-coloured blob (YCrCb range) in the upper frame, as a face box x, y, w, h."""
    h, w = frame.shape[:2]
    ycc = cv2.cvtColor(frame, cv2.COLOR_RGB2YCrCb)
    mask = cv2.inRange(ycc, (40, 135, 80), (250, 175, 130))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    best = None
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        aspect = bh / max(1, bw)
        if area < 0.004 * w * h or not 0.8 <= aspect <= 2.2 or y > h * 0.7:
            continue
        if best is None or area > best[4]:
            best = (x, y, bw, bh, area)
    if best is None:
        return None
    x, y, bw, bh, _ = best
    return float(x), float(y), float(bw), float(min(bh, bw * 1.35))  # a neck below the face is not face


def find_mouth(frame: np.ndarray) -> Mouth | None:
    """Return the mouth of the largest face in an RGB frame, or None when no face is found.

    Uses OpenCV's bundled Haar frontal-face cascade where the installed OpenCV ships it, else
    the largest skin-coloured blob.
    """
    h, w = frame.shape[:2]
    cascade = _cascade()
    if cascade:
        scale = 480.0 / max(h, w) if max(h, w) > 480 else 1.0  # detect on a small copy: 4× faster
        small = cv2.resize(frame, (int(w * scale), int(h * scale))) if scale < 1 else frame
        gray = cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY))
        faces = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24))
        if len(faces):
            x, y, fw, fh = max(faces, key=lambda f: f[2] * f[3]) / scale
            return Mouth(x + fw / 2, y + fh * 0.79, fw * 0.4)
    box = _skin_face(frame)
    if box is None:
        return None
    x, y, fw, fh = box
    return Mouth(x + fw / 2, y + fh * 0.78, fw * 0.36)


def _fallback_mouth(w: int, h: int) -> Mouth:
    return Mouth(w / 2, h * 0.62, min(w, h) * 0.12)


def _recorded_mouth(path: Path, width: int, height: int) -> Mouth | None:
    """The mouth position ``keyframe`` wrote into the PNG ("storyreel:mouth" = "x,y,w")."""
    marks = frame_marks(path=path, key="storyreel:mouth", count=3, width=width, height=height)
    if marks is None:
        return None
    vals, s, ox, oy = marks
    return Mouth(vals[0] * s - ox, vals[1] * s - oy, vals[2] * s)


def open_mouth(frame: np.ndarray, mouth: Mouth, amount: float) -> np.ndarray:
    """Return a copy of the frame with the mouth opened by ``amount`` (0 closed … 1 wide).

    The lower lip and jaw are pulled down by a smooth displacement field and the gap between
    the lips is filled with a dark mouth interior.
    """
    out = frame.copy()
    if amount <= 0.02:
        return out
    h, w = frame.shape[:2]
    drop = amount * mouth.w * 0.45
    x0, x1 = int(max(0, mouth.x - mouth.w * 1.2)), int(min(w, mouth.x + mouth.w * 1.2))
    y0, y1 = int(max(0, mouth.y - mouth.w * 0.3)), int(min(h, mouth.y + mouth.w * 1.6))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return out
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    wx = np.exp(-(((xx - mouth.x) / (mouth.w * 0.7)) ** 2))
    below = np.clip((yy - mouth.y) / (mouth.w * 0.12), 0, 1)
    fade = np.clip(1 - (yy - mouth.y - mouth.w * 0.2) / (mouth.w * 1.3), 0, 1)
    dy = drop * wx * below * fade
    roi = cv2.remap(frame, xx, yy - dy, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    out[y0:y1, x0:x1] = roi
    centre = (int(round(mouth.x)), int(round(mouth.y + drop * 0.5)))
    axes = (max(1, int(mouth.w * 0.36)), max(1, int(drop * 0.5)))
    cv2.ellipse(out, centre, axes, 0, 0, 360, (70, 22, 30), thickness=-1, lineType=cv2.LINE_AA)
    if amount > 0.45:  # teeth show on wide vowels
        cv2.ellipse(out, (centre[0], centre[1] - int(axes[1] * 0.6)), (int(axes[0] * 0.7), max(1, int(axes[1] * 0.3))),
                    0, 0, 360, (235, 232, 225), thickness=-1, lineType=cv2.LINE_AA)
    return out


def _smooth(env: np.ndarray) -> np.ndarray:
    # Attack fast, release a little slower, like a jaw: avoids flicker on every syllable edge.
    out = np.zeros_like(env)
    prev = 0.0
    for i, v in enumerate(env):
        prev = v if v > prev else prev * 0.55 + v * 0.45
        out[i] = prev
    return out


def _check_out(out_path) -> Path:
    if not out_path:
        raise InvalidInput("out_path is required", field="out_path")
    return Path(out_path)


def talking_portrait(*, image: Path, audio: Path, fps: int = 24, width: int = 854, height: int = 480,
                     out_path: Path) -> Path:
    """Write an MP4 (H.264 + AAC) of the portrait speaking ``audio``; return out_path.

    The video lasts as long as the audio (whole frames). Raises InvalidInput(field="image"/
    "audio"/"fps"/"width"/"height") and RenderError when encoding fails.
    """
    out_path = _check_out(out_path)
    if not isinstance(fps, int) or not 1 <= fps <= 60:
        raise InvalidInput("fps must be an integer from 1 to 60", field="fps")
    for name, v in (("width", width), ("height", height)):
        if not isinstance(v, int) or not 16 <= v <= 4096:
            raise InvalidInput(f"{name} must be an integer from 16 to 4096", field=name)
    width, height = width - width % 2, height - height % 2
    if not Path(image).is_file():
        raise InvalidInput(f"image: no such file: {image}", field="image")
    samples, sr = read_audio(Path(audio), field="audio")
    frame = load_cover(Path(image), width, height, "image")
    mouth = _recorded_mouth(Path(image), width, height) or find_mouth(frame) or _fallback_mouth(width, height)
    n = max(1, int(np.ceil(len(samples) / sr * fps)))
    env = _smooth(envelope(samples, sr, fps=fps, n_frames=n))
    with atomic_path(out_path) as tmp, RawVideoWriter(tmp, width=width, height=height, fps=fps,
                                                        audio=Path(audio)) as writer:
        for i in range(n):
            writer.write(open_mouth(frame, mouth, float(env[i])))
    return out_path


def _decode(video: Path, width: int, height: int) -> np.ndarray:
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(video),
           "-frames:v", str(MAX_SOURCE_FRAMES), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    proc = subprocess.run(cmd, capture_output=True)
    if proc.returncode != 0:
        raise ffmpeg_failed(what=f"decoding {video.name}", stderr=proc.stderr)
    size = width * height * 3
    n = len(proc.stdout) // size
    if n == 0:
        raise InvalidInput(f"video: no frames could be decoded from {video.name}", field="video")
    return np.frombuffer(proc.stdout[: n * size], np.uint8).reshape(n, height, width, 3)


def relipsync_video(*, video: Path, audio: Path, out_path: Path) -> Path:
    """Write a new MP4 of ``video`` re-timed to the audio's length (looped back and forth when
    shorter, trimmed when longer) with the mouth driven by the audio, audio muxed as AAC.

    Returns out_path. Raises InvalidInput(field="video"/"audio"), RenderError on ffmpeg failure.
    """
    out_path = _check_out(out_path)
    if not Path(video).is_file():
        raise InvalidInput(f"video: no such file: {video}", field="video")
    info = probe(path=Path(video))
    if info.kind != "video" or not info.width:
        raise InvalidInput(f"video: {Path(video).name} is not a video", field="video")
    samples, sr = read_audio(Path(audio), field="audio")
    fps = info.fps or 24.0
    frames = _decode(Path(video), info.width, info.height)
    n = max(1, int(np.ceil(len(samples) / sr * fps)))
    env = _smooth(envelope(samples, sr, fps=fps, n_frames=n))
    period = max(1, 2 * len(frames) - 2)
    # Track the face every few source frames; keep the last good position between detections.
    mouths: dict[int, Mouth] = {}
    last = None
    for i in range(0, len(frames), 6):
        last = find_mouth(frames[i]) or last
        mouths[i] = last
    default = next((m for m in mouths.values() if m), None) or _fallback_mouth(info.width, info.height)
    w, h = info.width - info.width % 2, info.height - info.height % 2
    with atomic_path(out_path) as tmp, RawVideoWriter(tmp, width=w, height=h, fps=fps, audio=Path(audio)) as writer:
        for i in range(n):
            k = i % period
            src = k if k < len(frames) else period - k  # ping-pong: no jump at the loop point
            mouth = mouths.get(src - src % 6) or default
            writer.write(np.ascontiguousarray(open_mouth(frames[src], mouth, float(env[i]))[:h, :w]))
    return out_path
