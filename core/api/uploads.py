"""Uploaded files: read within the size limit, identified by their bytes, stored as assets.

The name and the declared content type of an upload are never trusted: the kind of a file is what
its bytes say, checked by ``core.media.checks`` (the same check the app's uploads and provider
outputs pass: pixel limit before decoding, audio and video probed and decoded), and the stored file
is named by its content hash (``core.storage``).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from core.api.errors import UploadTooLarge
from core.errors import InvalidInput
from core.media.checks import CheckedMedia, check_media_bytes
from core.media_assets import create_asset
from core.models import MediaAsset

CHUNK = 1 << 20
_KIND_OF_MIME = {"audio": "voice", "video": "video", "image": "image"}


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


def check_upload(*, data: bytes, expect: str, field: str) -> CheckedMedia:
    """Return what ``data`` is when it is real media of kind ``expect`` (audio, video or image):
    recognised by its bytes, within the pixel and duration limits and decodable
    (``core.media.checks``).

    Raises InvalidInput naming ``field`` otherwise, whatever the upload's name or declared type.
    """
    return check_media_bytes(data=data, expect=expect, field=field)


def store_upload(*, data: bytes, expect: str, field: str, project_id: int | None) -> MediaAsset:
    """Check ``data`` (see :func:`check_upload`) and store it as an asset (provider ``upload``) with
    its measured width, height and duration; returns it.

    Raises InvalidInput as :func:`check_upload` does, InsufficientStorage (507) on a full disk.
    """
    checked = check_upload(data=data, expect=expect, field=field)
    return create_asset(type=_KIND_OF_MIME[expect], project_id=project_id, data=data, mime=checked.mime,
                        provider="upload", operation="upload", label=f"uploaded {field}",
                        **checked.asset_fields())


def _label(filename: str | None) -> str:
    # The user's name for the file is kept only as a label (files are named by their hash).
    name = re.sub(r"[\x00-\x1f]", "", Path(filename or "").name)[:80]
    return f"uploaded {name}" if name else "uploaded file"


def store_media_upload(*, data: bytes, project_id: int | None, filename: str | None = None) -> MediaAsset:
    """Check any uploaded media by its content and store it as an asset (provider ``upload``); returns it.

    The kind (image, video, audio) is what the bytes are, whatever the name or declared type (an
    MP4 holding only sound is audio); it must pass ``core.media.checks`` (images within 40 MP and
    fully decodable, audio and video probed and decoded). Width, height and duration are recorded.
    Raises InvalidInput naming ``file``, InsufficientStorage (507) on a full disk.
    """
    checked = check_media_bytes(data=data, field="file")
    return create_asset(type=_KIND_OF_MIME[checked.kind], project_id=project_id, data=data, mime=checked.mime,
                        provider="upload", operation="upload", label=_label(filename), **checked.asset_fields())
