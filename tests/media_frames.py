"""Frame readers for tests: decode a video to arrays or pull one frame out as PNG (what a viewer sees),
independently of the code under test. Moved here from core: only tests read frames this way."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from core.errors import InvalidInput, RenderError
from core.media.ffmpeg import run_ffmpeg
from core.media.info import probe


def _check_file(path: Path, field: str) -> Path:
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{field}: no such file: {path.name}", field=field)
    return path


def _decode_rgb(args: list[str], width: int, height: int, what: str) -> np.ndarray:
    """Decode frames with ffmpeg to RGB24 and return them as an (n, h, w, 3) array."""
    raw = run_ffmpeg([*args, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], what=what)
    size = width * height * 3
    n = len(raw) // size
    return np.frombuffer(raw[: n * size], dtype=np.uint8).reshape(n, height, width, 3)


def _png(frame: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(frame).save(buf, format="PNG")
    return buf.getvalue()


def read_frames(*, video: Path, max_frames: int | None = None) -> np.ndarray:
    """Decode a video into an (n, height, width, 3) uint8 RGB array (for tests and analysis).

    Raises InvalidInput(field="video") for a file that is not a video, RenderError when decoding fails.
    """
    video = _check_file(video, "video")
    info = probe(path=video)
    if info.kind != "video" or not info.width:
        raise InvalidInput(f"video: {video.name} is not a video", field="video")
    args = ["-loglevel", "error", "-i", str(video)]
    if max_frames:
        args += ["-frames:v", str(int(max_frames))]
    return _decode_rgb(args, info.width, info.height, "decoding video")


def extract_frame(*, video: Path, which: str | float = "first") -> bytes:
    """Return one frame of a video as PNG bytes: ``"first"``, ``"last"`` or a time in seconds.

    Raises InvalidInput(field="video") for a missing/non-video file, InvalidInput(field="which")
    for an unknown selector or a time outside the video, RenderError when ffmpeg fails.
    """
    video = _check_file(video, "video")
    info = probe(path=video)
    if info.kind != "video" or not info.width:
        raise InvalidInput(f"video: {video.name} is not a video", field="video")
    w, h = info.width, info.height
    base = ["-loglevel", "error"]
    if which == "first":
        frames = _decode_rgb([*base, "-i", str(video), "-frames:v", "1"], w, h, "extracting first frame")
    elif which == "last":
        # Decode only the last second (seeking from the end), keep the final frame.
        frames = _decode_rgb([*base, "-sseof", "-1", "-i", str(video)], w, h, "extracting last frame")
        if len(frames) == 0:
            frames = _decode_rgb([*base, "-i", str(video)], w, h, "extracting last frame")
    else:
        try:
            t = float(which)
        except (TypeError, ValueError):
            raise InvalidInput("which: use 'first', 'last' or a time in seconds", field="which") from None
        if t < 0 or (info.duration_s and t > info.duration_s):
            raise InvalidInput(f"which: {t}s is outside the video (0–{info.duration_s:.2f}s)", field="which")
        frames = _decode_rgb([*base, "-ss", f"{t:.3f}", "-i", str(video), "-frames:v", "1"], w, h,
                             f"extracting frame at {t:.2f}s")
        if len(frames) == 0:  # seeking into the last frame's span can overshoot
            frames = _decode_rgb([*base, "-sseof", "-1", "-i", str(video)], w, h, "extracting frame")
    if len(frames) == 0:
        raise RenderError(f"no frame could be decoded from {video.name}")
    return _png(frames[-1] if which != "first" else frames[0])
