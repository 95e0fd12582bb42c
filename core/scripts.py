"""Script versions: every save is a new numbered version with a short summary; restore makes a
new version from an old one, so nothing is ever overwritten."""
from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from core.accounts.activity import record
from core.accounts.identity import current_user
from core.db import session
from core.errors import NotFound, ProviderError
from core.jobs.text import run_text, text_model
from core.models import ScriptVersion
from core.projects import get_project
from core.story.importer import check_script_text, read_script_file
from core.story.versions import summarize_script

SCRIPT_KEYS = ("title", "logline", "summary", "fountain")
SAVE_ATTEMPTS = 20  # concurrent saves of one project: each conflict on the number means another save won


def save_version(*, project_id: int, text: str, source: str = "pasted", title: str = "") -> ScriptVersion:
    """Validate and store ``text`` as the project's next version; returns it.

    Raises InvalidInput (field ``script``) for an empty or oversized script; earlier versions are
    untouched either way.
    """

    text = check_script_text(text=text)
    get_project(project_id=project_id)
    summary = summarize_script(text=text)
    for attempt in range(SAVE_ATTEMPTS):
        try:
            with session() as s:
                last = s.exec(select(func.max(ScriptVersion.number))
                              .where(ScriptVersion.project_id == project_id)).one()
                version = ScriptVersion(project_id=project_id, number=(last or 0) + 1, text=text, summary=summary,
                                        source=source, title=title, created_by=current_user())
                s.add(version)
                s.flush()  # the number is taken here, or IntegrityError
                record(s, project_id=project_id, action="script",
                       subject=f"script v{version.number} ({source})" + (f": {title}" if title else ""), ref=version.id)
        except IntegrityError:  # another save took this number (unique per project): read the max again
            if attempt == SAVE_ATTEMPTS - 1:
                raise
            continue
        break
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
    """Return the title of the script writer that would be used now (a provider's text model when
    one is set up, else the local writer)."""
    return text_model(operation="script").title


def write_for_project(*, project_id: int, logline: str = "", seed: int | None = None,
                      writer: str | None = None) -> ScriptVersion:
    """Write a script from the project's settings (+ optional logline) and save it as a version.

    Uses ``writer`` ("provider/model" or a provider) if given, else the first text model set up
    (see ``core.jobs.text``). Raises InvalidInput (writer), ProviderError/MissingCredentials from a
    remote writer; nothing is saved then.
    """
    project = get_project(project_id=project_id)
    cap, data = run_text(operation="script", name=writer, project_id=project_id,
                         params=dict(genre=project.genre, language=project.language,
                                     target_length_s=project.target_length_s, logline=logline, seed=seed))
    missing = [k for k in SCRIPT_KEYS if not isinstance(data.get(k), str)]
    if missing:
        raise ProviderError(f"{cap.model}'s script lacks {', '.join(missing)}", provider=cap.provider)
    return save_version(project_id=project_id, text=data["fountain"], source="generated", title=data["title"])
