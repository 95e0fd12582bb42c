"""Start: creating, opening and saving keep the sidebar, the settings form and the database in step.

(AppTest draws app.py's sidebar on the first run only, so sidebar checks use a fresh AppTest whose
session state is what the browser session would hold.)"""
from streamlit.testing.v1 import AppTest

from core.projects import create_project, get_project, list_projects

from tests.pages.helpers import ROOT, app


def _project(name: str, **kw):
    opts = {"aspect_ratio": "16:9", "language": "en", "genre": "drama", "target_length_s": 90, **kw}
    return create_project(name=name, **opts)


def test_created_project_is_opened_and_the_form_is_cleared():
    old = _project("Old film")
    at = app("start", project_id=old.id)
    at.text_input(key="new_name").input("New film")
    at.button(key="create").click().run()
    assert not at.exception
    new = next(p for p in list_projects() if p.name == "New film")
    assert at.session_state["project_id"] == new.id
    assert any("Created" in s.value for s in at.success)
    assert at.text_input(key=f"set_name_{new.id}").value == "New film"


def test_sidebar_picker_follows_a_project_opened_on_the_page():
    # After Create/Open/Duplicate the picker still holds the previous project; it must follow the
    # page's choice, not switch back to the old project and swallow the next click.
    old, new = _project("Old film"), _project("New film")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["project_id"] = new.id
    at.session_state["sidebar_project"] = old.id
    at.run()
    assert not at.exception
    assert at.session_state["project_id"] == new.id
    assert at.sidebar.selectbox(key="sidebar_project").value == new.id
    assert at.text_input(key=f"set_name_{new.id}").value == "New film"


def test_settings_save_renames_the_open_project_only():
    a, b = _project("Alpha"), _project("Beta")
    at = app("start", project_id=b.id)
    at.text_input(key=f"set_name_{b.id}").input("Beta renamed")
    at.button(key="save_settings").click().run()
    assert not at.exception
    assert get_project(project_id=b.id).name == "Beta renamed"
    assert get_project(project_id=a.id).name == "Alpha"
    assert any("Settings saved" in s.value for s in at.success)


def test_opening_another_project_shows_its_settings_and_no_carried_over_confirmation():
    a, b = _project("Alpha"), _project("Beta", aspect_ratio="9:16", language="fr", genre="comedy")
    at = app("start", project_id=a.id)
    at.text_input(key=f"set_name_{a.id}").input("Alpha (unsaved edit)")
    at.checkbox(key=f"confirm_delete_{a.id}").check().run()
    at.button(key=f"open_{b.id}").click().run()
    assert at.session_state["project_id"] == b.id
    assert at.text_input(key=f"set_name_{b.id}").value == "Beta"
    assert at.checkbox(key=f"confirm_delete_{b.id}").value is False, "a delete confirmation never carries over"
    assert at.button(key="delete").disabled


def test_sidebar_picker_opens_the_chosen_project():
    a, b = _project("Alpha"), _project("Beta")
    at = app("start", project_id=a.id)
    at.sidebar.selectbox(key="sidebar_project").select(b.id).run()
    assert not at.exception
    assert at.session_state["project_id"] == b.id
    assert at.text_input(key=f"set_name_{b.id}").value == "Beta"
