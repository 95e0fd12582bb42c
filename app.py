"""Storyreel — the Streamlit entry point: navigation over the eight steps, the project picker
and progress. Every page is a thin view over core (see DESIGN.md §1)."""
import streamlit as st

from core.errors import DataDirUnavailable
from core.progress import STEPS, project_progress
from core.projects import list_projects
from core.settings import app_exposure_problem, get_settings
from core.storage import check_data_dir
from core.ui.nav import mark_navigation_ready, return_to_requested_page
from core.ui.signin import require_sign_in, sign_out_button
from core.ui.spend import spend_summary
from core.ui.jobs import note_jobs
from core.ui.state import show_notices

st.set_page_config(page_title="Storyreel", page_icon="🎬", layout="wide")
# With STORYREEL_AUTH=on nothing below runs until someone signs in (form, or st.login with [auth]).
require_sign_in()

# Exposure (README "Configuration"): on loopback only, unless sign-in is on (STORYREEL_AUTH=on).
_exposure = app_exposure_problem(address=st.get_option("server.address"))
if _exposure:
    st.error(_exposure)
    st.stop()


@st.cache_resource
def _data_dir_ready(root: str) -> bool:  # noqa: ARG001 - the cache key
    # Once per server process and data dir: it exists, is writable and has room; stale partial files go.
    check_data_dir()
    return True


try:
    _data_dir_ready(str(get_settings().data_dir))
except DataDirUnavailable as exc:
    st.error(exc.message)
    st.stop()


@st.cache_resource
def _job_runner():
    # STORYREEL_WORKERS job workers per server process (0: `python -m core worker` processes do the
    # work); they take over unfinished jobs as they start, so nothing paid is left behind.
    from core.commands.worker import start_workers

    return start_workers()


_job_runner()

PAGES = {
    "Make a film": [
        st.Page("pages/start.py", title="1 · Start", icon="🎬", default=True),
        st.Page("pages/script.py", title="2 · Script", icon="📝"),
        st.Page("pages/breakdown.py", title="3 · Breakdown", icon="🧩"),
        st.Page("pages/world_cast.py", title="4 · World & Cast", icon="🎭"),
        st.Page("pages/storyboard.py", title="5 · Storyboard", icon="🖼️"),
        st.Page("pages/edit.py", title="6 · Edit", icon="🎚️"),
        st.Page("pages/preview.py", title="7 · Preview", icon="▶️"),
        st.Page("pages/generate.py", title="8 · Generate", icon="📦"),
    ],
    "Tools": [
        st.Page("pages/voice_studio.py", title="Voice Studio", icon="🎙️"),
        st.Page("pages/media_lab.py", title="Media Lab", icon="🧪"),
    ],
}

nav = st.navigation(PAGES)
mark_navigation_ready()
return_to_requested_page()

with st.sidebar:
    st.markdown("### 🎬 Storyreel")
    sign_out_button()
    projects = list_projects()
    if projects:
        ids = [p.id for p in projects]
        names = {p.id: p.name for p in projects}
        current = st.session_state.get("project_id")
        if current not in ids:
            # Land in the most recently worked-on project rather than an empty shell.
            current = st.session_state.project_id = ids[0]
        # The picker follows the current project wherever it was changed (Start's Create, Open,
        # Duplicate): a stale picker value would otherwise switch back and swallow that click.
        if st.session_state.get("sidebar_project") != current:
            st.session_state.sidebar_project = current

        def _open_chosen() -> None:
            st.session_state.project_id = st.session_state.sidebar_project

        st.selectbox("Project", ids, format_func=lambda i: names[i], key="sidebar_project",
                     on_change=_open_chosen)
    else:
        st.caption("No project yet — create one on **Start**.")
    pid = st.session_state.get("project_id")
    if pid is not None and pid in [p.id for p in projects]:
        note_jobs(project_id=pid)  # before any count is read: a job ending from here on redraws the page
        states = project_progress(project_id=pid)
        done = sum(s.done for s in states)
        st.progress(done / len(STEPS), text=f"{done} of {len(STEPS)} steps done")
        for s in states:
            st.caption(f"{'✅' if s.done else '⬜'} {s.step} — {s.detail}")
        from core.costs import project_spend

        st.caption(f"💵 Provider spend so far: **${project_spend(project_id=pid):.2f}** (estimate)")
        spend_summary(project_id=pid)

show_notices()
nav.run()
