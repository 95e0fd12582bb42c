"""The one model of render options, checked before any render job is queued (every door: the API's
``/render/*`` routes, the Generate page, ``python -m core film``).

Allowed values come from ``core.models`` (aspect ratios, fit and subtitle modes, loudness targets) and
the render modules (qualities, caption styles, export formats); this model adds the bounds of
``short_side`` (which caps the output size) and ``count`` (``core.limits``).
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from core import limits
from core.errors import InvalidInput
from core.models import ASPECT_RATIOS, FIT_MODES, LOUDNESS_TARGETS, SUBTITLE_MODES
from core.render.captions import CAPTION_STYLES
from core.render.encode import ENCODE
from core.render.handoff import FORMATS as EXPORT_FORMATS

QUALITIES = tuple(ENCODE)

AspectRatio = Literal[ASPECT_RATIOS]  # type: ignore[valid-type]
FitMode = Literal[FIT_MODES]  # type: ignore[valid-type]
SubtitleMode = Literal[SUBTITLE_MODES]  # type: ignore[valid-type]
Quality = Literal[QUALITIES]  # type: ignore[valid-type]
ExportFormat = Literal[tuple(EXPORT_FORMATS)]  # type: ignore[valid-type]
CaptionStyle = Literal[CAPTION_STYLES]  # type: ignore[valid-type]


def _known_loudness(value: float) -> float:
    if float(value) not in LOUDNESS_TARGETS:
        raise ValueError(f"must be one of {', '.join(f'{t:g}' for t in LOUDNESS_TARGETS)} (LUFS)")
    return float(value)


Loudness = Annotated[float, Field(json_schema_extra={"enum": list(LOUDNESS_TARGETS)}), AfterValidator(_known_loudness)]
ShortSide = Annotated[int, Field(ge=limits.MIN_RENDER_SHORT_SIDE, le=limits.MAX_RENDER_SHORT_SIDE,
                                 description="Short side of the output in px (caps the output size).")]


class RenderSettings(BaseModel):
    """Render options; unknown options are refused. ``aspect_ratio`` None means the project's own."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"subtitles": "srt"}, {"aspect_ratio": "9:16", "fit": "crop", "quality": "preview", "short_side": 480}]})

    aspect_ratio: AspectRatio | None = None
    fit: FitMode = "letterbox"
    subtitles: SubtitleMode = "srt"
    loudness_lufs: Loudness = -14.0
    quality: Quality = "final"
    short_side: ShortSide | None = None
    count: Annotated[int, Field(ge=1, le=limits.MAX_SHORTS, description="How many auto shorts.")] = 3
    scene_id: Annotated[int, Field(ge=1, le=2**62)] | None = None
    captions: CaptionStyle = Field(default="box", description="How burned-in subtitles look.")
    format: ExportFormat = Field(default="otio", description="Timeline export format (export only).")


def _field_name(loc: tuple[Any, ...], prefix: str) -> str:
    name = ".".join(str(p) for p in loc) or "options"
    return f"{prefix}.{name}" if prefix else name


def render_settings(*, options: dict[str, Any] | None, field_prefix: str = "") -> RenderSettings:
    """Return the validated RenderSettings of ``options`` (None values mean "the default").

    Raises InvalidInput naming the first bad option (``short_side``, or ``options.short_side`` with
    ``field_prefix="options"``) and listing every problem in its message.
    """
    given = {k: v for k, v in (options or {}).items() if v is not None}
    try:
        return RenderSettings.model_validate(given)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        problems = "; ".join(f"{_field_name(tuple(e['loc']), field_prefix)}: {e['msg']}" for e in errors)
        raise InvalidInput(f"Invalid render options: {problems}.",
                           field=_field_name(tuple(errors[0]["loc"]), field_prefix)) from None
