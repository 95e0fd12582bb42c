"""Is this really media Storyreel can use? One check for every door: API uploads, app uploads
and what providers send back.

- The kind is what the bytes say (magic bytes), never a file name or a declared type.
- Images: the header's width × height is checked against ``core.limits.MAX_PIXELS`` (and a
  longest side) **before** any pixel is decoded, so a small file that decompresses to gigabytes
  (a decompression bomb) is refused; then the image is decoded in full.
- Audio and video are probed with ffmpeg and, for uploads, decoded: audio to the end (at a low
  rate), video its first frames and its last second. A valid header with junk behind it is refused.

Refusals are ``InvalidInput`` naming the field; the tool's own text goes to the log, never into the
message.
"""
from __future__ import annotations

import io
import logging
import os
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from core import limits
from core.errors import InvalidInput
from core.media.ffmpeg import ffmpeg_exe
from core.media.info import probe, sniff_media_type

log = logging.getLogger("storyreel.media")

KINDS = ("image", "audio", "video")
_DECODE_TIMEOUT_S = 300


@dataclass(frozen=True)
class CheckedMedia:
    """What a checked file is: MIME type, kind and its measured size/duration (None when unknown)."""

    mime: str
    kind: str
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None

    def asset_fields(self) -> dict:
        """Return the MediaAsset columns this check measured (width, height, duration_s)."""
        fields = {"width": self.width, "height": self.height}
        if self.duration_s is not None and self.kind in ("audio", "video"):
            fields["duration_s"] = round(self.duration_s, 3)
        return {k: v for k, v in fields.items() if v is not None}


def _expected(expect: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if expect is None:
        return KINDS
    return (expect,) if isinstance(expect, str) else tuple(expect)


def _check_frame_size(*, width: int | None, height: int | None, field: str, what: str) -> None:
    if not width or not height:
        raise InvalidInput(f"The {what} in {field} has no readable width and height.", field=field)
    if width * height > limits.MAX_PIXELS or max(width, height) > limits.MAX_SIDE:
        raise InvalidInput(
            f"The {what} in {field} is {width}×{height} px ({width * height / 1e6:.1f} MP); the limit is "
            f"{limits.MAX_PIXELS / 1e6:.0f} MP and {limits.MAX_SIDE} px a side.", field=field)


def _check_image(*, source: Path | bytes, mime: str, field: str, decode: bool) -> CheckedMedia:
    """Pixel count from the header first, then (``decode``) a full decode within that limit."""
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(handle) as img:
                width, height = img.size
                _check_frame_size(width=width, height=height, field=field, what="image")
                if decode:
                    img.load()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput(f"The image in {field} decompresses to more than "
                           f"{limits.MAX_PIXELS / 1e6:.0f} MP (a decompression bomb).", field=field) from None
    except Exception as exc:  # PIL raises many types for broken files: the text goes to the log only
        log.info("image in %s refused: %s: %s", field, type(exc).__name__, exc)
        raise InvalidInput(f"The image in {field} cannot be decoded (damaged or not an image).",
                           field=field) from None
    return CheckedMedia(mime=mime, kind="image", width=width, height=height)


def _decoded_bytes(args: list[str], *, field: str) -> int:
    """Run an ffmpeg decode writing raw data to stdout; return how many bytes it produced (0 on failure)."""
    try:
        proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", *args],
                              capture_output=True, timeout=_DECODE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise InvalidInput(f"Decoding {field} took too long.", field=field) from None
    if proc.returncode != 0:
        log.info("decoding %s failed: %s", field, proc.stderr.decode("utf-8", "replace")[-400:])
        return 0
    return len(proc.stdout)


def _check_timed(*, path: Path, mime: str, kind: str, field: str, decode: bool,
                 expect: tuple[str, ...] = KINDS) -> CheckedMedia:
    try:
        info = probe(path=path)
    except InvalidInput:
        raise InvalidInput(f"The {kind} in {field} cannot be read (damaged, or not {kind}).", field=field) from None
    if kind == "video" and info.kind == "audio" and "audio" in expect:  # an MP4/WebM holding only sound
        kind, mime = "audio", mime.replace("video/", "audio/")
    if kind not in expect:
        raise InvalidInput(f"The file in {field} must be {' or '.join(expect)}, but its content is {mime}.",
                           field=field)
    if info.kind != kind:
        raise InvalidInput(f"The file in {field} holds {info.kind}, not {kind}.", field=field)
    if info.duration_s > limits.MAX_MEDIA_SECONDS:
        raise InvalidInput(f"The {kind} in {field} lasts {info.duration_s:.0f} s; the limit is "
                           f"{limits.MAX_MEDIA_SECONDS} s.", field=field)
    if kind == "video":
        _check_frame_size(width=info.width, height=info.height, field=field, what="video")
    if decode:
        src = ["-i", str(path)]
        if kind == "audio":
            got = _decoded_bytes([*src, "-map", "0:a:0", "-ac", "1", "-ar", "8000", "-f", "s16le", "-"], field=field)
            seconds = got / 16000
            if seconds <= 0 or (info.duration_s > 1.0 and seconds < 0.5 * info.duration_s):
                raise InvalidInput(f"The audio in {field} cannot be decoded (damaged, or a valid header "
                                   "with no real audio behind it).", field=field)
        else:
            tiny = ["-map", "0:v:0", "-vf", "scale=16:16", "-pix_fmt", "gray", "-f", "rawvideo", "-"]
            first = _decoded_bytes([*src, "-frames:v", "2", *tiny], field=field)
            last = _decoded_bytes(["-sseof", "-1", *src, *tiny], field=field) if first else 0
            if not first or not last:
                raise InvalidInput(f"The video in {field} cannot be decoded (damaged, or a valid header "
                                   "with no real video behind it).", field=field)
    return CheckedMedia(mime=mime, kind=kind, width=info.width, height=info.height, duration_s=info.duration_s)


def _kind_of(*, mime: str | None, expect: tuple[str, ...], field: str) -> str:
    if mime is None:
        raise InvalidInput(f"The file in {field} is not a recognised {' or '.join(expect)} file "
                           "(its content matches no supported format).", field=field)
    kind = mime.split("/")[0]
    if kind == "video" and "audio" in expect and "video" not in expect:
        return kind  # a container that may hold only sound: the probe decides
    if kind not in expect:
        raise InvalidInput(f"The file in {field} must be {' or '.join(expect)}, but its content is {mime}.",
                           field=field)
    return kind


def check_media_file(*, path: Path, field: str, expect: str | tuple[str, ...] | None = None,
                     decode: bool = True) -> CheckedMedia:
    """Return what the media file at ``path`` is, after checking it (see the module docstring).

    ``expect`` is a kind or kinds (image, audio, video); ``decode=False`` checks headers, pixel
    count and duration only (for provider outputs, which are decoded later anyway).
    Raises InvalidInput naming ``field`` for unknown formats, another kind, too many pixels, too
    long a duration, or media that cannot be decoded.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head:
        raise InvalidInput(f"The file in {field} is empty.", field=field)
    mime = sniff_media_type(data=head)
    kind = _kind_of(mime=mime, expect=_expected(expect), field=field)
    if kind == "image":
        return _check_image(source=path, mime=mime, field=field, decode=decode)
    return _check_timed(path=path, mime=mime, kind=kind, field=field, decode=decode, expect=_expected(expect))


def check_media_bytes(*, data: bytes, field: str, expect: str | tuple[str, ...] | None = None,
                      decode: bool = True) -> CheckedMedia:
    """Return what the media bytes are, after the checks of :func:`check_media_file`.

    Audio and video are written to a private temp file for ffmpeg (removed afterwards, also on
    failure). Raises InvalidInput naming ``field``.
    """
    if not data:
        raise InvalidInput(f"The file in {field} is empty.", field=field)
    mime = sniff_media_type(data=data[:4096])
    kind = _kind_of(mime=mime, expect=_expected(expect), field=field)
    if kind == "image":
        return _check_image(source=bytes(data), mime=mime, field=field, decode=decode)
    fd, name = tempfile.mkstemp(prefix=".check-", suffix=".bin")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return _check_timed(path=Path(name), mime=mime, kind=kind, field=field, decode=decode,
                            expect=_expected(expect))
    finally:
        Path(name).unlink(missing_ok=True)
