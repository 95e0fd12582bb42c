"""Media Lab and Storyboard with a Replicate model Storyreel does not ship: typed or found by search,
fetched through the real client from the catalogue emulator, used in the pickers, its roles corrected."""
from __future__ import annotations

import pytest

from core.breakdowns import list_shots, run_breakdown
from core.media_assets import get_asset
from core.projects import create_project
from core.registry import get_registry
from core.scripts import save_version
from tests.providers.replicate_catalog import aim_at, serve_catalogue
from tests.pages.helpers import app, texts
from tests.conftest import settle

SCRIPT = """INT. LIGHTHOUSE - NIGHT

MAYA climbs the spiral stairs with a lantern.
"""


@pytest.fixture(scope="module")
def _catalogue():
    with serve_catalogue() as emu:
        yield emu


@pytest.fixture
def catalogue(_catalogue, data_dir, monkeypatch):
    aim_at(_catalogue, monkeypatch)
    return _catalogue


def _ok(at):
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_media_lab_types_an_unseen_model_and_generates_with_it(catalogue):
    p = create_project(name="Lab")
    at = app("media_lab", p.id)
    at.text_input(key="lab_finder_replicate_ref").input("minimax/hailuo-2.3").run()
    at.button(key="lab_finder_replicate_use").click().run()
    _ok(at)
    assert catalogue.calls("model")[0]["path"] == "/v1/models/minimax/hailuo-2.3"
    assert at.selectbox(key="lab_media_type").value == "video"
    assert at.selectbox(key="lab_provider_video").value == "replicate"
    assert at.selectbox(key="lab_model_video_replicate").value == "minimax/hailuo-2.3"
    assert "Schema read from replicate" in texts(at)
    prompt = next(t for t in at.text_area if t.label.startswith("Prompt"))
    prompt.input("waves against the lighthouse").run()
    at.button(key="lab_validate").click().run()
    _ok(at)
    assert any("Valid" in s.value for s in at.success)
    at.button(key="lab_generate").click().run()
    _ok(at)
    settle(at, p.id)
    _ok(at)
    assert any("Done" in s.value for s in at.success), texts(at)
    (create,) = catalogue.calls("create")
    assert create["path"] == "/v1/models/minimax/hailuo-2.3/predictions"
    assert create["body"]["input"]["prompt"] == "waves against the lighthouse"


def test_media_lab_search_collections_and_pick(catalogue):
    at = app("media_lab")
    at.text_input(key="lab_finder_replicate_q").input("video").run()
    at.button(key="lab_finder_replicate_search").click().run()
    _ok(at)
    page = texts(at)
    assert "**kwaivgi/kling-v2.1** · 2.4M runs · official" in page and "720p and 1080p" in page
    assert page.index("kwaivgi/kling-v2.1") < page.index("minimax/hailuo-2.3")  # most runs first
    at.button(key="lab_finder_replicate_coll_text-to-image").click().run()
    _ok(at)
    assert "stability-ai/sdxl" in texts(at) and "19.4M runs" in texts(at)
    at.button(key="lab_finder_replicate_pick_1").click().run()  # stability-ai/sdxl, a community model
    _ok(at)
    assert at.selectbox(key="lab_media_type").value == "image"
    assert at.selectbox(key="lab_model_image_replicate").value == "stability-ai/sdxl"
    assert "version 39ed52f2a78e" in texts(at)


def test_media_lab_role_correction_is_saved_for_everyone(catalogue):
    at = app("media_lab")
    at.text_input(key="lab_finder_replicate_ref").input("stability-ai/sdxl").run()
    at.button(key="lab_finder_replicate_use").click().run()
    role = at.selectbox(key="lab_role_stability-ai/sdxl_reference_images")
    assert role.value == "— none —" and "image" in role.options and "mask" in role.options
    role.set_value("image").run()
    at.button(key="lab_roles_save_stability-ai/sdxl").click().run()
    _ok(at)
    assert any("every page, the API and the CLI" in s.value for s in at.success)
    assert get_registry().get(provider="replicate", model="stability-ai/sdxl").roles["reference_images"] == "image"
    assert at.selectbox(key="lab_role_stability-ai/sdxl_reference_images").value == "image"


def test_media_lab_without_token_explains_the_setting(catalogue, monkeypatch):
    aim_at(catalogue, monkeypatch, token=False)
    at = app("media_lab")
    assert "REPLICATE_API_TOKEN" in texts(at)
    at.text_input(key="lab_finder_replicate_ref").input("kwaivgi/kling-v2.1").run()
    at.button(key="lab_finder_replicate_use").click().run()
    assert not at.exception
    assert any("REPLICATE_API_TOKEN" in e.value for e in at.error)
    assert catalogue.requests == []


def test_storyboard_picks_an_unseen_model_and_makes_the_clip_with_it(catalogue):
    p = create_project(name="P", target_length_s=20)
    save_version(project_id=p.id, text=SCRIPT, source="pasted")
    run_breakdown(project_id=p.id)
    sid = list_shots(project_id=p.id)[0].id
    at = app("storyboard", p.id)
    at.button(key=f"gen_kf_{sid}").click().run()  # a local keyframe: the clip's start frame
    _ok(at)
    settle(at, p.id)
    keyframe = list_shots(project_id=p.id)[0].keyframe_media_id
    assert keyframe
    at.text_input(key="sb_finder_replicate_ref").input("minimax/hailuo-2.3").run()
    at.button(key="sb_finder_replicate_use").click().run()
    _ok(at)
    assert any("now in the model pickers" in s.value for s in at.success)
    picker = at.selectbox(key=f"cmodel_{sid}")
    assert ("replicate", "minimax/hailuo-2.3") in picker.options or "replicate · minimax/hailuo-2.3" in picker.options
    picker.set_value(("replicate", "minimax/hailuo-2.3")).run()
    _ok(at)
    at.button(key=f"gen_clip_{sid}").click().run()
    _ok(at)
    settle(at, p.id)
    (create,) = catalogue.calls("create")
    assert create["path"] == "/v1/models/minimax/hailuo-2.3/predictions"
    assert create["body"]["input"]["first_frame_image"].startswith("data:image/png;base64,")
    clip = list_shots(project_id=p.id)[0].clip_media_id
    assert clip, texts(at)
    asset = get_asset(media_id=clip)
    assert (asset.provider, asset.model, asset.start_frame_used) == ("replicate", "minimax/hailuo-2.3", keyframe)


def test_media_lab_notes_a_changed_shipped_schema(catalogue):
    props = catalogue.models["google/veo-3.1"].openapi_schema["components"]["schemas"]["Input"]["properties"]
    saved = dict(props)
    try:
        props.pop("seed")
        props["enhance_prompt"] = {"type": "boolean", "title": "Enhance Prompt", "default": True, "x-order": 11}
        at = app("media_lab")
        at.selectbox(key="lab_media_type").set_value("video").run()
        at.selectbox(key="lab_provider_video").set_value("replicate").run()
        at.selectbox(key="lab_model_video_replicate").set_value("google/veo-3.1").run()
        _ok(at)
        notes = [i.value for i in at.info if "changed this model's schema" in i.value]
        assert notes and "new field enhance_prompt" in notes[0] and "removed seed" in notes[0]
        labels = [w.label for w in (*at.checkbox, *at.toggle, *at.number_input, *at.text_input)]
        assert any(label.startswith("Enhance Prompt") for label in labels), labels
        assert not any(label.startswith("Seed") for label in labels), labels
    finally:
        props.clear()
        props.update(saved)
