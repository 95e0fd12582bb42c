"""Scene and character reads and edits that the core does not offer yet (used by the HTTP API).

Shots, projects and scripts have their own core modules; these are the missing small pieces:
one scene by id, scene-card edits, one character by (project, character_id) and its edits.
"""
from __future__ import annotations

from typing import Any

from sqlmodel import select

from core.db import session
from core.errors import InvalidInput, NotFound
from core.models import Character, Scene

SCENE_EDITABLE = {"heading", "location", "time_of_day", "summary"}
CHARACTER_EDITABLE = {"name", "description", "style_card", "style_tokens", "reference_images",
                      "voice_provider", "voice_id"}


def get_scene(*, scene_id: int) -> Scene:
    """Return one scene; raises NotFound."""
    with session() as s:
        scene = s.get(Scene, scene_id)
    if scene is None:
        raise NotFound(f"No scene with id {scene_id}.", field="scene_id")
    return scene


def update_scene(*, scene_id: int, **changes: Any) -> Scene:
    """Change a scene card's heading, location, time of day or summary; returns the scene.

    Raises NotFound, InvalidInput naming a field that cannot be edited or an empty heading.
    """
    for key in changes:
        if key not in SCENE_EDITABLE:
            raise InvalidInput(f"Scene field {key!r} cannot be edited.", field=key)
    if "heading" in changes and not str(changes["heading"]).strip():
        raise InvalidInput("A scene needs a heading.", field="heading")
    with session() as s:
        scene = s.get(Scene, scene_id)
        if scene is None:
            raise NotFound(f"No scene with id {scene_id}.", field="scene_id")
        for key, value in changes.items():
            setattr(scene, key, value)
        s.add(scene)
    return scene


def get_character(*, project_id: int, character_id: str) -> Character:
    """Return a project's character by its stable id; raises NotFound."""
    with session() as s:
        row = s.exec(select(Character).where(Character.project_id == project_id,
                                             Character.character_id == character_id)).first()
    if row is None:
        raise NotFound(f"No character {character_id!r} in project {project_id}.", field="character_id")
    return row


def update_character(*, project_id: int, character_id: str, **changes: Any) -> Character:
    """Change a character's name, style, references (media ids that must exist) or voice; returns it.

    Raises NotFound (character or reference media), InvalidInput naming a field that cannot be edited.
    """
    from core.media_assets import get_asset

    for key in changes:
        if key not in CHARACTER_EDITABLE:
            raise InvalidInput(f"Character field {key!r} cannot be edited.", field=key)
    if "name" in changes and not str(changes["name"]).strip():
        raise InvalidInput("A character needs a name.", field="name")
    for media_id in changes.get("reference_images") or []:
        asset = get_asset(media_id=media_id)
        if asset.type != "image":
            raise InvalidInput(f"Reference {media_id!r} is {asset.type}, not an image.", field="reference_images")
    with session() as s:
        row = s.exec(select(Character).where(Character.project_id == project_id,
                                             Character.character_id == character_id)).first()
        if row is None:
            raise NotFound(f"No character {character_id!r} in project {project_id}.", field="character_id")
        for key, value in changes.items():
            setattr(row, key, list(value) if key == "reference_images" else value)
        s.add(row)
    return row
