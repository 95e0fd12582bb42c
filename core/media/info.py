"""General media utilities used by every part of Storyreel: probe a file, pull a frame out of a
video, and tell a file's type from its bytes.

The ffmpeg that imageio-ffmpeg ships comes without ffprobe, so ``probe`` parses the stream
summary that ``ffmpeg -i`` prints.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path


from core.errors import InvalidInput
from core.media.ffmpeg import ffmpeg_exe

_IMAGE_CODECS = {"png", "mjpeg", "webp", "gif", "bmp", "tiff", "jpegls"}
_IMAGE_FORMATS = ("_pipe", "image2")


@dataclass(frozen=True)
class MediaInfo:
    """What a media file holds. ``duration_s`` is 0.0 for still images; absent fields are None."""

    kind: str  # "video" | "image" | "audio"
    duration_s: float
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    has_audio: bool = False
    video_codec: str | None = None
    audio_codec: str | None = None
    sample_rate: int | None = None
    channels: int | None = None
    format_name: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def _check_file(path: Path, field: str) -> Path:
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{field}: no such file: {path}", field=field)
    if path.stat().st_size == 0:
        raise InvalidInput(f"{field}: file is empty: {path}", field=field)
    return path


def _ffmpeg_banner(path: Path) -> str:
    # `ffmpeg -i FILE` with no output exits 1 by design; the stream summary is on stderr.
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
                          capture_output=True)
    return proc.stderr.decode("utf-8", "replace")


def _channels(text: str) -> int | None:
    words = {"mono": 1, "stereo": 2, "2.1": 3, "quad": 4, "5.0": 5, "5.1": 6, "7.1": 8}
    m = re.search(r"(\d+) channels", text)
    if m:
        return int(m.group(1))
    for word, n in words.items():
        if re.search(rf",\s*{re.escape(word)}\b", text):
            return n
    return None


def probe(*, path: Path) -> MediaInfo:
    """Return the MediaInfo of an image, audio or video file.

    Raises InvalidInput(field="path") when the file is missing, empty or not media ffmpeg reads.
    """
    path = _check_file(path, "path")
    text = _ffmpeg_banner(path)
    fmt = re.search(r"Input #0, ([^ ,]+)", text)
    if not fmt or "Invalid data found" in text:
        raise InvalidInput(f"path: not a readable media file: {path.name}", field="path")
    format_name = fmt.group(1)
    duration = 0.0
    m = re.search(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)", text)
    if m:
        duration = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    video_line = next((ln for ln in text.splitlines() if re.search(r"Stream #\S+.*: Video: ", ln)
                       and "attached pic" not in ln), None)
    audio_line = next((ln for ln in text.splitlines() if re.search(r"Stream #\S+.*: Audio: ", ln)), None)
    width = height = None
    fps = None
    video_codec = audio_codec = None
    sample_rate = channels = None
    if video_line:
        video_codec = re.search(r"Video: ([\w-]+)", video_line).group(1)
        size = re.search(r", (\d{2,5})x(\d{2,5})", video_line)
        if size:
            width, height = int(size.group(1)), int(size.group(2))
        rate = re.search(r", ([\d.]+) fps", video_line) or re.search(r", ([\d.]+)k? tbr", video_line)
        if rate:
            fps = float(rate.group(1))
    if audio_line:
        audio_codec = re.search(r"Audio: ([\w-]+)", audio_line).group(1)
        sr = re.search(r", (\d+) Hz", audio_line)
        sample_rate = int(sr.group(1)) if sr else None
        channels = _channels(audio_line)
    if video_line and (video_codec in _IMAGE_CODECS) and (format_name.endswith(_IMAGE_FORMATS)
                                                         or format_name in ("webp", "gif")) \
            and not audio_line:
        return MediaInfo(kind="image", duration_s=0.0, width=width, height=height,
                         video_codec=video_codec, format_name=format_name)
    if video_line:
        return MediaInfo(kind="video", duration_s=duration, width=width, height=height, fps=fps,
                         has_audio=audio_line is not None, video_codec=video_codec,
                         audio_codec=audio_codec, sample_rate=sample_rate, channels=channels,
                         format_name=format_name)
    if audio_line:
        return MediaInfo(kind="audio", duration_s=duration, has_audio=True, audio_codec=audio_codec,
                         sample_rate=sample_rate, channels=channels, format_name=format_name)
    raise InvalidInput(f"path: no audio or video stream in {path.name}", field="path")


def sniff_media_type(*, data: bytes) -> str | None:
    """Return the MIME type that the bytes themselves announce, or None when unknown.

    Recognised: image/png, image/jpeg, image/webp, image/gif, video/mp4, audio/mp4 (M4A),
    video/quicktime, audio/wav, audio/mpeg, audio/ogg, audio/webm, video/webm, audio/flac.
    """
    if not data or len(data) < 4:
        return None
    head = bytes(data[:64])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        if brand == b"qt  ":
            return "video/quicktime"
        return "video/mp4"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        window = bytes(data[:4096])
        if b"webm" not in window:
            return None
        # A WebM with a video track names a V_ codec in its first track entries.
        return "video/webm" if b"V_VP" in window or b"V_AV1" in window else "audio/webm"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) != 0:
        return "audio/mpeg"  # MPEG audio frame sync with a valid layer
    return None
