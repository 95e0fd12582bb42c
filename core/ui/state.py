"""Widgets that show what is stored, and confirmations that survive a rerun.

A keyed Streamlit widget keeps the value the user last gave it, whatever ``value=``/``index=`` the
script passes later. When an action elsewhere on the page changes the stored data ("Give every
character a voice", "Write style cards"), such a widget would keep showing — and a later Save would
write back — the old value. ``synced`` fixes that: it remembers the stored value each widget was
last drawn from and, when the stored value has changed since, puts the new one into the widget.
A user's unsaved edit is kept as long as the stored value does not change under it.
"""
from __future__ import annotations

from typing import Any, Sequence

import streamlit as st

_SEEN = "_synced_from::"
_NOTICES = "_notices"


def synced(key: str, stored: Any, *, options: Sequence[Any] | None = None) -> str:
    """Make the widget with ``key`` show ``stored`` whenever the stored value changed since the last
    draw (or the widget is new). With ``options`` (a selectbox/radio), a stored value that is not
    among them falls back to the first option. Returns ``key`` — pass it as the widget's key and
    give the widget no ``value``/``index`` of its own."""
    if options is not None and stored not in options:
        stored = options[0] if options else None
    seen = _SEEN + key
    if key not in st.session_state or st.session_state.get(seen, _SEEN) != stored:
        st.session_state[key] = stored
    elif options is not None and st.session_state[key] not in options:
        st.session_state[key] = stored
    st.session_state[seen] = stored
    return key


def notify(text: str, *, icon: str | None = "✅") -> None:
    """Confirm an action with a toast that outlives the rerun the action may trigger (a toast is
    kept by the browser for a few seconds; it is also queued so a page that reruns before the
    message reached the browser shows it on the next draw)."""
    st.session_state.setdefault(_NOTICES, []).append((text, icon))
    # Queued first: when a rerun the browser asked for takes over at the toast, the next draw shows it.
    st.session_state["_notices_pending_rerun"] = True
    st.toast(text, icon=icon)
    st.session_state["_notices_pending_rerun"] = False


def show_notices() -> None:
    """Called once per page draw (app.py): re-show confirmations queued by the previous run that
    ended in ``st.rerun`` and forget the rest."""
    # Forgotten only once shown: a rerun the browser asks for may take over at a toast (no fast
    # reruns), and the next draw must show them then.
    queued = st.session_state.get(_NOTICES) or []
    if st.session_state.get("_notices_pending_rerun", False):
        for text, icon in queued:
            st.toast(text, icon=icon)
    st.session_state.pop(_NOTICES, None)
    st.session_state.pop("_notices_pending_rerun", None)


def rerun() -> None:
    """``st.rerun`` that keeps this run's confirmations for the next draw."""
    st.session_state["_notices_pending_rerun"] = True
    st.rerun()
