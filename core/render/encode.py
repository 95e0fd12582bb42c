"""ffmpeg processes for rendering: segment encoder fed by a pipe, cancellable runs, encode params.

Every segment of a render is encoded with exactly the same parameters (``ENCODE``), so the final
assembly can join them with the concat demuxer and ``-c copy``.
"""
from __future__ import annotations

import fcntl
import os
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from core.errors import Cancelled, RenderError
from core.media.ffmpeg import ffmpeg_exe, ffmpeg_failed

FFMPEG = ffmpeg_exe()

# A raw 720p I420 frame is 1.4 MB; the default 64 KB pipe hands it over in ~22 wake-ups of the
# encoder, a 1 MB pipe in two (measured: ~0.7 ms of CPU less per frame on both sides together).
PIPE_BYTES = 1 << 20
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)

# quality → (x264 preset, crf, short side of the output)
ENCODE = {
    "preview": ("ultrafast", 30, 240),
    "final": ("veryfast", 21, 720),
}


@contextmanager
def _error_log() -> Iterator[tuple]:
    """A temp file for a streaming ffmpeg's stderr (a pipe could fill and stall it); yields (the file,
    a function returning its last 400 characters: the error). The file is removed afterwards."""
    fd, path = tempfile.mkstemp(suffix=".log")
    errf = os.fdopen(fd, "w")

    def tail() -> str:
        try:
            return Path(path).read_text(errors="replace").strip()[-400:]
        except OSError:
            return ""

    try:
        yield errf, tail
    finally:
        errf.close()
        Path(path).unlink(missing_ok=True)


def video_output_args(*, out_path: str, fps: int, quality: str) -> list[str]:
    """Return the H.264 MP4 output options every segment shares (so segments concatenate by stream copy)."""
    preset, crf, _ = ENCODE[quality]
    return ["-an", "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p",
            "-profile:v", "high", "-g", str(fps * 2), "-video_track_timescale", str(fps * 1000),
            "-f", "mp4", out_path]


def video_encoder_args(*, out_path: str, width: int, height: int, fps: int, quality: str,
                       vf: str | None = None) -> list[str]:
    """Return the ffmpeg command that encodes raw I420 frames from stdin into an H.264 MP4 segment
    (``video_output_args``); ``vf`` is a filter drawn on the way (burned captions)."""
    return [FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}", "-r", str(fps), "-i", "-",
            *(["-vf", vf] if vf else []), *video_output_args(out_path=out_path, fps=fps, quality=quality)]


def open_pipe(args: list[str], **popen) -> subprocess.Popen:
    """Start an ffmpeg that reads raw frames on stdin, its pipe widened to ``PIPE_BYTES`` (where the
    system allows: otherwise the default pipe, slower, still correct)."""
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, **popen)
    try:
        fcntl.fcntl(proc.stdin.fileno(), F_SETPIPE_SZ, PIPE_BYTES)
    except OSError:  # above /proc/sys/fs/pipe-max-size for an unprivileged process
        pass
    return proc


def _pipe(args: list[str], pieces: Iterable[bytes], *, what: str, cancel_event: threading.Event | None) -> None:
    """Feed ``pieces`` to the ffmpeg ``args`` read from stdin: the one streaming-encoder loop.

    Raises Cancelled (checked before each piece; ffmpeg is killed) or RenderError when ffmpeg fails."""
    with _error_log() as (errf, tail):
        proc = open_pipe(args, stdout=subprocess.DEVNULL, stderr=errf)
        try:
            for piece in pieces:
                if cancel_event is not None and cancel_event.is_set():
                    raise Cancelled("Render cancelled")
                proc.stdin.write(piece)
            proc.stdin.close()
            if proc.wait() != 0:
                raise ffmpeg_failed(what=what, stderr=tail())
        except BrokenPipeError as exc:
            proc.wait()
            raise ffmpeg_failed(what=f"{what} (the encoder stopped)", stderr=tail()) from exc
        except BaseException:
            proc.kill()
            proc.wait()
            raise


def encode_frames(frames: Iterable[np.ndarray], *, out_path: str, width: int, height: int, fps: int,
                  quality: str, cancel_event: threading.Event | None = None,
                  on_frame: Callable[[], None] | None = None, vf: str | None = None) -> int:
    """Pipe I420 frames (``core.render.yuv``: even width and height, ``height * 3 / 2`` rows) into an
    H.264 encoder writing ``out_path`` (MP4, no audio). They go through as they are: yuv420p is
    x264's own input format, so neither side converts colours.

    Returns the number of frames written. Raises Cancelled (checked before each frame; ffmpeg is
    killed) or RenderError when ffmpeg fails; the caller deletes ``out_path`` on error.
    """
    count = 0
    shape = (height * 3 // 2, width)

    def pieces():
        nonlocal count
        for frame in frames:
            if frame.shape != shape or frame.dtype != np.uint8:
                raise RenderError(f"Frame of shape {frame.shape}, expected I420 {shape}")
            yield np.ascontiguousarray(frame).data
            count += 1
            if on_frame:
                on_frame()

    args = video_encoder_args(out_path=out_path, width=width, height=height, fps=fps, quality=quality, vf=vf)
    _pipe(args, pieces(), what=f"Encoding {Path(out_path).name}", cancel_event=cancel_event)
    return count


def run_encoder(args: list[str], *, what: str, cancel_event: threading.Event | None = None,
                on_frame: Callable[[], None] | None = None) -> None:
    """Run an ffmpeg that makes and encodes its frames itself (``args`` without the program name),
    reporting each encoded frame to ``on_frame`` from ffmpeg's progress lines (10 a second).

    Raises Cancelled (checked at each progress line; ffmpeg is killed) or RenderError when ffmpeg fails."""
    with _error_log() as (errf, tail):
        proc = subprocess.Popen([FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-nostats",
                                 "-progress", "pipe:1", "-stats_period", "0.1", *args],
                                stdout=subprocess.PIPE, stderr=errf, text=True)
        done = 0
        try:
            for line in proc.stdout:
                if cancel_event is not None and cancel_event.is_set():
                    raise Cancelled("Render cancelled")
                if line.startswith("frame=") and on_frame is not None:
                    n = int(line[6:].strip() or 0)
                    for _ in range(n - done):
                        on_frame()
                    done = max(done, n)
            if proc.wait() != 0:
                raise ffmpeg_failed(what=what, stderr=tail())
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            proc.stdout.close()


# The "fast" AAC coder takes half the CPU of the default two-loop search, and coding left and right
# as they are (no per-band mid/side search) a fifth less again (bench/render.py's mix: 1.55 → 1.25 s
# of CPU for 121 s); at 192 kb/s, 96 kb/s a channel, neither is audible on speech and music beds.
AUDIO_ENCODE = ["-c:a", "aac", "-aac_coder", "fast", "-aac_ms", "0", "-b:a", "192k"]
