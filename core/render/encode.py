"""Encoding for rendering: drawn frames into H.264 segments, cancellable ffmpeg runs, encode params.

Every segment of a render is encoded with exactly the same parameters (``ENCODE``, ``x264_options``),
so the final assembly joins them by stream copy (``core.render.mux``). Frames drawn in Python
go to libx264 inside this process (PyAV: FFmpeg's libraries, the same x264 build as the ffmpeg
program, so the same bitstream), which spares copying every frame through a pipe into a separate
encoder; segments ffmpeg makes itself (clips, captions drawn by libass) run the ffmpeg program.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

import av
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


# Drawn frames are encoded in this process when PyAV's FFmpeg has libx264 (its wheels do); else
# they are piped to the ffmpeg program like any other segment.
IN_PROCESS = "libx264" in av.codecs_available
_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or None)


def _give_back_freed_memory() -> None:
    """Return to the system the memory an in-process encoder has freed; called as each one closes.
    x264 allocates from its threads' malloc arenas, and glibc keeps what they free for the threads
    of the same arena: the next segment's encoder, on other arenas, would allocate afresh beside it
    (bench/render.py's film in a fresh process, peak of the process tree: 834-849 MB without,
    618-642 MB with; 703-708 MB when every segment was its own ffmpeg process). A no-op where the C
    library has no ``malloc_trim``."""
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)


def x264_options(*, fps: int, quality: str) -> dict[str, str]:
    """Return the libx264 options every segment shares (as ffmpeg option names without the dash):
    the same for the ffmpeg program and the in-process encoder, so their segments concatenate."""
    preset, crf, _ = ENCODE[quality]
    return {"preset": preset, "crf": str(crf), "profile": "high", "g": str(fps * 2)}


def video_output_args(*, out_path: str, fps: int, quality: str) -> list[str]:
    """Return the H.264 MP4 output options every segment shares (so segments concatenate by stream copy)."""
    x264 = x264_options(fps=fps, quality=quality)
    return ["-an", "-c:v", "libx264", "-preset", x264["preset"], "-crf", x264["crf"], "-pix_fmt", "yuv420p",
            "-profile:v", x264["profile"], "-g", x264["g"], "-video_track_timescale", str(fps * 1000),
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


def _checked(frames: Iterable[np.ndarray], *, shape: tuple[int, int], cancel_event: threading.Event | None,
             on_frame: Callable[[], None] | None) -> Iterator[np.ndarray]:
    """The frames, each checked to be I420 of ``shape``, the cancel event checked before each and
    ``on_frame`` called after each has been taken."""
    for frame in frames:
        if cancel_event is not None and cancel_event.is_set():
            raise Cancelled("Render cancelled")
        if frame.shape != shape or frame.dtype != np.uint8:
            raise RenderError(f"Frame of shape {frame.shape}, expected I420 {shape}")
        yield frame
        if on_frame:
            on_frame()


def _picture(frame: np.ndarray, *, width: int, height: int) -> av.VideoFrame:
    """An FFmpeg frame holding an I420 frame: each plane copied whole, row by row only where the
    frame's rows are padded (a width off its alignment). PyAV's ``from_ndarray`` copies row by row
    always: 0.19 ms a 720p frame against 0.03 ms."""
    picture = av.VideoFrame(width, height, "yuv420p")
    flat, at = frame.reshape(-1), 0
    for plane, (w, h) in zip(picture.planes, ((width, height), (width // 2, height // 2), (width // 2, height // 2))):
        dest = np.frombuffer(plane, np.uint8)
        if plane.line_size == w:
            dest[:w * h] = flat[at:at + w * h]
        else:
            dest.reshape(-1, plane.line_size)[:h, :w] = flat[at:at + w * h].reshape(h, w)
        at += w * h
    return picture


def _encode_in_process(frames: Iterator[np.ndarray], *, out_path: str, width: int, height: int, fps: int,
                       quality: str) -> int:
    """Encode I420 frames with libx264 in this process into an MP4 at ``out_path``, exactly as
    ``video_encoder_args`` would (same options, threads and track timescale: the same bitstream).
    Returns the frame count. Raises what ``frames`` raises, or RenderError (InsufficientStorage for
    a full disk) when FFmpeg fails."""
    count = 0
    try:
        with av.open(out_path, "w", format="mp4", options={"video_track_timescale": str(fps * 1000)}) as out:
            x264 = x264_options(fps=fps, quality=quality)
            stream = out.add_stream("libx264", rate=fps, options={k: v for k, v in x264.items() if k != "g"})
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            ctx = stream.codec_context
            ctx.gop_size = int(x264["g"])
            # as the ffmpeg program does: frame threads, as many as x264 picks (PyAV's default,
            # slices, would make a different bitstream)
            ctx.thread_type, ctx.thread_count = "FRAME", 0
            for frame in frames:
                picture = _picture(frame, width=width, height=height)
                picture.pts = count
                out.mux(stream.encode(picture))
                count += 1
            out.mux(stream.encode(None))
    except av.FFmpegError as exc:
        raise ffmpeg_failed(what=f"Encoding {Path(out_path).name}", stderr=str(exc)) from exc
    finally:
        _give_back_freed_memory()
    return count


def encode_frames(frames: Iterable[np.ndarray], *, out_path: str, width: int, height: int, fps: int,
                  quality: str, cancel_event: threading.Event | None = None,
                  on_frame: Callable[[], None] | None = None, vf: str | None = None) -> int:
    """Encode I420 frames (``core.render.yuv``: even width and height, ``height * 3 / 2`` rows) into
    H.264 at ``out_path`` (MP4, no audio). They go through as they are: yuv420p is x264's own input
    format, so nothing converts colours. Without ``vf`` (a filter drawn on the way: captions by
    libass) and with libx264 in PyAV, in this process; else piped into the ffmpeg program.

    Returns the number of frames encoded. Raises Cancelled (checked before each frame; an ffmpeg is
    killed) or RenderError when the encoder fails; the caller deletes ``out_path`` on error.
    """
    checked = _checked(frames, shape=(height * 3 // 2, width), cancel_event=cancel_event, on_frame=on_frame)
    if vf is None and IN_PROCESS:
        return _encode_in_process(checked, out_path=out_path, width=width, height=height, fps=fps, quality=quality)
    count = 0

    def pieces():
        nonlocal count
        for frame in checked:
            yield np.ascontiguousarray(frame).data
            count += 1

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
