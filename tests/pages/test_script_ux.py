"""Script: the edit box follows the current version, and every save/restore says what it did."""
from core.projects import create_project
from core.scripts import list_versions, save_version

from tests.pages.helpers import app

A = "INT. KITCHEN - NIGHT\n\nMAYA stares at the letter.\n\nMAYA\nIt came back.\n"
B = "EXT. HARBOUR - DAWN\n\nTOM waits by the boat.\n\nTOM\nShe is late.\n"


def test_restore_puts_the_restored_text_in_the_edit_box_and_says_so():
    p = create_project(name="P")
    at = app("script", p.id)
    at.text_area(key="paste_text").input(A)
    at.button(key="save_paste").click().run()
    assert any("Saved version 1" in s.value for s in at.success), "a save confirms itself after the rerun"
    at.text_area(key="paste_text").input(B)
    at.button(key="save_paste").click().run()
    v1 = next(v for v in list_versions(project_id=p.id) if v.number == 1)
    at.button(key=f"restore_{v1.id}").click().run()
    assert not at.exception
    assert list_versions(project_id=p.id)[0].text.strip() == A.strip()
    assert any("Restored v1" in s.value for s in at.success)
    assert at.text_area(key="paste_text").value.strip() == A.strip(), \
        "the edit box shows the restored script, not the text it held before"


def test_a_version_made_elsewhere_replaces_the_stale_edit_box():
    p = create_project(name="P")
    save_version(project_id=p.id, text=A, source="pasted")
    at = app("script", p.id)
    assert at.text_area(key="paste_text").value.strip() == A.strip()
    save_version(project_id=p.id, text=B, source="imported")  # e.g. an import or the writer
    at.run()
    assert at.text_area(key="paste_text").value.strip() == B.strip()


def test_current_version_is_marked_and_has_no_restore_button():
    p = create_project(name="P")
    save_version(project_id=p.id, text=A, source="pasted")
    v2 = save_version(project_id=p.id, text=B, source="pasted")
    at = app("script", p.id)
    assert any("current" in m.value for m in at.markdown)
    assert f"restore_{v2.id}" not in [b.key for b in at.button]
