"""Uploaded files: read within the size limit, identified by their bytes, stored as assets.

The name and the declared content type of an upload are never trusted: the kind of a file is what
its magic bytes say (``core.media.info.sniff_media_type`` when available, else the small sniffer
below), and the stored file is named by its content hash (``core.storage``).
"""
from __future__ import annotations

from typing import Any

from core.api.errors import UploadTooLarge
from core.errors import InvalidInput
from core.media_assets import create_asset
from core.models import MediaAsset

CHUNK = 1 << 20
_KIND_OF_MIME = {"audio": "voice", "video": "video", "image": "image"}


def _fallback_sniff(data: bytes) -> str | None:
    head = bytes(data[:16])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0):
        return "audio/mpeg"
    return None


def sniff(*, data: bytes) -> str | None:
    """Return the MIME type the bytes announce, or None when they are not a known media format."""
    try:
        from core.media.info import sniff_media_type
    except ImportError:
        return _fallback_sniff(data)
    return sniff_media_type(data=data)


def read_upload(*, upload: Any, limit: int, field: str) -> bytes:
    """Return the bytes of a Starlette ``UploadFile`` (its spooled file), read in chunks.

    Raises UploadTooLarge (413) past ``limit`` bytes and InvalidInput when the file is empty.
    """
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = upload.file.read(CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise UploadTooLarge(f"The uploaded {field} is larger than {limit // (1024 * 1024)} MB.",
                                 field=field, setting="STORYREEL_MAX_UPLOAD_MB")
        chunks.append(chunk)
    if not total:
        raise InvalidInput(f"The uploaded {field} is empty.", field=field)
    return b"".join(chunks)


def check_upload(*, data: bytes, expect: str, field: str) -> str:
    """Return the MIME type of ``data`` when it is media of kind ``expect`` (audio, video or image).

    Raises InvalidInput naming ``field`` when the bytes are no known format or another kind of
    media than expected, whatever the upload's name or declared type.
    """
    mime = sniff(data=data)
    if mime is None:
        raise InvalidInput(f"The uploaded {field} is not a recognised {expect} file "
                           "(its content matches no supported format).", field=field)
    if mime.split("/")[0] != expect:
        raise InvalidInput(f"The uploaded {field} must be {expect}, but its content is {mime}.", field=field)
    return mime


def store_upload(*, data: bytes, expect: str, field: str, project_id: int | None) -> MediaAsset:
    """Check ``data`` (see :func:`check_upload`) and store it as an asset (provider ``upload``); returns it.

    Raises InvalidInput as :func:`check_upload` does.
    """
    mime = check_upload(data=data, expect=expect, field=field)
    return create_asset(type=_KIND_OF_MIME[expect], project_id=project_id, data=data, mime=mime,
                        provider="upload", operation="upload", label=f"uploaded {field}")
