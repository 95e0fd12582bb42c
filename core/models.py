"""Database entities (SQLModel) of DESIGN §2.

Schema changes go through Alembic migrations in ``core/migrations`` — never ``create_all`` outside
tests of the migrations themselves. JSON columns hold small lists/dicts (dialogue, names, params);
media bytes never enter the database, only paths relative to the data dir.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

# Allowed values, written once (every door validates against these).
ASPECT_RATIOS = ("16:9", "9:16", "1:1", "4:5")
FIT_MODES = ("letterbox", "crop")  # how a shot of another shape fills the frame
SUBTITLE_MODES = ("none", "srt", "burn")
LOUDNESS_TARGETS = (-14.0, -16.0, -23.0)  # LUFS: streaming, podcast, EBU R128 broadcast
LANGUAGES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German",
    "pt": "Portuguese", "ja": "Japanese", "zh": "Chinese", "hi": "Hindi",
}
# What a stored asset is (a capability's media_type — core.registry.schema_file.MEDIA_TYPES — says what a model
# makes; a lip sync makes a video asset, and renders — films, shorts, exports — are assets no model makes).
ASSET_TYPES = ("video", "image", "voice", "music", "sfx", "render", "text")
# The one set of job statuses (providers' answers are normalised to the first ones by each adapter).
# Who may move a job between them: docs/jobs.md ("Job lifecycle").
QUEUED, SUBMITTING, SUBMITTED, RUNNING, STORING = "queued", "submitting", "submitted", "running", "storing"
SUCCEEDED, FAILED, CANCELLED, UNKNOWN_OUTCOME = "succeeded", "failed", "cancelled", "unknown_outcome"
JOB_STATUSES = (QUEUED, SUBMITTING, SUBMITTED, RUNNING, STORING, SUCCEEDED, FAILED, CANCELLED, UNKNOWN_OUTCOME)
# Unfinished: a worker still has something to do. Finished: nothing happens until a user acts
# (``unknown_outcome`` waits for the user to confirm sending again).
ACTIVE_STATUSES = (QUEUED, SUBMITTING, SUBMITTED, RUNNING, STORING)
FINISHED_STATUSES = (SUCCEEDED, FAILED, CANCELLED, UNKNOWN_OUTCOME)
TRACKS = ("video", "voice", "music", "sfx", "subtitle")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_id() -> str:
    return uuid.uuid4().hex


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _json_dict() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    aspect_ratio: str = "16:9"
    language: str = "en"
    genre: str = "drama"
    target_length_s: int = 120
    logline: str = ""
    art_style: str = ""
    style_card: str = ""
    voice_provider: str = "local"
    voice_model: str = "local/tts"
    image_provider: str = "local"
    image_model: str = "local/keyframe"
    video_provider: str = "local"
    video_model: str = "local/animate"
    settings: dict = _json_dict()  # free-form extras (music choice, render prefs…)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ScriptVersion(SQLModel, table=True):
    # One number per project: concurrent saves that picked the same max+1 conflict, and the loser retries.
    __table_args__ = (UniqueConstraint("project_id", "number", name="uq_scriptversion_project_number"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    number: int
    title: str = ""
    text: str
    summary: str = ""
    source: str = "pasted"  # pasted | imported | generated | restored
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = None  # user who saved it; None without sign-in


class Scene(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    order: int
    heading: str
    location: str = ""
    time_of_day: str = ""
    int_ext: str = ""
    summary: str = ""


class Shot(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    scene_id: int = Field(foreign_key="scene.id", index=True)
    order: int
    shot_type: str = "medium"
    action: str = ""
    dialogue: list = _json_list()  # [{"character", "text", "parenthetical"}]
    characters: list = _json_list()  # names
    duration_s: float = 4.0
    camera_move: str = "push_in"
    prompt: str = ""  # user override of the built prompt ("" = build it)
    keyframe_media_id: str | None = None
    clip_media_id: str | None = None
    end_frame_media_id: str | None = None
    use_last_frame: bool = False
    provider: str = ""
    model: str = ""
    params: dict = _json_dict()
    status: str = "planned"  # planned | keyframe | clip | failed


class Character(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    character_id: str = Field(index=True)  # stable slug, e.g. "maya"
    name: str
    description: str = ""
    style_card: str = ""
    style_tokens: str = ""
    reference_images: list = _json_list()  # media ids
    voice_provider: str = "local"
    voice_id: str = ""
    dialogue_blocks: int = 0


class MediaAsset(SQLModel, table=True):
    """The unified metadata record (seed §10) for every stored file, paid or local."""

    media_id: str = Field(default_factory=new_id, primary_key=True)
    project_id: int | None = Field(default=None, index=True)
    type: str  # one of ASSET_TYPES
    provider: str = ""
    model: str = ""
    operation: str = ""
    input_params: dict = _json_dict()  # validated options; secrets never stored
    character_id: str | None = None
    shot_id: int | None = Field(default=None, index=True)
    start_frame_used: str | None = None
    end_frame_used: str | None = None
    reference_images_used: list = _json_list()
    file_path: str  # relative to the data dir
    mime_type: str = ""
    content_hash: str = Field(index=True)
    size_bytes: int = 0
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    cost_estimate_usd: float | None = None
    parent_id: str | None = None  # previous version of the same thing
    label: str = ""
    extra: dict = _json_dict()  # word timings, first/last frame ids, render settings…
    timestamp: datetime = Field(default_factory=utcnow)
    created_by: str | None = None  # user name (signed-in user or API token owner); None without sign-in


class Job(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    project_id: int | None = Field(default=None, index=True)
    kind: str  # operation
    provider: str
    model: str
    request: dict = _json_dict()  # validated params + context; never secrets
    cache_key: str = Field(default="", index=True)
    operation_id: str | None = None  # provider's prediction / operation id, stored as soon as known
    status: str = Field(default="queued", index=True)  # one of JOB_STATUSES
    attempts: int = 0  # provider submissions tried (429s included)
    progress: float = 0.0
    error: str = ""
    error_retryable: bool = False
    result_media_id: str | None = None
    shot_id: int | None = None
    character_id: str | None = None
    # Ownership (core/jobs/leases.py): the worker holding the job and until when; a job between two
    # steps has no worker and ``lease_expires_at`` is when the sweep may take it over.
    worker: str | None = None
    lease_expires_at: datetime | None = Field(default=None, index=True)
    submitted_at: datetime | None = None  # when the (one) create request was about to be sent
    # The cache key while the job is in flight (NULL otherwise): unique, so identical work joins one job.
    inflight_key: str | None = Field(default=None, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = Field(default=None, index=True)  # user who asked; None without sign-in


class TimelineItem(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    track: str  # video, voice, music, sfx or subtitle (the timeline model's Track)
    start_s: float = 0.0
    duration_s: float = 0.0
    media_id: str | None = None
    shot_id: int | None = None
    gain_db: float = 0.0
    text: str = ""
    extra: dict = _json_dict()


ROLES = ("viewer", "editor", "owner")


class User(SQLModel, table=True):
    """A password account; ``role`` is the default role in every project (ProjectMember overrides it)."""

    name: str = Field(primary_key=True)
    password_hash: str  # argon2id, never the password
    role: str = "viewer"  # one of ROLES
    created_at: datetime = Field(default_factory=utcnow)
    daily_limit_usd: float | None = None  # most this user's paid jobs may cost per UTC day; None: no limit


class ApiToken(SQLModel, table=True):
    """A user's API token, stored as its SHA-256 (the token itself is shown once)."""

    id: str = Field(default_factory=new_id, primary_key=True)
    user_name: str = Field(foreign_key="user.name", index=True)
    token_hash: str = Field(index=True, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class ProjectMember(SQLModel, table=True):
    """A user's role in one project, overriding the user's default role."""

    project_id: int = Field(primary_key=True)
    user_name: str = Field(foreign_key="user.name", primary_key=True)
    role: str  # one of ROLES


# What an activity entry records (core/accounts/activity.py).
ACTIVITY_ACTIONS = ("project", "settings", "member", "budget", "script", "breakdown", "character", "asset", "version",
                    "shot", "render", "share")


class Activity(SQLModel, table=True):
    """One change in a project — who made it, when, and what (the project's activity list)."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int | None = Field(default=None, index=True)  # None: a change outside projects (a daily limit)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_name: str | None = None  # signed-in user or API token owner; None without sign-in
    action: str  # one of ACTIVITY_ACTIONS
    subject: str = ""  # what changed, for people: "script v3 (pasted)", "settings: language, genre"
    ref: str = ""  # the id of what changed (media id, version id, shot id, job id)


class ShareLink(SQLModel, table=True):
    """A signed, expiring link to one media file that opens without an account (revocable)."""

    id: str = Field(default_factory=new_id, primary_key=True)
    media_id: str = Field(index=True)
    expires_at: datetime
    revoked: bool = False
    created_by: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
