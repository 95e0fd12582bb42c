"""The Storyboard page's board: every shot of the film as a card, drawn by a Streamlit custom
component in plain JavaScript (``core/ui/board_grid/``, committed as is — nothing to build on
install). One element for the whole board instead of several per card keeps a board of 100 shots
quick to draw; thumbnails travel as small JPEG data URLs, each once per page: the component keeps
them, so the live redraws (every 1.5 s while jobs run) send only the cards and the new pictures."""
from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from core.generation.board import SceneBoard, ShotCard
from core.thumbnails import thumbnail_data_url

_FOLDER = Path(__file__).resolve().with_name("board_grid")
_board = components.declare_component("storyreel_board", path=str(_FOLDER))


def _card(c: ShotCard, *, thumbs: dict[str, str], sent: set[str]) -> dict:
    """A card as the component draws it; its picture is ``thumb``, a key of the thumbnails the
    component holds. One it does not hold yet (not in ``sent``) is added to ``thumbs`` as a data URL."""
    icon = "⏳ " if c.busy else {"Failed": "⚠️ ", "Clip": "✅ "}.get(c.status, "")
    thumb = Path(c.thumb).name if c.thumb else None  # named by media id and width: never changes
    if thumb and thumb not in sent:
        try:
            thumbs[thumb] = thumbnail_data_url(c.thumb)
            sent.add(thumb)
        except OSError:  # the thumbnail went away: the card says there is no picture
            thumb = None
    return {"id": c.shot_id, "label": c.label, "thumb": thumb, "busy": c.busy,
            "meta": f"{c.shot_type} · {c.duration_s:.1f} s" + (" · 🎞️ clip" if c.has_clip else ""),
            "state": f"{icon}{c.status} · {', '.join(c.characters) or 'no one'}"}


def board_args(*, scenes: list[SceneBoard], selected: int | None, sent: set[str] | None = None) -> dict:
    """Return what the board component draws: scenes with their cards (label, thumbnail key, type and
    duration, status and cast), the selected shot, and ``thumbs`` (key → JPEG data URL) for the
    thumbnails not in ``sent`` (those the component already holds; ``sent`` is updated)."""
    thumbs: dict[str, str] = {}
    sent = set() if sent is None else sent
    return {"scenes": [{"number": s.number, "heading": s.heading,
                        "cards": [_card(c, thumbs=thumbs, sent=sent) for c in s.cards]} for s in scenes],
            "selected": selected, "thumbs": thumbs}


def shot_board(*, scenes: list[SceneBoard], selected: int | None, key: str = "sb_board",
               fresh: bool = True) -> int | None:
    """Draw the board; returns the id of the shot whose card was clicked since the last run (each
    click once: the component keeps its last value across reruns, so its nonce is remembered),
    else None. ``fresh``: the page's own run, where the component may be new, so every thumbnail is
    sent; a fragment's redraw passes False and sends only thumbnails this page has not sent yet.
    Should the component lack a picture all the same, it says so and gets every one again."""
    done, sent_key = f"{key}__done", f"{key}__thumbs"
    asked = st.session_state.get(key)  # the component's last message, before this run draws it
    if isinstance(asked, dict) and asked.get("missing") and asked.get("nonce") != st.session_state.get(done):
        st.session_state[done] = asked["nonce"]
        fresh = True
    if fresh or sent_key not in st.session_state:
        st.session_state[sent_key] = set()
    args = board_args(scenes=scenes, selected=selected, sent=st.session_state[sent_key])
    value = _board(**args, key=key, default=None)
    if not isinstance(value, dict) or not value.get("nonce") or value.get("nonce") == st.session_state.get(done):
        return None
    st.session_state[done] = value["nonce"]
    return None if value.get("missing") else int(value["shot_id"])
