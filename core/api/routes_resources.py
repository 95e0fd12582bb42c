"""Project, script, scene, shot and character resources (for scripts, tests and other tools).

Thin calls into ``core.projects``, ``core.scripts``, ``core.breakdowns`` and ``core.api.resources``.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from core import breakdowns, cast, projects, scripts
from core.accounts.activity import MAX_LIST, list_activity
import core.api.resources as api_resources
from core.api.schemas import (
    BreakdownRequest, CharacterUpdate, DbIdPath, ProjectCreate, ProjectUpdate, SceneUpdate, ScriptCreate, ShotCreate,
    ShotUpdate,
)
from core.api.security import ID_PATTERN
from core.api.views import activity_view, character_view, project_view, scene_view, shot_view, version_view

router = APIRouter()
CharPath = Annotated[str, Path(pattern=ID_PATTERN, max_length=64, examples=["maya"])]


def _changes(body) -> dict:
    return body.model_dump(exclude_unset=True, exclude_none=True)


@router.post("/projects", tags=["projects"], status_code=201, summary="Create a project")
def create_project(body: ProjectCreate) -> dict:
    return project_view(projects.create_project(**body.model_dump()))


@router.get("/projects", tags=["projects"], summary="List projects")
def list_projects() -> list[dict]:
    return [project_view(p) for p in projects.list_projects()]


@router.get("/projects/{project_id}", tags=["projects"], summary="A project")
def get_project(project_id: DbIdPath) -> dict:
    return project_view(projects.get_project(project_id=project_id))


@router.patch("/projects/{project_id}", tags=["projects"], summary="Change a project's settings")
def update_project(project_id: DbIdPath, body: ProjectUpdate) -> dict:
    return project_view(projects.update_project(project_id=project_id, **_changes(body)))


@router.get("/projects/{project_id}/activity", tags=["projects"], summary="Who changed what, newest first")
def get_activity(project_id: DbIdPath, limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 100,
                 user: Annotated[str | None, Query(max_length=64)] = None,
                 action: Annotated[str | None, Query(max_length=32, examples=["asset", "settings"])] = None) -> list[dict]:
    """The project's activity list: every stored asset, script version, shot version, render and setting
    change with ``at``, ``user`` (``(no sign-in)`` when sign-in was off), ``action``, ``subject`` and ``ref``."""
    projects.get_project(project_id=project_id)
    return [activity_view(e) for e in list_activity(project_id=project_id, limit=limit, user=user, action=action)]


@router.post("/projects/{project_id}/duplicate", tags=["projects"], status_code=201, summary="Duplicate a project")
def duplicate_project(project_id: DbIdPath) -> dict:
    return project_view(projects.duplicate_project(project_id=project_id))


@router.delete("/projects/{project_id}", tags=["projects"], status_code=204, summary="Delete a project")
def delete_project(project_id: DbIdPath) -> Response:
    projects.delete_project(project_id=project_id)
    return Response(status_code=204)


@router.post("/projects/{project_id}/scripts", tags=["scripts"], status_code=201, summary="Save a script version")
def post_script(project_id: DbIdPath, body: ScriptCreate) -> dict:
    return version_view(scripts.save_version(project_id=project_id, text=body.text, title=body.title))


@router.get("/projects/{project_id}/scripts", tags=["scripts"], summary="Script versions, newest first")
def list_scripts(project_id: DbIdPath) -> list[dict]:
    projects.get_project(project_id=project_id)
    return [version_view(v) for v in scripts.list_versions(project_id=project_id)]


@router.post("/projects/{project_id}/breakdown", tags=["breakdown"], summary="Break the newest script down")
def run_breakdown(project_id: DbIdPath, body: BreakdownRequest | None = None) -> dict:
    """Replace the project's scenes and shots with a fresh breakdown; returns scenes (with shots) and characters."""
    cards = breakdowns.run_breakdown(project_id=project_id, mode=(body.mode if body else "auto"))
    return {"scenes": [scene_view(c.scene, c.shots) for c in cards],
            "characters": [character_view(c) for c in breakdowns.list_characters(project_id=project_id)]}


@router.get("/projects/{project_id}/scenes", tags=["scenes"], summary="Scenes with their shots")
def list_scenes(project_id: DbIdPath) -> list[dict]:
    projects.get_project(project_id=project_id)
    return [scene_view(c.scene, c.shots) for c in breakdowns.list_scene_cards(project_id=project_id)]


@router.get("/scenes/{scene_id}", tags=["scenes"], summary="A scene")
def get_scene(scene_id: DbIdPath) -> dict:
    return scene_view(api_resources.get_scene(scene_id=scene_id))


@router.patch("/scenes/{scene_id}", tags=["scenes"], summary="Edit a scene card")
def update_scene(scene_id: DbIdPath, body: SceneUpdate) -> dict:
    return scene_view(api_resources.update_scene(scene_id=scene_id, **_changes(body)))


@router.post("/scenes/{scene_id}/shots", tags=["shots"], status_code=201, summary="Add a shot to a scene")
def add_shot(scene_id: DbIdPath, body: ShotCreate) -> dict:
    return shot_view(breakdowns.add_shot(scene_id=scene_id, **body.model_dump()))


@router.get("/projects/{project_id}/shots", tags=["shots"], summary="Every shot in film order")
def list_shots(project_id: DbIdPath) -> list[dict]:
    projects.get_project(project_id=project_id)
    return [shot_view(s) for s in breakdowns.list_shots(project_id=project_id)]


@router.get("/shots/{shot_id}", tags=["shots"], summary="A shot")
def get_shot(shot_id: DbIdPath) -> dict:
    return shot_view(breakdowns.get_shot(shot_id=shot_id))


@router.patch("/shots/{shot_id}", tags=["shots"], summary="Edit a shot card")
def update_shot(shot_id: DbIdPath, body: ShotUpdate) -> dict:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    return shot_view(breakdowns.update_shot(shot_id=shot_id, **changes))


@router.delete("/shots/{shot_id}", tags=["shots"], status_code=204, summary="Delete a shot")
def delete_shot(shot_id: DbIdPath) -> Response:
    breakdowns.delete_shot(shot_id=shot_id)
    return Response(status_code=204)


@router.get("/projects/{project_id}/characters", tags=["characters"], summary="The cast")
def list_characters(project_id: DbIdPath) -> list[dict]:
    projects.get_project(project_id=project_id)
    return [character_view(c) for c in breakdowns.list_characters(project_id=project_id)]


@router.get("/projects/{project_id}/characters/{character_id}", tags=["characters"], summary="A character")
def get_character(project_id: DbIdPath, character_id: CharPath) -> dict:
    return character_view(cast.get_character(project_id=project_id, character_id=character_id))


@router.patch("/projects/{project_id}/characters/{character_id}", tags=["characters"], summary="Edit a character")
def update_character(project_id: DbIdPath, character_id: CharPath, body: CharacterUpdate) -> dict:
    return character_view(cast.update_character(project_id=project_id, character_id=character_id,
                                                         **_changes(body)))
