"""The Storyboard page's board: every shot of the film as a card, drawn by a Streamlit custom
component in plain JavaScript (``core/ui/board_grid/``, committed as is — nothing to build on
install). One element for the whole board instead of several per card keeps a board of 100 shots
quick to draw; thumbnails travel as small JPEG data URLs."""
from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from core.generation.board import SceneBoard, ShotCard
from core.thumbnails import thumbnail_data_url

_FOLDER = Path(__file__).resolve().with_name("board_grid")
_board = components.declare_component("storyreel_board", path=str(_FOLDER))


def _card(c: ShotCard) -> dict:
    icon = "⏳ " if c.busy else {"Failed": "⚠️ ", "Clip": "✅ "}.get(c.status, "")
    try:
        thumb = thumbnail_data_url(c.thumb) if c.thumb else None
    except OSError:  # the thumbnail went away: the card says there is no picture
        thumb = None
    return {"id": c.shot_id, "label": c.label, "thumb": thumb, "busy": c.busy,
            "meta": f"{c.shot_type} · {c.duration_s:.1f} s" + (" · 🎞️ clip" if c.has_clip else ""),
            "state": f"{icon}{c.status} · {', '.join(c.characters) or 'no one'}"}


def board_args(*, scenes: list[SceneBoard], selected: int | None) -> dict:
    """Return what the board component draws: scenes with their cards (label, thumbnail as a data
    URL, type and duration, status and cast) and the selected shot."""
    return {"scenes": [{"number": s.number, "heading": s.heading, "cards": [_card(c) for c in s.cards]}
                       for s in scenes], "selected": selected}


def shot_board(*, scenes: list[SceneBoard], selected: int | None, key: str = "sb_board") -> int | None:
    """Draw the board; returns the id of the shot whose card was clicked since the last run (each
    click once: the component keeps its last value across reruns, so its nonce is remembered),
    else None."""
    value = _board(**board_args(scenes=scenes, selected=selected), key=key, default=None)
    done = f"{key}__done"
    if not isinstance(value, dict) or not value.get("nonce") or value.get("nonce") == st.session_state.get(done):
        return None
    st.session_state[done] = value["nonce"]
    return int(value["shot_id"])
