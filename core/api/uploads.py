"""Uploaded files: read within the size limit, identified by their bytes, stored as assets.

The name and the declared content type of an upload are never trusted: the kind of a file is what
its magic bytes say (``core.media.info.sniff_media_type`` when available, else the small sniffer
below), and the stored file is named by its content hash (``core.storage``).
"""
from __future__ import annotations

import io
import re
import uuid
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from core.api.errors import UploadTooLarge
from core.errors import InvalidInput
from core.media.info import probe, sniff_media_type
from core.media_assets import create_asset
from core.models import MediaAsset
from core.storage import ext_for_mime, scratch_dir
from core.media.files import atomic_write_bytes

CHUNK = 1 << 20
_KIND_OF_MIME = {"audio": "voice", "video": "video", "image": "image"}




def sniff(*, data: bytes) -> str | None:
    """Return the MIME type the bytes announce, or None when they are not a known media format."""
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


def _decoded_image(*, data: bytes, mime: str) -> tuple[int, int]:
    """Return (width, height) of image bytes that fully decode; raises InvalidInput otherwise."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()  # decodes every pixel: a truncated or damaged file fails here
            return im.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(f"The uploaded file looks like {mime} but cannot be decoded ({type(exc).__name__}): "
                           "it is damaged or not really an image.", field="file") from None


def _label(filename: str | None) -> str:
    # The user's name for the file is kept only as a label (files are named by their hash).
    name = re.sub(r"[\x00-\x1f]", "", Path(filename or "").name)[:80]
    return f"uploaded {name}" if name else "uploaded file"


def store_media_upload(*, data: bytes, project_id: int | None, filename: str | None = None) -> MediaAsset:
    """Check any uploaded media by its content and store it as an asset (provider ``upload``); returns it.

    The kind (image, video, audio) is what the bytes are, whatever the name or declared type;
    an image must decode completely, audio and video must be readable by ffmpeg with a stream of
    their kind. Width, height and duration are recorded. Raises InvalidInput naming ``file``.
    """
    mime = sniff(data=data)
    if mime is None:
        raise InvalidInput("The uploaded file is not a recognised image, video or audio file "
                           "(its content matches no supported format).", field="file")
    kind = mime.split("/")[0]
    fields: dict[str, Any] = {}
    if kind == "image":
        fields["width"], fields["height"] = _decoded_image(data=data, mime=mime)
        return create_asset(type="image", project_id=project_id, data=data, mime=mime, provider="upload",
                            operation="upload", label=_label(filename), **fields)
    tmp = scratch_dir(name="uploads") / f".upload-{uuid.uuid4().hex}{ext_for_mime(mime)}"
    atomic_write_bytes(path=tmp, data=data)
    try:
        try:
            info = probe(path=tmp)
        except InvalidInput:
            raise InvalidInput(f"The uploaded file looks like {mime} but ffmpeg cannot read it: it is damaged "
                               "or not really media.", field="file") from None
        if info.kind != kind and not (kind == "video" and info.kind == "audio"):
            raise InvalidInput(f"The uploaded file looks like {mime} but holds no {kind} stream.", field="file")
        if info.kind == "audio" and kind == "video":  # an MP4 holding only sound
            mime = "audio/mp4"
        fields = {"duration_s": info.duration_s or None, "width": info.width, "height": info.height}
        return create_asset(type=_KIND_OF_MIME[info.kind], project_id=project_id, src_path=tmp, move=True,
                            mime=mime, provider="upload", operation="upload", label=_label(filename),
                            **{k: v for k, v in fields.items() if v is not None})
    finally:
        tmp.unlink(missing_ok=True)
