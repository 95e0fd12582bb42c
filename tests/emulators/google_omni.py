"""The Interactions API part of the google emulator (UPDATE-2026-12 §1.1): Gemini Omni Flash video
with an API key, as google-genai 3.6 sends it.

``POST /{ver}/interactions`` (create; ``background`` true answers at once with an id),
``GET /{ver}/interactions/{id}`` (poll), ``POST /{ver}/interactions/{id}/cancel``. Bodies are checked
against the SDK's field names (``CreateModelInteraction``, ``VideoResponseFormat``,
``VideoConfig``); unknown or shut-down models answer 404 like Google does.
"""
from __future__ import annotations

import base64
import re
import time
import uuid
from dataclasses import dataclass

from tests.emulators.media import clip_mp4

OMNI_MODELS = {"gemini-omni-1.1-flash", "gemini-omni-1.2-flash"}  # the preview id shut down 2026-09-30
CREATE_FIELDS = {"model", "input", "response_modalities", "background", "response_format", "generation_config",
                 "system_instruction", "store", "stream", "previous_interaction_id", "labels", "response_mime_type"}
VIDEO_FORMAT_FIELDS = {"type", "aspect_ratio", "resolution", "duration", "delivery", "gcs_uri"}
TASKS = {"text_to_video", "image_to_video", "reference_to_video", "edit", "extend", "upscale"}
CONTENT_TYPES = {"text", "image", "video", "audio"}


class OmniReject(Exception):
    def __init__(self, code: int, message: str, status: str = "INVALID_ARGUMENT"):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class Interaction:
    id: str
    model: str
    created: float
    seconds: float
    aspect: str
    cancelled: bool = False
    polls: int = 0


def _unknown(obj: dict, allowed: set[str], where: str) -> None:
    for k in obj:
        if k not in allowed:
            raise OmniReject(400, f'Invalid JSON payload received. Unknown name "{k}" at \'{where}\': Cannot find field.')


def check_create(body: dict) -> dict:
    """Validate a create body; returns the video response format. Raises OmniReject."""
    _unknown(body, CREATE_FIELDS, "")
    model = body.get("model")
    if model not in OMNI_MODELS:
        raise OmniReject(404, f"models/{model} is not found for API version v1beta, or is not supported for "
                              "interactions.", "NOT_FOUND")
    if body.get("response_modalities") != ["video"]:
        raise OmniReject(400, "response_modalities must be [\"video\"] for this model.")
    if body.get("background") is not True:
        raise OmniReject(400, "video generation must run with background=true.")
    turns = body.get("input")
    if not isinstance(turns, list) or not turns:
        raise OmniReject(400, "input is required.")
    images = 0
    for ti, turn in enumerate(turns):
        _unknown(turn, {"type", "content", "role"}, f"input[{ti}]")
        for ci, part in enumerate(turn.get("content") or []):
            if part.get("type") not in CONTENT_TYPES:
                raise OmniReject(400, f"input[{ti}].content[{ci}].type {part.get('type')!r} is not supported.")
            if part["type"] == "image":
                _unknown(part, {"type", "data", "mime_type", "uri"}, f"input[{ti}].content[{ci}]")
                base64.b64decode(part.get("data") or "", validate=True)
                images += 1
    if images > 10:
        raise OmniReject(400, "at most 10 input images are supported.")
    fmt = body.get("response_format") or {}
    _unknown(fmt, VIDEO_FORMAT_FIELDS, "response_format")
    if fmt.get("type") != "video":
        raise OmniReject(400, "response_format.type must be video.")
    if fmt.get("aspect_ratio") not in (None, "16:9", "9:16"):
        raise OmniReject(400, f"Unsupported aspect ratio {fmt['aspect_ratio']}.")
    if fmt.get("resolution") not in (None, "360p", "720p", "1080p", "4k"):
        raise OmniReject(400, f"Unsupported resolution {fmt['resolution']}.")
    if "duration" in fmt and not re.fullmatch(r"\d+(\.\d+)?s", str(fmt["duration"])):
        raise OmniReject(400, f"Invalid duration {fmt['duration']!r}: expected e.g. \"8s\".")
    if fmt.get("delivery") not in (None, "inline", "uri"):
        raise OmniReject(400, f"Unsupported delivery {fmt['delivery']}.")
    task = ((body.get("generation_config") or {}).get("video_config") or {}).get("task")
    if task is not None and task not in TASKS:
        raise OmniReject(400, f"Unsupported task {task}.")
    if task == "image_to_video" and images != 1:
        raise OmniReject(400, "image_to_video takes exactly one image.")
    return fmt


def start(body: dict, *, seconds: float) -> Interaction:
    """Return a new interaction for a checked create body."""
    fmt = check_create(body)
    return Interaction(id=f"interaction-{uuid.uuid4().hex[:16]}", model=body["model"], created=time.monotonic(),
                       seconds=seconds, aspect=fmt.get("aspect_ratio") or "16:9")


def answer(it: Interaction, size: tuple[int, int]) -> dict:
    """Return the Interaction JSON: in_progress while running, then completed with the video inline."""
    it.polls += 1
    base = {"id": it.id, "model": it.model}
    if it.cancelled:
        return {**base, "status": "cancelled"}
    if time.monotonic() - it.created < it.seconds:
        return {**base, "status": "in_progress"}
    data = base64.b64encode(clip_mp4(width=size[0], height=size[1], seconds=1.0, color="navy", audio=False)).decode()
    video = {"type": "video", "data": data, "mime_type": "video/mp4"}
    return {**base, "status": "completed", "steps": [{"type": "model_output", "content": [video]}],
            "usage": {"total_output_tokens": 100}}
