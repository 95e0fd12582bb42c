"""Projects: create, settings validation, rename, duplicate, delete."""
import pytest

from core.errors import InvalidInput, NotFound
from core.projects import (
    create_project, delete_project, duplicate_project, get_project, list_projects, rename_project,
    update_project,
)


def test_create_and_list():
    p = create_project(name="  Lighthouse  ", aspect_ratio="9:16", language="ja", genre="drama", target_length_s=45)
    assert p.id is not None
    assert [x.name for x in list_projects()] == ["Lighthouse"]
    got = get_project(project_id=p.id)
    assert (got.aspect_ratio, got.language, got.target_length_s) == ("9:16", "ja", 45)


@pytest.mark.parametrize("field,kwargs", [
    ("aspect_ratio", {"aspect_ratio": "21:9"}),
    ("language", {"language": "xx"}),
    ("target_length_s", {"target_length_s": 5}),
    ("target_length_s", {"target_length_s": 601}),
    ("name", {"name": "   "}),
])
def test_invalid_settings_name_the_field(field, kwargs):
    args = {"name": "ok", **kwargs}
    with pytest.raises(InvalidInput) as err:
        create_project(**args)
    assert err.value.field == field
    assert list_projects() == []


def test_update_rejects_bad_value_and_keeps_old():
    p = create_project(name="A")
    with pytest.raises(InvalidInput):
        update_project(project_id=p.id, aspect_ratio="2:1")
    assert get_project(project_id=p.id).aspect_ratio == "16:9"
    rename_project(project_id=p.id, name="B")
    assert get_project(project_id=p.id).name == "B"


def test_duplicate_copies_script_and_delete_removes():
    from core.scripts import list_versions, save_version

    p = create_project(name="Orig")
    save_version(project_id=p.id, text="INT. ROOM - DAY\n\nA chair.\n")
    copy = duplicate_project(project_id=p.id)
    assert copy.id != p.id and copy.name == "Orig (copy)"
    assert [v.text for v in list_versions(project_id=copy.id)] == [v.text for v in list_versions(project_id=p.id)]
    delete_project(project_id=p.id)
    with pytest.raises(NotFound):
        get_project(project_id=p.id)
    assert len(list_versions(project_id=copy.id)) == 1
