"""Start: create, open, rename, duplicate, delete projects; aspect ratio, language, genre, length."""
import streamlit as st

from core.ui.nav import ensure_navigation

ensure_navigation(__file__)

from core.models import ASPECT_RATIOS, LANGUAGES
from core.projects import (
    GENRES, MAX_LENGTH_S, MIN_LENGTH_S, create_project, delete_project, duplicate_project,
    list_projects, update_project,
)
from core.ui.activity import activity_panel
from core.ui.common import current_project
from core.ui.errors import shown_errors
from core.ui.providers import render_providers_panel
from core.ui.signin import may, why_not

st.title("🎬 Start")
st.caption("A film starts with its shape: frame, language, genre and length. Every later step reuses these settings.")


def _length_label(seconds: int) -> str:
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


flash = st.session_state.pop("start_flash", None)
if flash:
    st.success(flash)

with st.expander("➕ New project", expanded=not list_projects()):
    with st.form("new_project", clear_on_submit=True):
        name = st.text_input("Project name", placeholder="My short film", key="new_name")
        c1, c2 = st.columns(2)
        aspect = c1.selectbox("Aspect ratio", ASPECT_RATIOS, key="new_aspect", help="16:9 widescreen, 9:16 vertical, 1:1 square, 4:5 portrait")
        language = c2.selectbox("Language", list(LANGUAGES), key="new_language", format_func=lambda c: f"{LANGUAGES[c]} ({c})")
        genre = c1.selectbox("Genre", GENRES, key="new_genre")
        length = c2.slider("Target length (seconds)", MIN_LENGTH_S, MAX_LENGTH_S, 120, step=5, key="new_length")
        if st.form_submit_button("Create project", type="primary", key="create"):
            with shown_errors("Could not create the project"):
                project = create_project(name=name, aspect_ratio=aspect, language=language,
                                         genre=genre, target_length_s=length)
                st.session_state.project_id = project.id
                # Rerun so the sidebar (drawn before this page) opens the new project too.
                st.session_state.start_flash = (f"Created and opened **{project.name}**. "
                                                "Next: write, paste or import the script on the Script step.")
                st.rerun()

with st.expander("🔑 Providers", expanded=False):
    render_providers_panel()

projects = list_projects()
if not projects:
    st.info("No projects yet. Create your first one above.")
    st.stop()

st.subheader("Your projects")
for p in projects:
    is_current = st.session_state.get("project_id") == p.id
    cols = st.columns([4, 2, 1])
    cols[0].markdown(f"{'▶️ ' if is_current else ''}**{p.name}** · {p.aspect_ratio} · {LANGUAGES.get(p.language, p.language)} · "
                     f"{p.genre} · {_length_label(p.target_length_s)}")
    if cols[1].button("Open" if not is_current else "Opened", key=f"open_{p.id}", disabled=is_current):
        st.session_state.project_id = p.id
        st.rerun()

project = current_project()
if project is None:
    st.info("Open a project to change its settings.")
    st.stop()

st.divider()
st.subheader(f"Settings of “{project.name}”")
pk = project.id  # widget keys per project: another project's unsaved values never show here
with st.form(f"settings_{pk}"):
    new_name = st.text_input("Name", value=project.name, key=f"set_name_{pk}")
    c1, c2 = st.columns(2)
    aspect = c1.selectbox("Aspect ratio", ASPECT_RATIOS, index=ASPECT_RATIOS.index(project.aspect_ratio),
                          key=f"set_aspect_{pk}")
    langs = list(LANGUAGES)
    language = c2.selectbox("Language", langs, index=langs.index(project.language),
                            format_func=lambda c: f"{LANGUAGES[c]} ({c})", key=f"set_language_{pk}")
    genre_options = list(GENRES) if project.genre in GENRES else [project.genre, *GENRES]
    genre = c1.selectbox("Genre", genre_options, index=genre_options.index(project.genre), key=f"set_genre_{pk}")
    length = c2.number_input("Target length (seconds)", key=f"set_length_{pk}", min_value=MIN_LENGTH_S, max_value=MAX_LENGTH_S,
                             value=int(project.target_length_s), step=5)
    if st.form_submit_button("Save settings", type="primary", key="save_settings"):
        with shown_errors("Could not save the settings"):
            update_project(project_id=project.id, name=new_name, aspect_ratio=aspect, language=language,
                           genre=genre, target_length_s=int(length))
            st.session_state.start_flash = "Settings saved."
            st.rerun()

c1, c2 = st.columns(2)
with c1:
    if st.button("Duplicate project", key="duplicate"):
        with shown_errors("Could not duplicate"):
            copy = duplicate_project(project_id=project.id)
            st.session_state.project_id = copy.id
            st.rerun()
with c2:
    confirm = st.checkbox("I understand deleting removes this project's script, shots and cast",
                          key=f"confirm_delete_{pk}")
    if st.button("Delete project", disabled=not confirm or not may("delete"), key="delete", help=why_not("delete")):
        with shown_errors("Could not delete"):
            delete_project(project_id=project.id)
            st.session_state.pop("project_id", None)
            st.session_state.start_flash = f"Deleted **{project.name}**."
            st.rerun()

activity_panel(project_id=project.id)
