"""Real Replicate schemas of models the registry does not ship: fields, enums and roles come out right."""
import json
from pathlib import Path

import pytest

from core.registry import get_registry, load_capability_from_schema_file

CORPUS = Path("/work/shared/corpus/replicate_schemas_more")
pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="shared corpus not mounted")

# Written by reading each schema (start frame, end frame, references, media type).
EXPECTED = {
    "black-forest-labs__flux-kontext-pro": (None, None, "input_image", "image"),
    "black-forest-labs__flux-schnell": (None, None, None, "image"),
    "bytedance__seedance-1-pro-fast": ("image", None, None, "video"),
    "bytedance__seedream-3": (None, None, None, "image"),
    "google__veo-3-fast": ("image", None, None, "video"),
    "google__veo-3": (None, None, None, "video"),
    "kwaivgi__kling-v1.6-pro": ("start_image", "end_image", "reference_images", "video"),
    "kwaivgi__kling-v2.1": ("start_image", "end_image", None, "video"),
    "kwaivgi__kling-v2.5-turbo-pro": ("start_image", None, None, "video"),  # `image` is deprecated
    "minimax__hailuo-2.3-fast": ("first_frame_image", None, None, "video"),
    "minimax__hailuo-2.3": ("first_frame_image", None, None, "video"),
    "minimax__video-01": ("first_frame_image", None, "subject_reference", "video"),
    "wan-video__wan-2.2-i2v-fast": ("image", None, None, "video"),
    "wan-video__wan-2.5-i2v": ("image", None, None, "video"),
}


def test_expected_covers_the_corpus():
    assert {p.stem for p in CORPUS.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_roles_found(stem):
    cap = load_capability_from_schema_file(CORPUS / f"{stem}.json")
    start, end, refs, media = EXPECTED[stem]
    assert cap.media_type == media
    assert cap.field_for_role("start_frame") == start
    assert cap.field_for_role("end_frame") == end
    assert cap.field_for_role("reference_images") == refs
    assert cap.field_for_role("prompt") == "prompt"
    assert cap.model == stem.replace("__", "/")
    cap.options_model  # builds


def test_ref_enums_resolved_with_sibling_keys():
    cap = load_capability_from_schema_file(CORPUS / "black-forest-labs__flux-schnell.json")
    ar = cap.field("aspect_ratio")
    assert ar.enum[:3] == ["1:1", "16:9", "21:9"] and len(ar.enum) == 11
    assert ar.default == "1:1" and ar.x_order == 1 and ar.type == "string"
    assert cap.field("megapixels").enum == ["1", "0.25"]
    assert cap.field("num_outputs").minimum == 1 and cap.field("num_outputs").maximum == 4
    # fields come in x-order
    assert [f.name for f in cap.fields()][:4] == ["prompt", "aspect_ratio", "num_outputs", "seed"]


def test_inline_enums_and_missing_x_order():
    kling = load_capability_from_schema_file(CORPUS / "kwaivgi__kling-v2.1.json")
    assert kling.field("duration").enum == [5, 10] and kling.field("duration").type == "integer"
    assert kling.field("mode").enum == ["standard", "pro"]
    assert {f.name for f in kling.fields()} == {"mode", "duration", "prompt", "end_image", "start_image", "negative_prompt"}
    assert kling.field("start_image").required
    hailuo = load_capability_from_schema_file(CORPUS / "minimax__hailuo-2.3-fast.json")
    names = [f.name for f in hailuo.fields()]
    assert names[:2] == ["duration", "resolution"]  # ordered ones first, then file order
    assert hailuo.field("duration").default == 6
    kontext = load_capability_from_schema_file(CORPUS / "black-forest-labs__flux-kontext-pro.json")
    assert kontext.field("aspect_ratio").enum[0] == "match_input_image" and kontext.field("aspect_ratio").default is None


def test_unknown_model_validates_with_its_enums():
    cap = load_capability_from_schema_file(CORPUS / "kwaivgi__kling-v2.1.json")
    with pytest.raises(Exception) as err:
        cap.validate({"prompt": "x", "start_image": "s", "duration": 7})
    assert "duration" in str(err.value) and "5, 10" in str(err.value)
    assert cap.validate({"prompt": "x", "start_image": "s", "duration": 10})["duration"] == 10


def test_model_json_shapes(tmp_path):
    openapi = json.loads((CORPUS / "minimax__video-01.json").read_text())["openapi_schema"]
    raw = tmp_path / "minimax__video-01.json"
    raw.write_text(json.dumps(openapi))
    model_json = tmp_path / "m.json"
    model_json.write_text(json.dumps({"owner": "minimax", "name": "video-01", "latest_version": {"openapi_schema": openapi}}))
    for path in (raw, model_json):
        cap = load_capability_from_schema_file(path)
        assert cap.model == "minimax/video-01" and cap.roles["reference_images"] == "subject_reference"


def test_refresh_without_token_uses_file():
    reg = get_registry()
    cap = reg.get(provider="replicate", model="google/nano-banana")
    assert reg.refresh(provider="replicate", model="google/nano-banana") is cap
