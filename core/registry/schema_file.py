"""The on-disk format of one capability file under ``provider_schemas/`` (DESIGN §3).

A file describes one model and one operation. Hand-written files carry a JSON Schema under
``input_schema``; Replicate files keep the model's own ``openapi_schema`` verbatim instead.
Both add ``roles`` (role -> parameter), ``rules`` (see ``core.registry.rules``) and ``pricing``.
Loading goes through :class:`SchemaFile` so a malformed file fails loudly, naming the file.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.errors import InvalidInput

MEDIA_TYPES = ("video", "image", "voice", "music", "sfx", "text", "lipsync")
OPERATIONS = (
    "generate", "extend", "tts", "v2v", "lipsync_image", "lipsync_video",
    "music", "sfx", "script", "breakdown",
)
ROLES = (
    "prompt", "start_frame", "end_frame", "reference_images", "video", "audio", "image",
    "duration", "aspect_ratio", "seed", "voice", "text", "negative_prompt", "resolution",
    # Scene parts the prompt builder can fill separately, for models that take them as fields
    # (the local keyframe/animate engines); models without them get everything in the prompt.
    "shot_type", "location", "time_of_day", "characters", "character_styles", "caption", "camera_move",
    "set", "interior", "subject", "crowd", "speech", "speaking",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Condition(_Strict):
    """A test on one parameter's value. Every key given must hold.

    ``present`` tests "given and not empty"; the value tests (``equals``, ``in``, ``not_in``,
    ``min``, ``max``) hold trivially when the value is absent, so that "if given, must be …"
    is the natural reading.
    """

    present: bool | None = None
    equals: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    not_in: list[Any] | None = None
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> "Condition":
        if all(v is None for v in (self.present, self.equals, self.in_, self.not_in, self.min, self.max)):
            raise ValueError("a condition needs at least one of present/equals/in/not_in/min/max")
        return self


class _RuleBase(_Strict):
    id: str | None = None
    message: str | None = None  # the "why", quoted from the provider docs
    source: str | None = None  # doc section the rule follows


class NeverTogether(_RuleBase):
    """At most one of ``fields`` may be given."""

    rule: Literal["never_together"]
    fields: list[str] = Field(min_length=2)


class Requires(_RuleBase):
    """When ``field`` is given, every one of ``requires`` must be given too."""

    rule: Literal["requires"]
    field: str
    requires: list[str] = Field(min_length=1)


class When(_RuleBase):
    """When every condition of ``if`` holds, every condition of ``then`` must hold."""

    rule: Literal["when"]
    if_: dict[str, Condition] = Field(alias="if", min_length=1)
    then: dict[str, Condition] = Field(min_length=1)


class MaxItems(_RuleBase):
    """A list parameter holds at most ``max`` items."""

    rule: Literal["max_items"]
    field: str
    max: int = Field(ge=0)


class MinItems(_RuleBase):
    """A list parameter, when given, holds at least ``min`` items."""

    rule: Literal["min_items"]
    field: str
    min: int = Field(ge=1)


class OneOfRequired(_RuleBase):
    """At least one of ``fields`` must be given."""

    rule: Literal["one_of_required"]
    fields: list[str] = Field(min_length=2)


Rule = Annotated[
    Union[NeverTogether, Requires, When, MaxItems, MinItems, OneOfRequired],
    Field(discriminator="rule"),
]


class PriceBy(_Strict):
    """Price that depends on one parameter's value (e.g. resolution).

    A value is USD per unit, or another ``PriceBy`` when the price depends on a second
    parameter as well (Veo 3.1 Fast: audio on/off, then resolution), or ``null`` when the
    provider offers that value but its price is not known (the estimate is then unknown, never
    guessed). Keys are the parameter's values as text; booleans are written ``"true"`` / ``"false"``.
    """

    param: str
    values: dict[str, Union[Annotated[float, Field(ge=0)], "PriceBy", None]]


PriceBy.model_rebuild()


class Pricing(_Strict):
    """USD per unit; ``by`` overrides ``usd`` per value of one parameter; ``min_units`` is a billing floor."""

    unit: Literal["second", "image", "run", "character", "minute"]
    usd: float = Field(ge=0)
    source: str
    by: PriceBy | None = None
    min_units: float | None = Field(default=None, ge=0)


class SchemaFile(_Strict):
    """One capability file. Exactly one of ``input_schema`` / ``openapi_schema``."""

    provider: str = Field(min_length=1, pattern=r"^[a-z0-9_-]+$")
    model: str = Field(min_length=1)
    # Community Replicate models run by version id (POST /v1/predictions with "version").
    version: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    # Which SDK call and which credentials serve the model, for providers whose SDK has several
    # (google-genai: generate_videos / generate_images need Vertex, generate_content an API key).
    sdk_method: str | None = None
    auth: Literal["vertex", "api_key"] | None = None
    media_type: Literal[MEDIA_TYPES]  # type: ignore[valid-type]
    operation: Literal[OPERATIONS]  # type: ignore[valid-type]
    title: str = Field(min_length=1)
    docs: list[str] = Field(min_length=1)
    checked: str = Field(min_length=4)
    input_schema: dict[str, Any] | None = None
    openapi_schema: dict[str, Any] | None = None
    roles: dict[Literal[ROLES], str | None] = Field(default_factory=dict)  # type: ignore[valid-type]
    rules: list[Rule] = Field(default_factory=list)
    pricing: Pricing | None = None
    free: bool = False  # runs in-process at no cost (the local provider); pricing stays null
    notes: str | None = None
    # A model the provider shut down: hidden from pickers, refused by validation with an error naming
    # ``replacement`` (a model of the same provider); assets made with it keep their record.
    retired: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}(-\d{2})?$")
    replacement: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_schema(self) -> "SchemaFile":
        if (self.input_schema is None) == (self.openapi_schema is None):
            raise ValueError("give exactly one of input_schema (hand-written) or openapi_schema (provider's own)")
        if self.retired and not self.replacement:
            raise ValueError("a retired model names its replacement")
        if self.replacement and not self.retired:
            raise ValueError("replacement is only for a retired model (give retired: <date>)")
        return self


def read_schema_file(path: Path) -> SchemaFile:
    """Parse and validate one capability file.

    Returns the :class:`SchemaFile`. Raises ``InvalidInput`` naming the file and every problem
    (bad JSON, missing key, unknown rule, wrong role name…).
    """
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"schema file {path}: cannot read JSON: {exc}", field=str(path)) from exc
    try:
        return SchemaFile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors()
        )
        raise InvalidInput(f"schema file {path}: {problems}", field=str(path)) from exc
