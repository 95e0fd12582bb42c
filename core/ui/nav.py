"""Keeping every page inside the app's navigation.

The app routes with ``st.navigation`` (app.py). Until some session of a freshly started server
has run app.py, Streamlit still routes a direct URL such as ``/storyboard`` the legacy way — it runs
``pages/storyboard.py`` alone, without app.py's navigation, sidebar and job runner. A bookmark or a
browser refresh right after a restart would land there. ``ensure_navigation`` sends such a run
through app.py, which then opens the page the user asked for.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

APP_FLAG = "_storyreel_nav"
RETURN_TO = "_storyreel_return_to"


def mark_navigation_ready() -> None:
    """Called by app.py before it runs a page: this session is routed by st.navigation."""
    st.session_state[APP_FLAG] = True


def ensure_navigation(page_file: str) -> None:
    """At the top of each page: when the page runs outside app.py's navigation, switch to app.py
    and remember the page, so the user lands where they asked with the full app around it."""
    if st.session_state.get(APP_FLAG):
        return
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        main = Path(ctx.main_script_path).resolve() if ctx else None
    except Exception:
        main = None
    page = Path(page_file).resolve()
    if main is None or main == page or not (main.parent / "app.py").exists():
        return  # the page is the script being run (a test harness): nothing to route through
    st.session_state[RETURN_TO] = f"pages/{page.name}"
    st.switch_page(str(main.parent / "app.py"))


def return_to_requested_page() -> None:
    """Called by app.py after st.navigation: open the page a legacy-routed first load asked for."""
    target = st.session_state.pop(RETURN_TO, None)
    if target:
        st.switch_page(target)
