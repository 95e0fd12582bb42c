"""Projects: create, open, rename, duplicate, delete, and their film settings."""
from __future__ import annotations

from typing import Callable

from sqlmodel import select

from core.accounts.activity import forget_project, record
from core.accounts.service import require_current
from core.db import lock_for_writing, session
from core.errors import InvalidInput, NotFound
from core.limits import MAX_LABEL_CHARS, MAX_NAME_CHARS, check_text
from core.models import (
    ASPECT_RATIOS, LANGUAGES, Character, Job, MediaAsset, Project, ProjectMember, Scene, ScriptVersion, Shot,
    TimelineItem, utcnow,
)

GENRES = (
    "drama", "comedy", "thriller", "sci-fi", "fantasy", "horror", "romance", "mystery",
    "documentary", "adventure",
)
MIN_LENGTH_S, MAX_LENGTH_S = 15, 600


def validate_settings(*, aspect_ratio: str | None = None, language: str | None = None,
                      genre: str | None = None, target_length_s: int | None = None,
                      name: str | None = None) -> None:
    """Raise InvalidInput naming the first setting that is out of range (text: see ``core.limits``)."""
    for field, value, limit in (("name", name, MAX_NAME_CHARS), ("genre", genre, MAX_LABEL_CHARS)):
        if value is not None:
            check_text(value=value, field=field, max_chars=limit)
    if name is not None and not name.strip():
        raise InvalidInput("A project needs a name.", field="name")
    if aspect_ratio is not None and aspect_ratio not in ASPECT_RATIOS:
        raise InvalidInput(f"Aspect ratio must be one of {', '.join(ASPECT_RATIOS)}.", field="aspect_ratio")
    if language is not None and language not in LANGUAGES:
        raise InvalidInput(f"Language must be one of {', '.join(LANGUAGES)}.", field="language")
    if genre is not None and not genre.strip():
        raise InvalidInput("Genre cannot be empty.", field="genre")
    if target_length_s is not None and not (MIN_LENGTH_S <= int(target_length_s) <= MAX_LENGTH_S):
        raise InvalidInput(
            f"Target length must be between {MIN_LENGTH_S} s and {MAX_LENGTH_S // 60} min "
            f"(got {target_length_s} s).", field="target_length_s")


def create_project(*, name: str, aspect_ratio: str = "16:9", language: str = "en",
                   genre: str = "drama", target_length_s: int = 120) -> Project:
    """Create and return a project; raises InvalidInput for a bad setting."""
    validate_settings(name=name, aspect_ratio=aspect_ratio, language=language, genre=genre,
                      target_length_s=target_length_s)
    project = Project(name=name.strip(), aspect_ratio=aspect_ratio, language=language,
                      genre=genre.strip(), target_length_s=int(target_length_s))
    with session() as s:
        s.add(project)
        s.flush()
        record(s, project_id=project.id, action="project", subject=f"created '{project.name}'", ref=project.id)
    return project


def list_projects() -> list[Project]:
    """Return every project, most recently updated first."""
    with session() as s:
        return list(s.exec(select(Project).order_by(Project.updated_at.desc())).all())


def get_project(*, project_id: int) -> Project:
    """Return a project; raises NotFound."""
    with session() as s:
        project = s.get(Project, project_id)
    if project is None:
        raise NotFound(f"No project with id {project_id}.", field="project_id")
    return project


def update_project(*, project_id: int, **changes) -> Project:
    """Apply validated changes (name, aspect_ratio, language, genre, target_length_s, art_style…); returns the project."""
    validate_settings(**{k: v for k, v in changes.items()
                         if k in ("name", "aspect_ratio", "language", "genre", "target_length_s")})
    with session() as s:
        project = s.get(Project, project_id)
        if project is None:
            raise NotFound(f"No project with id {project_id}.", field="project_id")
        changed: list[str] = []
        for key, value in changes.items():
            if not hasattr(project, key) or key in ("id", "created_at"):
                raise InvalidInput(f"Unknown project setting {key!r}.", field=key)
            value = value.strip() if key == "name" else value
            changed += _changed_names(key, getattr(project, key), value)
            setattr(project, key, value)
        project.updated_at = utcnow()
        s.add(project)
        if changed:
            record(s, project_id=project_id, action="settings", subject="changed " + ", ".join(changed))
    return project


def update_settings(*, project_id: int, edit: Callable[[dict], None]) -> Project:
    """Change keys of the project's free-form ``settings`` with ``edit`` (given a copy to change) in
    one transaction that holds the row, so a page and a worker changing different keys at once both
    keep theirs; returns the project. Raises NotFound."""
    with session() as s:
        lock_for_writing(s)
        project = s.exec(select(Project).where(Project.id == project_id).with_for_update()).first()
        if project is None:
            raise NotFound(f"No project with id {project_id}.", field="project_id")
        old = dict(project.settings or {})
        settings = dict(old)
        edit(settings)
        project.settings, project.updated_at = settings, utcnow()
        s.add(project)
        changed = _changed_names("settings", old, settings)
        if changed:
            record(s, project_id=project_id, action="settings", subject="changed " + ", ".join(changed))
    return project


def _changed_names(key: str, old, new) -> list[str]:
    """The names of what a change of ``key`` from ``old`` to ``new`` alters: the key itself, or for the
    free-form ``settings`` the keys inside it (``settings.music``)."""
    if key == "settings" and isinstance(old, dict) and isinstance(new, dict):
        return [f"settings.{k}" for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
    return [key] if old != new else []


def rename_project(*, project_id: int, name: str) -> Project:
    return update_project(project_id=project_id, name=name)


_COPY_SKIP = {"id", "created_at", "updated_at"}


def _clone(row, **overrides):
    data = {k: v for k, v in row.model_dump().items() if k not in _COPY_SKIP}
    data.update(overrides)
    return type(row)(**data)


def duplicate_project(*, project_id: int, name: str | None = None) -> Project:
    """Copy a project with its script versions, scenes, shots, characters and timeline; media files are
    shared (content-addressed), asset records are referenced, not copied. Returns the new project."""
    src = get_project(project_id=project_id)
    with session() as s:
        copy = _clone(src, name=name or f"{src.name} (copy)")
        s.add(copy)
        s.flush()
        record(s, project_id=copy.id, action="project", subject=f"duplicated from '{src.name}'", ref=project_id)
        for v in s.exec(select(ScriptVersion).where(ScriptVersion.project_id == project_id)).all():
            s.add(_clone(v, project_id=copy.id))
        for c in s.exec(select(Character).where(Character.project_id == project_id)).all():
            s.add(_clone(c, project_id=copy.id))
        for scene in s.exec(select(Scene).where(Scene.project_id == project_id)).all():
            new_scene = _clone(scene, project_id=copy.id)
            s.add(new_scene)
            s.flush()
            for shot in s.exec(select(Shot).where(Shot.scene_id == scene.id)).all():
                s.add(_clone(shot, project_id=copy.id, scene_id=new_scene.id))
    return copy


def delete_project(*, project_id: int) -> None:
    """Delete a project and its rows. Media files stay on disk (other projects may share them).
    Raises NotFound; Forbidden when sign-in is on and the current user is not an owner of it."""
    get_project(project_id=project_id)
    require_current(action="delete", project_id=project_id)
    with session() as s:
        forget_project(s, project_id=project_id)
        for model in (TimelineItem, Shot, Scene, Character, ScriptVersion, Job, MediaAsset, ProjectMember):
            for row in s.exec(select(model).where(model.project_id == project_id)).all():
                s.delete(row)
        s.flush()
        s.delete(s.get(Project, project_id))
