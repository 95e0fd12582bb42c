"""Pure request building for the google adapter: validated params + input files → google-genai
call arguments (google.md §1.2, §2, §4; UPDATE-2026-12 §1). No network here; files are read from disk only.

Which SDK method a capability uses and which credentials it needs come from the capability
(``cap.sdk_method`` / ``cap.auth`` when the schema file carries them); the defaults below follow
the SDK version matrix (UPDATE-2026-12 §1.1): in google-genai 3.x ``generate_videos`` (Veo) runs
only in Vertex mode, ``generate_content`` works on both, and the API-key route to video is the
Interactions API (Gemini Omni Flash). Imagen is gone (shut down 2026-08-17), and with it the
``generate_images`` path.
"""
from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from google.genai import types

from core.errors import UnsupportedCapability
from core.providers.base import CANCELLED, FAILED, SUCCEEDED, InputFile

VIDEOS, CONTENT_IMAGE, CONTENT_JSON, INTERACTIONS = "generate_videos", "content_image", "content_json", "interactions"
# UPDATE-2026-12 §1.1: the auth each SDK method needs under google-genai 3.x.
DEFAULT_AUTH = {VIDEOS: "vertex", CONTENT_IMAGE: "api_key", CONTENT_JSON: "api_key", INTERACTIONS: "api_key"}
AUTH_SETTINGS = {"vertex": ("GOOGLE_CLOUD_PROJECT",), "api_key": ("GOOGLE_API_KEY",)}
# Interactions statuses (SDK 3.6 ``InteractionStatus``) that are final, and what they mean here.
INTERACTION_DONE = {"completed": SUCCEEDED, "failed": FAILED, "cancelled": CANCELLED, "incomplete": FAILED,
                    "budget_exceeded": FAILED}


def _cap_attr(cap: Any, name: str) -> Any:
    value = getattr(cap, name, None)
    if value is None:
        value = (getattr(cap, "extra", None) or {}).get(name) if isinstance(getattr(cap, "extra", None), dict) else None
    return value


def sdk_method(cap: Any) -> str:
    """Return which google-genai call serves a capability.

    Video → ``generate_videos``; text (script, breakdown) → ``generate_content`` with JSON output;
    image models and Omni video name theirs in the schema file (``content_image`` for Nano Banana,
    ``interactions`` for Gemini Omni Flash; UPDATE-2026-12 §1.1, §1.3).
    """
    explicit = _cap_attr(cap, "sdk_method")
    if explicit:
        return explicit
    if cap.media_type == "video":
        return VIDEOS
    if cap.media_type == "text":
        return CONTENT_JSON
    raise UnsupportedCapability(f"google has no {cap.media_type} operation for {cap.model}.", field="model")


def auth_mode(cap: Any) -> str:
    """Return ``"vertex"`` or ``"api_key"``: the capability file's ``auth`` field, else the SDK default."""
    return _cap_attr(cap, "auth") or DEFAULT_AUTH[sdk_method(cap)]


def required_settings(cap: Any) -> tuple[str, ...]:
    """Return the settings (API.md names) a capability needs before anything is sent."""
    return AUTH_SETTINGS[auth_mode(cap)]


def _read(f: InputFile) -> bytes:
    return Path(f.path).read_bytes()


def _image(f: InputFile) -> types.Image:
    return types.Image(image_bytes=_read(f), mime_type=f.mime)


def _as_list(v: Any) -> list:
    return v if isinstance(v, list) else [v]


def video_call(*, params: dict, files: dict[str, Any]) -> tuple[types.GenerateVideosSource, types.GenerateVideosConfig]:
    """Return (source, config) for ``models.generate_videos``.

    Params named like a ``GenerateVideosSource`` field (prompt, image, video) go to the source,
    those named like a ``GenerateVideosConfig`` field (duration_seconds, last_frame,
    reference_images…) to the config. Reference images are sent as ASSET references.
    Raises UnsupportedCapability for a param neither type has (a schema file out of step).
    """
    source: dict[str, Any] = {}
    config: dict[str, Any] = {}
    src_fields = set(types.GenerateVideosSource.model_fields)
    cfg_fields = set(types.GenerateVideosConfig.model_fields) - {"http_options"}
    merged: dict[str, Any] = {**{k: v for k, v in params.items() if v is not None}, **files}
    for name, value in merged.items():
        if name in files:
            if name == "reference_images":
                value = [types.VideoGenerationReferenceImage(image=_image(f), reference_type="ASSET")
                         for f in _as_list(value)]
            elif name == "video":
                value = types.Video(video_bytes=_read(value), mime_type=value.mime or "video/mp4")
            else:
                value = _image(value)
        if name in src_fields:
            source[name] = value
        elif name in cfg_fields:
            config[name] = value
        else:
            raise UnsupportedCapability(f"Veo has no parameter {name!r}.", field=name)
    config.setdefault("number_of_videos", 1)
    return types.GenerateVideosSource(**source), types.GenerateVideosConfig(**config)


def interaction_call(*, params: dict, files: dict[str, Any]) -> dict[str, Any]:
    """Return the keyword arguments of ``client.interactions.create`` for Gemini Omni Flash video
    (UPDATE-2026-12 §1.1), without ``model``.

    The prompt and any start frame or reference images go into ``input`` (text and image
    content); ``response_format`` asks for one video (aspect ratio, resolution, duration as a
    duration string such as ``"8s"``) delivered inline; ``background=True`` makes the call
    return at once with an interaction id to poll. A start frame sets
    ``generation_config.video_config.task`` to ``image_to_video``, references to
    ``reference_to_video``. Raises UnsupportedCapability for a param this call does not take.
    """
    known = {"prompt", "image", "reference_images", "duration", "aspect_ratio", "resolution"}
    given = {k: v for k, v in params.items() if v is not None}
    unknown = sorted((set(given) | set(files)) - known)
    if unknown:
        raise UnsupportedCapability(f"Gemini Omni has no parameter {unknown[0]!r}.", field=unknown[0])
    content: list[dict[str, Any]] = [{"type": "text", "text": given.get("prompt") or ""}]
    task = None
    for name in ("image", "reference_images"):
        if files.get(name):
            task = "image_to_video" if name == "image" else "reference_to_video"
            for f in _as_list(files[name]):
                content.append({"type": "image", "data": base64.b64encode(_read(f)).decode("ascii"),
                                "mime_type": f.mime})
    response_format: dict[str, Any] = {"type": "video", "delivery": "inline"}
    for name in ("aspect_ratio", "resolution"):
        if name in given:
            response_format[name] = given[name]
    if "duration" in given:
        response_format["duration"] = f"{int(given['duration'])}s"
    kwargs: dict[str, Any] = {"input": content, "response_modalities": ["video"], "background": True,
                              "response_format": response_format}
    if task:
        kwargs["generation_config"] = {"video_config": {"task": task}}
    return kwargs


def content_image_call(*, params: dict, files: dict[str, Any]) -> tuple[list, types.GenerateContentConfig]:
    """Return (contents, config) for Nano Banana: the prompt, then every input/reference image as an
    image Part; aspect ratio and size in ``image_config`` (google.md §2)."""
    contents: list[Any] = [params["prompt"]]
    for value in files.values():
        for f in _as_list(value):
            contents.append(types.Part.from_bytes(data=_read(f), mime_type=f.mime))
    image_fields = set(types.ImageConfig.model_fields)
    image_config = {k: v for k, v in params.items() if k in image_fields and v is not None}
    unknown = set(params) - image_fields - {"prompt", "seed"}
    if unknown:
        raise UnsupportedCapability(f"{sorted(unknown)[0]!r} is not a Gemini image parameter.", field=sorted(unknown)[0])
    config = types.GenerateContentConfig(response_modalities=["IMAGE"],
                                         image_config=types.ImageConfig(**image_config) if image_config else None,
                                         seed=params.get("seed"))
    return contents, config


# --- structured text: script writer and breakdown (google.md §4) ------------------------------

SCRIPT_SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "logline": {"type": "string"},
        "summary": {"type": "string"},
        "fountain": {"type": "string", "description": "The screenplay in Fountain format."},
    },
    "required": ["title", "logline", "summary", "fountain"],
}

SHOT_TYPES = ("extreme wide", "wide", "full", "medium", "medium close-up", "close-up", "extreme close-up",
              "over-the-shoulder", "two-shot", "POV", "insert", "establishing")
BREAKDOWN_SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "scenes": {"type": "array", "items": {
            "type": "object",
            "properties": {
                "heading": {"type": "string"},
                "location": {"type": "string"},
                "time_of_day": {"type": "string"},
                "int_ext": {"type": "string"},
                "summary": {"type": "string"},
                "shots": {"type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "shot_type": {"type": "string", "enum": list(SHOT_TYPES)},
                        "action": {"type": "string"},
                        "dialogue": {"type": "array", "items": {
                            "type": "object",
                            "properties": {"character": {"type": "string"}, "text": {"type": "string"},
                                           "parenthetical": {"type": "string"}},
                            "required": ["character", "text"]}},
                        "characters": {"type": "array", "items": {"type": "string"}},
                        "duration_s": {"type": "number", "minimum": 1.5, "maximum": 12},
                    },
                    "required": ["shot_type", "action", "duration_s"]}},
            },
            "required": ["heading", "shots"]}},
        "characters": {"type": "array", "items": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "description": {"type": "array", "items": {"type": "string"}}},
            "required": ["name"]}},
    },
    "required": ["scenes", "characters"],
}


def script_prompt(*, genre: str, language: str, target_length_s: int, logline: str = "") -> tuple[str, str]:
    """Return (system instruction, user prompt) for writing a short-film script."""
    system = ("You write screenplays for short AI-generated films in Fountain format: scene headings "
              "(INT./EXT. PLACE - TIME), action lines, CHARACTER cues with dialogue. Keep it filmable in "
              "short shots with few locations and at most four characters.")
    user = (f"Write a {genre} short film of about {int(target_length_s)} seconds of screen time, "
            f"dialogue in language '{language}'." + (f" Logline: {logline}" if logline else "")
            + " Answer with title, logline, a two-sentence summary and the full screenplay as fountain.")
    return system, user


def breakdown_prompt(*, text: str, target_length_s: int) -> tuple[str, str]:
    """Return (system instruction, user prompt) for breaking a script into scenes, shots and cast."""
    system = ("You are a first assistant director. Break the screenplay into scenes and shots. Shot types "
              f"are one of: {', '.join(SHOT_TYPES)}. Each shot has a one-line action, its dialogue lines, "
              "the characters on screen and a duration in seconds (1.5–12).")
    user = f"Target film length: {int(target_length_s)} seconds; shot durations must add up to about that.\n\n{text}"
    return system, user


TEXT_OPERATIONS = {
    "script": (lambda p: script_prompt(genre=p.get("genre", "drama"), language=p.get("language", "en"),
                                       target_length_s=p.get("target_length_s", 60), logline=p.get("logline", "")),
               SCRIPT_SCHEMA),
    "breakdown": (lambda p: breakdown_prompt(text=p["text"], target_length_s=p.get("target_length_s", 120)),
                  BREAKDOWN_SCHEMA),
}


def content_json_call(*, operation: str, params: dict) -> tuple[str, types.GenerateContentConfig]:
    """Return (contents, config) for a structured-output text operation (``script`` / ``breakdown``)."""
    if operation not in TEXT_OPERATIONS:
        raise UnsupportedCapability(f"google has no text operation {operation!r}.", field="operation")
    build, schema = TEXT_OPERATIONS[operation]
    system, user = build(params)
    # Sampling parameters were deprecated with Gemini 3.6 Flash (UPDATE-2026-12 §1.2): sent only when a
    # (retired, older) model's file offers temperature and the caller set it.
    config = types.GenerateContentConfig(system_instruction=system, response_mime_type="application/json",
                                         response_json_schema=schema, temperature=params.get("temperature"),
                                         seed=params.get("seed"))
    return user, config


def decode_b64(data: str | bytes | None) -> bytes | None:
    """Return the bytes of a base64 text (the Interactions API sends media inline), None for None."""
    if data is None or isinstance(data, bytes):
        return data
    return base64.b64decode(data)


def parse_json_text(text: str) -> dict:
    """Return the JSON object a structured-output answer holds; raises ValueError when it holds none."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("structured output is not a JSON object")
    return data


def veo_payload(op: types.GenerateVideosOperation) -> dict:
    """Return the normalised payload (``GoogleAdapter.parse_result``) of a Veo operation."""
    resp = op.response or op.result
    videos = [{"data": g.video.video_bytes, "uri": g.video.uri, "mime": g.video.mime_type}
              for g in (resp.generated_videos or [] if resp else []) if g.video]
    return {"name": op.name, "done": bool(op.done), "error": op.error, "videos": videos,
            "rai_filtered_count": getattr(resp, "rai_media_filtered_count", None) if resp else None,
            "rai_filtered_reasons": getattr(resp, "rai_media_filtered_reasons", None) if resp else None}


def interaction_payload(interaction: Any) -> dict:
    """Return the normalised payload of an Omni interaction: the video is base64 inline in
    ``steps[].content[]`` (UPDATE-2026-12 §1.1); a failed/incomplete one carries its errors."""
    data = interaction.model_dump(mode="json", by_alias=True, exclude_none=True)
    status = data.get("status")
    videos = [{"data": decode_b64(c.get("data")), "uri": c.get("uri"), "mime": c.get("mime_type")}
              for step in data.get("steps") or [] for c in step.get("content") or []
              if isinstance(c, dict) and c.get("type") == "video"]
    errors = data.get("errors") or []
    error = {"code": None, "message": "; ".join(str(e.get("message") or e.get("code")) for e in errors)
             or f"interaction ended {status}"} if INTERACTION_DONE.get(status) == FAILED else None
    return {"name": data.get("id"), "done": status in INTERACTION_DONE, "status": INTERACTION_DONE.get(status),
            "error": error, "videos": videos}
