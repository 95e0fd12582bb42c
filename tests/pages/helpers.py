"""Shared helpers for the UX AppTests: run the real app.py and open a page through its navigation."""
from __future__ import annotations

import json
from pathlib import Path

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
