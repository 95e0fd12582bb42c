"""Request bodies of the HTTP API (API.md names), each with an OpenAPI example.

Ids that could reach a file or a query are constrained to plain tokens; provider ``params`` stay a
free JSON object here because what they may hold is the registry's business (validated there,
before anything is queued).
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from core.api.security import ID_PATTERN
from core.limits import (
    MAX_LABEL_CHARS, MAX_NAME_CHARS, MAX_SCRIPT_CHARS, MAX_SHORT_TEXT_CHARS, MAX_TTS_CHARS, Text,
)
from core.render.settings import AspectRatio, CaptionStyle, Loudness, RenderSettings, SubtitleMode

# A voice id goes into provider URLs: letters, digits, "_" and "-" only (each provider checks its own too).
VOICE_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
# A database id in a route path (projects, shots): positive, within a 64-bit signed integer.
DbIdPath = Annotated[int, Path(ge=1, le=2**62, examples=[1])]
VoiceId = Annotated[str, StringConstraints(pattern=VOICE_ID_PATTERN, max_length=64)]
MediaId = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=64)]
CharacterId = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=64)]
Name = Text(MAX_LABEL_CHARS, min_chars=1)
DbId = Annotated[int, Field(ge=1, le=2**62)]


def _examples(*examples: dict) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(examples)})


class CapabilitiesRequest(BaseModel):
    model_config = _examples({"provider": "google", "model": "veo-3.1-generate-001"})
    provider: Name
    model: Name
    operation: Name | None = None


class GenerateRequest(BaseModel):
    """Video or image generation: provider params plus optional film context."""

    model_config = _examples(
        {"provider": "local", "model": "keyframe", "params": {"prompt": "A lighthouse at dusk", "seed": 7},
         "project_id": 1},
        {"provider": "google", "model": "veo-3.1-generate-001",
         "params": {"prompt": "Waves crash on the rocks", "duration_seconds": 8, "resolution": "1080p"}},
    )
    provider: Name
    model: Name
    params: dict[str, Any] = Field(default_factory=dict)
    project_id: DbId | None = None
    shot_id: DbId | None = None
    character_id: CharacterId | None = None
    force: bool = False


class VideoGenerateRequest(GenerateRequest):
    model_config = _examples(
        {"provider": "local", "model": "animate", "params": {"prompt": "Slow push in", "duration": 2}},
        {"provider": "local", "model": "animate", "params": {}, "shot_id": 2, "use_last_frame": True},
    )
    use_last_frame: bool = False


class SmoothTransitionRequest(BaseModel):
    model_config = _examples({"from_shot_id": 1, "to_shot_id": 2, "provider": "local", "model": "animate"})
    from_shot_id: DbId
    to_shot_id: DbId
    provider: Name
    model: Name


class TtsRequest(BaseModel):
    model_config = _examples(
        {"provider": "local", "model": "tts", "text": "We sail at dawn.", "character_id": "maya"},
        {"provider": "elevenlabs", "model": "eleven_multilingual_v2", "text": "Hello.",
         "voice_id": "21m00Tcm4TlvDq8ikWAM"},
    )
    provider: Name
    model: Name
    text: Text(MAX_TTS_CHARS, min_chars=1)
    voice_id: VoiceId | None = None
    character_id: CharacterId | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    project_id: DbId | None = None
    shot_id: DbId | None = None


class LipsyncImageRequest(BaseModel):
    model_config = _examples({"provider": "local", "model": "lipsync-image",
                              "audio_media_id": "3f2a9c0d1e2b4c5d8e9f00112233aabb", "image_media_id": "9b1c7e2d3f4a4b5c6d7e8f9012345678", "params": {}})
    provider: Name
    model: Name
    audio_media_id: MediaId
    image_media_id: MediaId | None = None
    character_id: CharacterId | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    project_id: DbId | None = None

    @model_validator(mode="after")
    def _image_or_character(self) -> "LipsyncImageRequest":
        if not self.image_media_id and not self.character_id:
            raise ValueError("give image_media_id or character_id (whose reference image is used)")
        return self


class LipsyncVideoRequest(BaseModel):
    model_config = _examples({"provider": "local", "model": "lipsync-video", "video_media_id": "5d0e1f2a3b4c4d5e6f7a8b9c0d1e2f3a",
                              "audio_media_id": "3f2a9c0d1e2b4c5d8e9f00112233aabb", "params": {}, "shot_id": 3})
    provider: Name
    model: Name
    video_media_id: MediaId
    audio_media_id: MediaId
    params: dict[str, Any] = Field(default_factory=dict)
    shot_id: DbId | None = None
    project_id: DbId | None = None


class ExtractFramesRequest(BaseModel):
    model_config = _examples({"media_id": "5d0e1f2a3b4c4d5e6f7a8b9c0d1e2f3a"})
    media_id: MediaId


class UseLastFrameRequest(BaseModel):
    model_config = _examples({"shot_id": 2})
    shot_id: DbId


class RenderSceneRequest(BaseModel):
    model_config = _examples({"scene_id": 1, "options": {"subtitles": "srt"}})
    scene_id: DbId
    options: RenderSettings = Field(default_factory=RenderSettings)


class RenderFilmRequest(BaseModel):
    model_config = _examples({"project_id": 1, "aspect_ratio": "16:9", "subtitles": "srt", "loudness_lufs": -14.0})
    project_id: DbId
    aspect_ratio: AspectRatio | None = None
    subtitles: SubtitleMode = "srt"
    loudness_lufs: Loudness = -14.0
    captions: CaptionStyle = Field("box", description="burned-in style: lines in a box, or word by word")


class ExportTimelineRequest(BaseModel):
    model_config = _examples({"project_id": 1, "format": "fcpxml"})
    project_id: DbId
    format: Literal["otio", "fcpxml", "edl"] = "otio"


# --- resources -------------------------------------------------------------------------------

class ProjectCreate(BaseModel):
    model_config = _examples({"name": "Lighthouse", "aspect_ratio": "16:9", "language": "en",
                              "genre": "drama", "target_length_s": 60})
    name: Text(MAX_NAME_CHARS, min_chars=1)
    aspect_ratio: Text(20) = "16:9"
    language: Text(20) = "en"
    genre: Text(60) = "drama"
    target_length_s: Annotated[int, Field(ge=1, le=100000)] = 120


class ProjectUpdate(BaseModel):
    model_config = _examples({"name": "Lighthouse (final)", "art_style": "watercolour"})
    name: Text(MAX_NAME_CHARS, min_chars=1) | None = None
    aspect_ratio: Text(20) | None = None
    language: Text(20) | None = None
    genre: Text(60) | None = None
    target_length_s: Annotated[int, Field(ge=1, le=100000)] | None = None
    logline: Text(2000) | None = None
    art_style: Text(2000) | None = None
    style_card: Text(MAX_SHORT_TEXT_CHARS) | None = None


class ScriptCreate(BaseModel):
    model_config = _examples({"text": "INT. LIGHTHOUSE - NIGHT\n\nMAYA climbs the stairs.\n\nMAYA\nWe sail at dawn.\n",
                              "title": "draft 1"})
    text: Text(MAX_SCRIPT_CHARS, min_chars=1)
    title: Text(MAX_LABEL_CHARS) = ""


LINE_KEY_PATTERN = r"^[0-9]{1,18}:[0-9]{1,4}$"  # "shot_id:line" (the line's index in its shot's dialogue)


class VoiceoverRequest(BaseModel):
    """Which dialogue lines of a project to voice: all of them (``lines`` absent), the ``lines``
    given, and with ``only_missing`` only those not voiced yet."""

    model_config = _examples({}, {"lines": ["3:0", "5:1"]}, {"only_missing": True})
    lines: list[Annotated[str, StringConstraints(pattern=LINE_KEY_PATTERN, max_length=24)]] | None = Field(
        default=None, max_length=2000)
    only_missing: bool = False


class BreakdownRequest(BaseModel):
    model_config = _examples({"mode": "auto"})
    mode: Literal["auto", "fountain", "prose"] = "auto"


class SceneUpdate(BaseModel):
    model_config = _examples({"heading": "EXT. HARBOUR - DAWN", "summary": "Maya leaves."})
    heading: Text(300, min_chars=1) | None = None
    location: Text(300) | None = None
    time_of_day: Text(60) | None = None
    summary: Text(MAX_SHORT_TEXT_CHARS) | None = None


class DialogueLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    character: Text(MAX_NAME_CHARS)
    text: Text(MAX_SHORT_TEXT_CHARS)
    parenthetical: Text(MAX_LABEL_CHARS) = ""


class ShotUpdate(BaseModel):
    model_config = _examples({"shot_type": "close-up", "duration_s": 3.5, "action": "Maya turns."})
    shot_type: Text(60) | None = None
    action: Text(MAX_SHORT_TEXT_CHARS) | None = None
    dialogue: list[DialogueLine] | None = None
    characters: list[Text(MAX_NAME_CHARS)] | None = None
    duration_s: Annotated[float, Field(ge=0.0, le=3600.0)] | None = None
    camera_move: Text(60) | None = None
    prompt: Text(MAX_SHORT_TEXT_CHARS) | None = None
    provider: Text(100) | None = None
    model: Text(MAX_LABEL_CHARS) | None = None
    params: dict[str, Any] | None = None
    use_last_frame: bool | None = None
    keyframe_media_id: MediaId | None = None
    clip_media_id: MediaId | None = None
    end_frame_media_id: MediaId | None = None


class ShotCreate(BaseModel):
    model_config = _examples({"after_shot_id": 3, "shot_type": "wide", "action": "The boat leaves.", "duration_s": 3})
    after_shot_id: DbId | None = None
    shot_type: Text(60) = "medium"
    action: Text(MAX_SHORT_TEXT_CHARS) = ""
    duration_s: Annotated[float, Field(ge=0.5, le=60.0)] = 3.0


class CharacterUpdate(BaseModel):
    model_config = _examples({"style_tokens": "red coat, short grey hair", "voice_id": "local-2"})
    name: Text(MAX_NAME_CHARS, min_chars=1) | None = None
    description: Text(MAX_SHORT_TEXT_CHARS) | None = None
    style_card: Text(MAX_SHORT_TEXT_CHARS) | None = None
    style_tokens: Text(1000) | None = None
    reference_images: list[MediaId] | None = Field(default=None, max_length=8)
    voice_provider: Text(100) | None = None
    voice_id: VoiceId | None = None
