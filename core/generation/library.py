"""What a media picker offers: a project's media of one kind (images for start/end frames and
references, videos, or sounds), newest first, one entry per distinct file, each named by the shot
("Shot 1.2 · keyframe") or character ("MAYA · reference") it belongs to, with a thumbnail; and an
upload that becomes such an entry at once."""
from __future__ import annotations

from dataclasses import dataclass

from core.breakdowns import list_characters, shot_labels
from core.errors import InvalidInput
from core.thumbnails import thumbnail
from core.media_assets import create_asset, list_assets

# Picker kind → the MediaAsset types it lists.
KIND_TYPES = {"image": ("image",), "video": ("video", "lipsync"), "audio": ("voice", "music", "sfx")}
UPLOAD_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp",
               ".mp4": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm", ".wav": "audio/wav",
               ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".flac": "audio/flac", ".m4a": "audio/mp4"}
UPLOAD_TYPE = {"image": "image", "video": "video", "audio": "sfx"}
OPERATION_NAMES = {"frame": "frame", "first_frame": "first frame", "last_frame": "last frame", "tts": "voice",
                   "generate": "", "upload": "upload", "portrait": "portrait"}


_AUDIO_WORDS = ("audio", "voice", "speech", "music", "sound", "wav")
_VIDEO_WORDS = ("video", "clip", "footage")


def field_kind(*, name: str, role: str | None = None) -> str:
    """Return the kind of media a file field takes ("image", "video" or "audio") from its role or
    name: start/end frames and references are pictures; "audio_file" is a sound; "video" a video."""
    words = f"{role or ''} {name}".lower()
    if any(w in words for w in _AUDIO_WORDS):
        return "audio"
    if any(w in words for w in _VIDEO_WORDS) and "frame" not in words:
        return "video"
    return "image"


@dataclass(frozen=True)
class MediaOption:
    media_id: str
    label: str
    thumb: str | None  # small JPEG path for pictures and videos, None for sounds


def _what(asset) -> str:
    if asset.label:
        return asset.label
    purpose = ((asset.extra or {}).get("purpose") or OPERATION_NAMES.get(asset.operation, asset.operation) or
               {"image": "keyframe", "video": "clip"}.get(asset.type, asset.type))
    return purpose


THUMBS_AT_MOST = 40  # the newest options get a thumbnail made; older ones have one once it exists


def media_options(*, project_id: int, kind: str, thumbs: bool = True) -> list[MediaOption]:
    """Return the project's media of ``kind`` ("image", "video" or "audio"), newest first, one
    option per distinct file, with thumbnails for pictures (made for the newest
    ``THUMBS_AT_MOST``). Raises InvalidInput for an unknown kind."""
    if kind not in KIND_TYPES:
        raise InvalidInput(f"kind must be one of {', '.join(KIND_TYPES)}", field="kind")
    shots = shot_labels(project_id=project_id)
    names = {c.character_id: c.name for c in list_characters(project_id=project_id)}
    assets = [a for a in list_assets(project_id=project_id) if a.type in KIND_TYPES[kind]]
    assets.sort(key=lambda a: a.timestamp, reverse=True)
    seen: set[str] = set()
    out = []
    for a in assets:
        if a.content_hash in seen:
            continue
        seen.add(a.content_hash)
        owner = (f"Shot {shots[a.shot_id]}" if a.shot_id in shots else
                 names.get(a.character_id or "", a.character_id or "") or "Library")
        when = f"{a.timestamp:%H:%M:%S}"
        length = f" · {a.duration_s:.1f} s" if a.duration_s else ""
        pic = thumbnail(media_id=a.media_id) if thumbs and kind != "audio" and len(out) < THUMBS_AT_MOST else None
        out.append(MediaOption(media_id=a.media_id, label=f"{owner} · {_what(a)}{length} · {when}",
                               thumb=str(pic) if pic else None))
    return out


def upload_media(*, project_id: int, kind: str, name: str, data: bytes) -> MediaOption:
    """Store an uploaded file as a library asset of ``kind`` and return its option.
    Raises InvalidInput for an unknown kind or a file type the kind does not take."""
    if kind not in KIND_TYPES:
        raise InvalidInput(f"kind must be one of {', '.join(KIND_TYPES)}", field="kind")
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    mime = UPLOAD_MIME.get(suffix, "")
    if not mime.startswith({"image": "image/", "video": "video/", "audio": "audio/"}[kind]):
        raise InvalidInput(f"{name} is not a {kind} file this picker takes.", field="upload")
    asset = create_asset(type=UPLOAD_TYPE[kind], project_id=project_id, data=data, mime=mime,
                         operation="upload", label=f"Upload {name}"[:80])
    pic = thumbnail(media_id=asset.media_id) if kind != "audio" else None
    return MediaOption(media_id=asset.media_id, label=f"Library · {asset.label}", thumb=str(pic) if pic else None)
