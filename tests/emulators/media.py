"""Tiny real media for the emulators and for tests that hand files to adapters: solid-colour PNGs,
220 Hz tone PCM / WAV / MP3 and short H.264 MP4s. Each is made once per shape and kept (ffmpeg is
the slow part), so the same call always answers the same bytes."""
from __future__ import annotations

import functools
import hashlib
import io
import math
import subprocess
import tempfile
import wave
from pathlib import Path


@functools.lru_cache(maxsize=None)
def solid_png(*, width: int = 32, height: int = 18, color: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    """A valid PNG of one colour."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), tuple(color)).save(buf, format="PNG")
    return buf.getvalue()


def seeded_png(*, width: int = 64, height: int = 64, seed: str = "") -> bytes:
    """A valid PNG whose colour depends on ``seed`` (so different prompts give different images)."""
    return solid_png(width=width, height=height, color=tuple(hashlib.sha256(seed.encode()).digest()[:3]))


def tone_pcm(*, seconds: float, rate: int, amplitude: int = 6000) -> bytes:
    """Headerless mono 16-bit little-endian PCM of a 220 Hz sine."""
    return b"".join(int(amplitude * math.sin(2 * math.pi * 220 * i / rate)).to_bytes(2, "little", signed=True)
                    for i in range(int(seconds * rate)))


def tone_wav(*, seconds: float = 0.5, rate: int = 16000, amplitude: int = 6000) -> bytes:
    """A valid mono 16-bit WAV of a 220 Hz sine."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(tone_pcm(seconds=seconds, rate=rate, amplitude=amplitude))
    return buf.getvalue()


def _ffmpeg(suffix: str, *args: str) -> bytes:
    """Run imageio-ffmpeg's ffmpeg with ``args`` and an output file of ``suffix``; return its bytes."""
    import imageio_ffmpeg

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"out{suffix}"
        subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", *args, "-y", str(out)],
                       check=True, capture_output=True)
        return out.read_bytes()


@functools.lru_cache(maxsize=None)
def tone_mp3() -> bytes:
    """A valid 0.5 s MP3 of a 220 Hz sine."""
    return _ffmpeg(".mp3", "-f", "lavfi", "-i", "sine=f=220:d=0.5", "-c:a", "libmp3lame")


@functools.lru_cache(maxsize=None)
def clip_mp4(*, width: int = 64, height: int = 64, seconds: float = 1.0, color: str = "blue",
             audio: bool = True) -> bytes:
    """A valid H.264 MP4 of one colour at 8 fps, with a 440 Hz AAC track when ``audio``."""
    video = ["-f", "lavfi", "-i", f"color=c={color}:s={width}x{height}:r=8:d={seconds:g}"]
    sound = ["-f", "lavfi", "-i", f"sine=f=440:d={seconds:g}"] if audio else []
    codecs = ["-c:v", "libx264", "-pix_fmt", "yuv420p", *(["-c:a", "aac", "-shortest"] if audio else [])]
    return _ffmpeg(".mp4", *video, *sound, *codecs, "-movflags", "+faststart")
