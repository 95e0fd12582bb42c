"""Running the ffmpeg that imageio-ffmpeg ships: whole commands (cancellable) and a raw-frame video
writer. Outputs are written through ``core.media.files.atomic_path``.
"""
from __future__ import annotations

import logging
import subprocess
import tempfile
import threading
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from core.errors import Cancelled, InsufficientStorage, RenderError, StoryreelError, is_disk_full

log = logging.getLogger("storyreel.ffmpeg")


def ffmpeg_exe() -> str:
    """Return the path of the bundled ffmpeg binary; raises RenderError when it is missing."""
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception as exc:  # the package raises RuntimeError or OSError when no binary fits
        raise RenderError(f"ffmpeg is not available: {exc}") from exc


def _tail(stderr: bytes | str, lines: int = 6) -> str:
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    kept = [ln for ln in text.strip().splitlines() if ln.strip()]
    return "\n".join(kept[-lines:])


def ffmpeg_failed(*, what: str, stderr: bytes | str) -> StoryreelError:
    """Return the error for a failed ffmpeg run: InsufficientStorage when the disk is full,
    else a RenderError saying what failed. ffmpeg's own text (paths, codec jargon) goes to the
    log, never into the message."""
    tail = _tail(stderr)
    log.warning("%s failed (ffmpeg): %s", what, tail)
    if is_disk_full(RuntimeError(tail)):
        return InsufficientStorage()
    return RenderError(f"{what} failed (ffmpeg could not process the media; the server log has the details).")


def run_ffmpeg(args: list[str], *, what: str = "ffmpeg", input_bytes: bytes | None = None,
               cancel_event: threading.Event | None = None) -> bytes:
    """Run ``ffmpeg -hide_banner -y <args>`` (fed ``input_bytes`` on stdin when given) and return its
    stdout; with ``cancel_event`` the run is polled and killed when the event is set.

    Raises Cancelled (after killing ffmpeg), RenderError carrying ffmpeg's last error lines when it
    exits non-zero. The one way Storyreel runs ffmpeg for a whole command.
    """
    quiet = [] if "-loglevel" in args else ["-loglevel", "error"]  # the error tail then holds only errors
    cmd = [ffmpeg_exe(), "-hide_banner", *quiet, *(["-nostdin"] if input_bytes is None else []), "-y", *args]
    if cancel_event is None:
        proc = subprocess.run(cmd, input=input_bytes, capture_output=True)
        if proc.returncode != 0:
            raise ffmpeg_failed(what=what, stderr=proc.stderr)
        return proc.stdout
    # Output and log go to temp files (not pipes) so a long run can be polled without filling a pipe.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if input_bytes is not None else subprocess.DEVNULL,
                                stdout=out, stderr=err)
        if input_bytes is not None:
            proc.stdin.write(input_bytes)
            proc.stdin.close()
        while True:
            try:
                rc = proc.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                if cancel_event.is_set():
                    proc.kill()
                    proc.wait()
                    raise Cancelled(f"{what} cancelled")
        err.seek(0)
        if rc != 0:
            raise ffmpeg_failed(what=what, stderr=err.read())
        out.seek(0)
        return out.read()




class RawVideoWriter:
    """Pipe RGB24 frames into ffmpeg → H.264 (libx264, yuv420p, +faststart) MP4.

    Use as a context manager; ``write(frame)`` takes an ``(height, width, 3)`` uint8 array.
    An optional ``audio`` path is muxed as AAC and the output is cut to the video length.
    Raises RenderError when ffmpeg fails.
    """

    def __init__(self, path: Path, *, width: int, height: int, fps: float,
                 audio: Path | None = None, crf: int = 20, preset: str = "veryfast"):
        self.path = Path(path)
        self.width, self.height = int(width), int(height)
        args = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
                "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{self.width}x{self.height}",
                "-r", f"{fps}", "-i", "-"]
        if audio is not None:
            args += ["-i", str(audio), "-map", "0:v:0", "-map", "1:a:0", "-c:a", "aac", "-b:a", "128k",
                     "-shortest"]
        args += ["-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p",
                 "-movflags", "+faststart", "-f", "mp4", str(self.path)]
        self._stderr = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                      stderr=self._stderr)
        self.frames = 0

    def write(self, frame: np.ndarray) -> None:
        if frame.shape != (self.height, self.width, 3):
            raise RenderError(f"frame shape {frame.shape} does not match {self.height}x{self.width}x3")
        try:
            self._proc.stdin.write(np.ascontiguousarray(frame, dtype=np.uint8).tobytes())
        except BrokenPipeError as exc:
            self._fail(exc)
        self.frames += 1

    def _fail(self, exc: BaseException | None = None) -> None:
        self._proc.kill()
        self._proc.wait()
        self._stderr.seek(0)
        raise ffmpeg_failed(what="video encoding", stderr=self._stderr.read()) from exc

    def close(self) -> None:
        try:
            self._proc.stdin.close()
        except BrokenPipeError:
            pass
        if self._proc.wait() != 0:
            self._fail()
        self._stderr.close()

    def __enter__(self) -> "RawVideoWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self._proc.kill()
            self._proc.wait()
            self._stderr.close()


def even(n: int) -> int:
    """Round a dimension down to an even number (yuv420p needs even width and height)."""
    return max(2, int(n) - int(n) % 2)
