"""Every page under AppTest: on an empty database, and on a project with a script and a breakdown."""

import pytest

from core.breakdowns import list_scene_cards, run_breakdown
from core.projects import create_project
from core.scripts import list_versions, save_version
from tests.conftest import open_app, page_texts

PAGES = ["start", "script", "breakdown", "world_cast", "storyboard", "edit", "preview", "generate", "media_lab", "voice_studio"]
SCRIPT = """Title: The Lighthouse

INT. LIGHTHOUSE - NIGHT

MAYA climbs the spiral stairs with a lantern.

MAYA
Someone has been here.

TOM (O.S.)
Up here! Bring the light.

EXT. CLIFF - DAWN

Waves crash. TOM holds up a bottle with a letter inside.

TOM
It's addressed to you.

MAYA
That's my mother's handwriting.
"""


def app(page: str | None = None, project_id: int | None = None):
    return open_app(page, project_id, timeout=60)


def texts(at) -> str:
    return page_texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_empty_database(page):
    at = app(page)
    assert at.title, "each page shows its title"
    if page not in ("start", "media_lab", "voice_studio"):
        assert "Start" in texts(at), "later steps say a project is needed first"


@pytest.fixture
def broken_down_project():
    p = create_project(name="Lighthouse", target_length_s=30)
    save_version(project_id=p.id, text=SCRIPT)
    run_breakdown(project_id=p.id)
    return p


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_project_with_breakdown(page, broken_down_project):
    at = app(page, broken_down_project.id)
    body = texts(at)
    if page == "breakdown":
        assert "MAYA" in body.upper() and "TOM" in body.upper()
        assert any("LIGHTHOUSE" in e.label for e in at.expander)
    if page == "script":
        assert "v1" in body
    if page in ("edit", "preview", "generate"):
        assert "keyframes" in body  # says what it needs first


def test_start_creates_project_and_rejects_bad_name():
    at = app("start")
    at.text_input(key="new_name").input("   ")
    at.button(key="create").click().run()
    assert any("name" in e.value for e in at.error)
    at.text_input(key="new_name").input("My film")
    at.selectbox(key="new_aspect").select("9:16")
    at.button(key="create").click().run()
    assert not at.exception
    assert at.session_state["project_id"] is not None
    assert any("Created" in s.value for s in at.success)


def test_script_paste_saves_versions_and_empty_is_refused():
    p = create_project(name="P")
    at = app("script", p.id)
    assert any("No script yet" in i.value for i in at.info)
    at.text_area(key="paste_text").input("   ")
    at.button(key="save_paste").click().run()
    assert any("script" in e.value.lower() for e in at.error)
    assert list_versions(project_id=p.id) == []
    at.text_area(key="paste_text").input(SCRIPT)
    at.button(key="save_paste").click().run()
    assert not at.exception
    assert len(list_versions(project_id=p.id)) == 1


def test_script_local_writer_and_breakdown_page():
    p = create_project(name="W", genre="comedy", target_length_s=60)
    at = app("script", p.id)
    at.text_input(key="logline").input("A parrot inherits a bakery.")
    at.button(key="write").click().run()
    assert not at.exception
    versions = list_versions(project_id=p.id)
    assert len(versions) == 1 and versions[0].source == "generated"
    at.switch_page("pages/breakdown.py")
    at.run()
    at.button(key="run_breakdown").click().run()
    assert not at.exception
    cards = list_scene_cards(project_id=p.id)
    assert cards and all(c.shots for c in cards)


def test_world_cast_says_a_saved_model_was_retired_and_offers_current_ones(broken_down_project):
    from core.projects import update_project

    update_project(project_id=broken_down_project.id, image_provider="google", image_model="gemini-2.5-flash-image")
    at = app("world_cast", broken_down_project.id)
    warnings = " ".join(w.value for w in at.warning)
    assert "google/gemini-2.5-flash-image was retired on 2026-10-02" in warnings
    assert "google/gemini-nano-banana-2.1 replaces it" in warnings
    offered = at.selectbox(key="world_image").options  # labels: "provider · title"
    assert not any("Gemini 2.5 Flash Image" in o or "Imagen 4" in o for o in offered)
    assert any("Nano Banana 2.1" in o for o in offered)
