"""Small helpers every page uses: the current project, and the 'what this step needs' empty state."""
from __future__ import annotations

import streamlit as st

from core.errors import NotFound
from core.models import Project
from core.projects import get_project
from core.providers import is_configured


def current_project() -> Project | None:
    """Return the project chosen in the sidebar (``st.session_state.project_id``), or None."""
    pid = st.session_state.get("project_id")
    if pid is None:
        return None
    try:
        return get_project(project_id=int(pid))
    except NotFound:
        st.session_state.pop("project_id", None)
        return None


def require_project(step: str) -> Project:
    """Return the current project, or show how to get one and stop the page."""
    project = current_project()
    if project is None:
        st.info(f"**{step}** works on a project. Create or open one on the **Start** step first.")
        st.page_link("pages/start.py", label="Go to Start", icon="🎬")
        st.stop()
    return project


def needs(message: str, page: str, label: str) -> None:
    """Show what this step needs first, with a link to the step that provides it, and stop."""
    st.info(message)
    st.page_link(page, label=label, icon="➡️")
    st.stop()


def provider_ready(cap) -> bool:
    """True when the provider of capability ``cap`` has the settings (keys) it needs; the local
    provider always is. Pages sort usable models first with it."""

    return is_configured(cap=cap)
