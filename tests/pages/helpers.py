"""Shared helpers for the UX AppTests: run the real app.py and open a page through its navigation."""
from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image

from core.breakdowns import list_shots, run_breakdown, update_shot
from core.media_assets import create_asset
from core.models import Project
from core.projects import create_project
from core.scripts import save_version
from tests.conftest import open_app, page_texts

ROOT = Path(__file__).resolve().parents[2]


def app(page: str | None = None, project_id: int | None = None, timeout: float = 120):
    return open_app(page, project_id, timeout)


def texts(at) -> str:
    return page_texts(at)

def board_of(at) -> dict:
    """What the Storyboard page's board component was given to draw: {"scenes": [{"number",
    "heading", "cards": [{"id", "label", "thumb", "meta", "state", "busy"}]}], "selected"}."""
    return component_args(at, "storyreel_board")


def component_args(at, name: str) -> dict:
    """The arguments the page gave its one custom component called ``name`` (e.g. "storyreel_player")."""
    found = [e for e in at.get("component_instance") if e.proto.component_name.endswith(name)]
    assert len(found) == 1, f"one {name} on the page, found {len(found)}"
    return json.loads(found[0].proto.json_args)


def open_shot(at, shot_id: int):
    """Open a shot's detail panel as a user does without the board: the "Shot" picker."""
    return at.selectbox(key="sb_pick").set_value(shot_id).run()


def broken_down(*, name: str, script: str, target_length_s: int = 20, keyframes: bool = True,
                duration_s=None) -> Project:
    """A project with ``script`` saved and broken down; with ``keyframes``, every shot gets a small
    keyframe of its own colour. ``duration_s``: a length for every shot, or a function of the shot's
    index giving one."""
    p = create_project(name=name, target_length_s=target_length_s)
    save_version(project_id=p.id, text=script, source="pasted")
    run_breakdown(project_id=p.id)
    for n, shot in enumerate(list_shots(project_id=p.id)):
        changes = {}
        if duration_s is not None:
            changes["duration_s"] = duration_s(n) if callable(duration_s) else duration_s
        if keyframes:
            buf = io.BytesIO()
            Image.new("RGB", (64, 36), (40 * n % 255, 90, 160)).save(buf, format="PNG")
            changes["keyframe_media_id"] = create_asset(type="image", project_id=p.id, data=buf.getvalue(),
                                                        mime="image/png", shot_id=shot.id).media_id
        if changes:
            update_shot(shot_id=shot.id, **changes)
    return p
