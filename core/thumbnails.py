"""Small JPEG thumbnails of stored media, made once and kept beside the media store.

Boards and pickers draw dozens of pictures at once; sending each full keyframe (or a clip) would
make them slow. A thumbnail is named by the media id and width, so it is made the first time it is
asked for and read from disk afterwards.
"""
from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path

from PIL import Image

from core.errors import NotFound
from core.media.ffmpeg import run_ffmpeg
from core.media_assets import asset_path, get_asset
from core.storage import atomic_write_bytes, scratch_dir

THUMB_WIDTH = 240  # one width for board cards and media pickers: each picture is made once
VIDEO_TYPES = {"video", "render", "lipsync"}


def _jpeg(img: Image.Image, width: int) -> bytes:
    img = img.convert("RGB")
    if img.width > width:
        img = img.resize((width, max(1, round(img.height * width / img.width))), Image.LANCZOS)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=80)
    return out.getvalue()


def thumbnail(*, media_id: str, width: int = THUMB_WIDTH) -> Path | None:
    """Return the path of a ``width``-pixel-wide JPEG of an image (or of a video's first frame),
    made on first use; None for media without a picture (sound, text) or a missing file."""
    path = scratch_dir(name="thumbs") / f"{media_id}_{int(width)}.jpg"
    if path.exists():
        return path
    try:
        asset = get_asset(media_id=media_id)
        src = asset_path(media_id=media_id)
    except NotFound:
        return None
    try:
        if asset.type in VIDEO_TYPES:
            frame = run_ffmpeg(["-loglevel", "error", "-i", str(src), "-frames:v", "1", "-f", "image2pipe",
                                "-vcodec", "png", "-"], what="Thumbnail")
            data = _jpeg(Image.open(io.BytesIO(frame)), width)
        elif asset.type == "image":
            with Image.open(src) as img:
                data = _jpeg(img, width)
        else:
            return None
    except Exception:  # noqa: BLE001 - an unreadable file has no thumbnail; the card says so
        return None
    return atomic_write_bytes(path=path, data=data)


@lru_cache(maxsize=2048)
def thumbnail_data_url(path: str) -> str:
    """Return the JPEG thumbnail at ``path`` as a ``data:`` URL (for views drawn in one piece, such
    as the storyboard board). Thumbnails never change once made (named by media id and width), so
    each is read once per process. Raises OSError when the file cannot be read."""
    return "data:image/jpeg;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")
