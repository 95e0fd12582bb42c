"""Scene and character reads and edits that the core does not offer yet (used by the HTTP API).

Shots, projects and scripts have their own core modules; these are the missing small pieces:
one scene by id, scene-card edits, one character by (project, character_id) and its edits.
"""
from __future__ import annotations

from typing import Any


from core.db import session
from core.errors import InvalidInput, NotFound
from core.models import Scene

SCENE_EDITABLE = {"heading", "location", "time_of_day", "summary"}
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


