"""Script versions: every save is a new numbered version with a short summary; restore makes a
new version from an old one, so nothing is ever overwritten."""
from __future__ import annotations

import importlib

from sqlalchemy import func
from sqlmodel import select

from core.credentials import has_settings
from core.db import session
from core.errors import NotFound
from core.models import ScriptVersion
from core.projects import get_project
from core.story.importer import check_script_text, read_script_file
from core.story.versions import summarize_script

# Script writers in order of preference: (name, "module:function", settings they need).
# The first whose settings are all present is used; the local writer needs none.
SCRIPT_WRITERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("gemini", "core.providers.google:generate_script", ("GOOGLE_API_KEY",)),
    ("local", "core.story.writer:write_script", ()),
)


def save_version(*, project_id: int, text: str, source: str = "pasted", title: str = "") -> ScriptVersion:
    """Validate and store ``text`` as the project's next version; returns it.

    Raises InvalidInput (field ``script``) for an empty or oversized script; earlier versions are
    untouched either way.
    """

    text = check_script_text(text=text)
    get_project(project_id=project_id)
    with session() as s:
        last = s.exec(select(func.max(ScriptVersion.number)).where(ScriptVersion.project_id == project_id)).one()
        version = ScriptVersion(project_id=project_id, number=(last or 0) + 1, text=text,
                                summary=summarize_script(text=text), source=source, title=title)
        s.add(version)
    return version


def list_versions(*, project_id: int) -> list[ScriptVersion]:
    """Return the project's versions, newest first."""
    with session() as s:
        return list(s.exec(select(ScriptVersion).where(ScriptVersion.project_id == project_id)
                           .order_by(ScriptVersion.number.desc())).all())


def latest_version(*, project_id: int) -> ScriptVersion | None:
    """Return the newest version, or None when the project has no script yet."""
    versions = list_versions(project_id=project_id)
    return versions[0] if versions else None


def get_version(*, version_id: int) -> ScriptVersion:
    """Return one version; raises NotFound."""
    with session() as s:
        v = s.get(ScriptVersion, version_id)
    if v is None:
        raise NotFound(f"No script version {version_id}.", field="version_id")
    return v


def restore_version(*, version_id: int) -> ScriptVersion:
    """Make a new version with the text of an old one; returns the new version."""
    old = get_version(version_id=version_id)
    return save_version(project_id=old.project_id, text=old.text, source="restored",
                        title=old.title or f"restored v{old.number}")


def import_file(*, project_id: int, name: str, data: bytes) -> ScriptVersion:
    """Read an uploaded script file (txt, md, fountain, fdx) and save it as a version."""

    text = read_script_file(name=name, data=data)
    return save_version(project_id=project_id, text=text, source="imported", title=name)


def available_writer() -> str:
    """Return the name of the script writer that would be used now."""
    for name, _target, needs in SCRIPT_WRITERS:
        if has_settings(settings=needs):
            return name
    return "local"


def write_for_project(*, project_id: int, logline: str = "", seed: int | None = None,
                      writer: str | None = None) -> ScriptVersion:
    """Write a script from the project's settings (+ optional logline) and save it as a version.

    Uses ``writer`` if given, else the first available writer (Gemini with a key, else local).
    Raises ProviderError/MissingCredentials from a remote writer; nothing is saved then.
    """
    project = get_project(project_id=project_id)
    chosen = writer or available_writer()
    target = next(t for n, t, _ in SCRIPT_WRITERS if n == chosen)
    module, func_name = target.split(":")
    fn = getattr(importlib.import_module(module), func_name)
    kwargs = dict(genre=project.genre, language=project.language,
                  target_length_s=project.target_length_s, logline=logline)
    if seed is not None:
        kwargs["seed"] = seed
    result = fn(**kwargs)
    data = result if isinstance(result, dict) else result.model_dump() if hasattr(result, "model_dump") else vars(result)
    return save_version(project_id=project_id, text=data["fountain"], source="generated",
                        title=data.get("title", ""))
