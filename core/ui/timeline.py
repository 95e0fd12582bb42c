"""The Edit page's interactive timeline: a Streamlit custom component in plain JavaScript
(``core/ui/timeline_editor/``, committed as is — nothing to build on install)."""
from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

_FOLDER = Path(__file__).resolve().with_name("timeline_editor")
_editor = components.declare_component("storyreel_timeline", path=str(_FOLDER))


def timeline_editor(*, view: dict, key: str = "timeline_editor") -> dict | None:
    """Draw the timeline ``view`` (``core.render.editor.editor_view``); returns the gesture the
    user made since the last run (each gesture once: the component keeps its last value across
    reruns, so its nonce is remembered), else None."""
    value = _editor(view=view, key=key, default=None)
    done = f"{key}__done"
    if not isinstance(value, dict) or not value.get("nonce") or value.get("nonce") == st.session_state.get(done):
        return None
    st.session_state[done] = value["nonce"]
    return value
