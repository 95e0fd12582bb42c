"""Role inference: which parameter of an unknown model plays which part (DESIGN §3).

Names come from the Replicate parameter maps (replicate.md §4, UPDATE-2026-12 §3.2) and the
names other current video models use: start frames are called ``image``/``start_image``/
``first_frame_image``/``start_image_url``/``first_image``/``image_url``/``start_frame_image``/
``input_image`` (and, on video models, Sora's ``input_reference``); end frames ``last_frame``/
``end_image``/``end_image_url``/``tail_image``/``tail_image_url``/``last_frame_image``;
references ``reference_images``/``reference_image_urls``/``subject_reference``/``image_input``/
``images``; the driving audio ``audio``/``driving_audio``. A file's explicit roles and the user's
corrections (``core.registry.role_overrides``) override what is inferred here.
"""
from __future__ import annotations

from typing import Any

# Candidate parameter names per role, best first. Frame roles only apply to video models and
# need a file input; the first non-deprecated match wins (kling's ``image`` is a deprecated
# alias of ``start_image``).
_FRAME_ROLES: dict[str, tuple[str, ...]] = {
    "start_frame": ("start_image", "first_frame_image", "first_frame", "start_frame", "start_frame_image",
                    "start_image_url", "first_image", "image", "image_url", "input_image", "input_reference"),
    "end_frame": ("last_frame", "end_image", "end_image_url", "tail_image", "tail_image_url", "last_frame_image",
                  "end_frame", "end_frame_image", "last_image"),
}
_REFERENCE_NAMES = ("reference_images", "reference_image_urls", "subject_reference", "image_input", "reference_image",
                    "input_images", "images")
# On image models a single input image is the picture to edit or follow: a reference.
_IMAGE_MODEL_REFERENCE_NAMES = _REFERENCE_NAMES + ("input_image", "image_url", "input_reference")
_PLAIN_ROLES: dict[str, tuple[str, ...]] = {
    "prompt": ("prompt",),
    "negative_prompt": ("negative_prompt",),
    "seed": ("seed",),
    "duration": ("duration", "duration_seconds"),
    "aspect_ratio": ("aspect_ratio",),
    "resolution": ("resolution",),
    "text": ("text",),
    "voice": ("voice_id", "voice"),
}
_FILE_ROLES: dict[str, tuple[str, ...]] = {"audio": ("audio", "driving_audio", "audio_url"), "video": ("video",)}

# Parameter names that only video models have; used when a raw schema does not say its type.
_VIDEO_HINTS = {
    "duration", "fps", "frames_per_second", "num_frames", "video_length", "generate_audio",
    "camera_fixed", "first_frame_image", "start_image", "last_frame", "end_image",
    "last_frame_image", "tail_image", "motion_bucket_id", "start_image_url", "end_image_url", "tail_image_url",
    "first_image", "start_frame_image", "driving_audio",
}


def _is_file(prop: dict[str, Any]) -> bool:
    if prop.get("format") == "uri":
        return True
    items = prop.get("items")
    return prop.get("type") == "array" and isinstance(items, dict) and items.get("format") == "uri"


def infer_media_type(properties: dict[str, dict[str, Any]]) -> str:
    """Guess ``video`` or ``image`` for a raw generation schema.

    Video when a parameter name only video models use is present, or a description talks
    about video; image otherwise.
    """
    if _VIDEO_HINTS & set(properties):
        return "video"
    text = " ".join(str(p.get("description", "")) for p in properties.values()).lower()
    return "video" if "video" in text else "image"


def infer_roles(properties: dict[str, dict[str, Any]], *, media_type: str) -> dict[str, str]:
    """Return ``{role: parameter}`` inferred from parameter names of ``properties``."""
    usable = {n: p for n, p in properties.items() if not p.get("deprecated")}
    roles: dict[str, str] = {}
    for role, names in _PLAIN_ROLES.items():
        for name in names:
            if name in usable and not _is_file(usable[name]):
                roles[role] = name
                break
    for role, names in _FILE_ROLES.items():
        for name in names:
            if name in usable and _is_file(usable[name]):
                roles[role] = name
                break
    if media_type == "video":
        for role, names in _FRAME_ROLES.items():
            for name in names:
                if name in usable and _is_file(usable[name]) and usable[name].get("type") != "array":
                    roles[role] = name
                    break
    ref_names = _IMAGE_MODEL_REFERENCE_NAMES if media_type == "image" else _REFERENCE_NAMES
    for name in ref_names:
        if name in usable and _is_file(usable[name]) and name not in roles.values():
            roles["reference_images"] = name
            break
    return roles
