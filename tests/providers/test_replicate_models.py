"""Any Replicate model: unseen models fetched through the real client (official and community,
latest and pinned), kept in the data dir and refreshed when a day old, run by model path or by
version, searched, with role inference on more names and the user's role corrections."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from core.errors import InvalidInput, MissingCredentials, UnsupportedCapability
from core.providers import get_adapter
from core.providers import replicate_models as rm
from core.providers.base import SUCCEEDED
from core.registry import get_registry, reset_registry
from core.registry.roles import infer_roles
from tests.providers.conftest import assert_no_key, poll_until_done, write_png
from tests.providers.replicate_catalog import KLING_OLD, SDXL_VERSION, aim_at, serve_catalogue


@pytest.fixture(scope="module")
def _catalogue():
    with serve_catalogue() as emu:
        yield emu


@pytest.fixture
def catalogue(_catalogue, settings_env, monkeypatch):
    aim_at(_catalogue, monkeypatch)
    return _catalogue


def _age_record(ref: str, *, days: float) -> None:
    path = rm._path(ref)
    data = json.loads(path.read_text())
    data["fetched_at"] = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat()
    path.write_text(json.dumps(data))


def test_unseen_official_model_is_fetched_once_and_kept(catalogue):
    reg = get_registry()
    cap = reg.get(provider="replicate", model="kwaivgi/kling-v2.1")
    (call,) = catalogue.calls("model")
    assert call["path"] == "/v1/models/kwaivgi/kling-v2.1"
    assert cap.media_type == "video" and cap.version is None  # official: run by model path
    assert cap.roles["start_frame"] == "start_image" and cap.roles["end_frame"] == "end_image"
    assert cap.field("duration").enum == [5, 10] and cap.fetched_at
    kept = json.loads(rm._path("kwaivgi/kling-v2.1").read_text())
    assert kept["is_official"] is True and kept["version_id"] and kept["fetched_at"] == cap.fetched_at
    assert kept["openapi_schema"]["components"]["schemas"]["Input"]["properties"]["end_image"]
    # kept: a second lookup, and a fresh registry (another process), ask nothing
    assert reg.get(provider="replicate", model="kwaivgi/kling-v2.1") is cap
    reset_registry()
    assert get_registry().get(provider="replicate", model="kwaivgi/kling-v2.1").roles == cap.roles
    assert len(catalogue.calls("model")) == 1
    # listed for pickers once fetched
    assert "kwaivgi/kling-v2.1" in {c.model for c in get_registry().list(media_type="video", provider="replicate")}


def test_a_day_old_schema_is_fetched_again_and_on_demand(catalogue):
    reg = get_registry()
    reg.get(provider="replicate", model="minimax/hailuo-2.3")
    _age_record("minimax/hailuo-2.3", days=0.5)
    reg.get(provider="replicate", model="minimax/hailuo-2.3")
    assert len(catalogue.calls("model")) == 1  # half a day: still fresh
    _age_record("minimax/hailuo-2.3", days=1.5)
    fresh = reg.get(provider="replicate", model="minimax/hailuo-2.3")
    assert len(catalogue.calls("model")) == 2
    assert datetime.now(timezone.utc) - datetime.fromisoformat(fresh.fetched_at) < timedelta(minutes=1)
    reg.refresh(provider="replicate", model="minimax/hailuo-2.3")
    assert len(catalogue.calls("model")) == 3


def test_stale_schema_serves_when_replicate_fails(catalogue):
    from tests.emulators.server import Fault

    reg = get_registry()
    reg.get(provider="replicate", model="wan-video/wan-2.5-i2v")
    _age_record("wan-video/wan-2.5-i2v", days=3)
    catalogue.faults.add(Fault(kind="status", route="model", status=500), times=20)
    cap = reg.get(provider="replicate", model="wan-video/wan-2.5-i2v")
    assert cap.roles["start_frame"] == "image" and cap.roles["audio"] == "audio"
    calls = len(catalogue.calls("model"))
    reg.get(provider="replicate", model="wan-video/wan-2.5-i2v")
    assert len(catalogue.calls("model")) == calls  # not asked again right away


def test_community_model_runs_by_version(catalogue, tmp_path, caplog):
    cap = get_registry().get(provider="replicate", model="stability-ai/sdxl")
    assert catalogue.calls("model")[0]["path"] == "/v1/models/stability-ai/sdxl"
    assert cap.version == SDXL_VERSION and cap.media_type == "image"
    assert "text-to-image" in (cap.spec.notes or "")  # the model's description
    adapter = get_adapter("replicate")
    req = adapter.build_request(cap=cap, params={"prompt": "a lighthouse at night", "width": 768, "height": 768},
                                inputs={})
    sub = adapter.submit(request=req)
    (create,) = catalogue.calls("create")
    assert create["path"] == "/v1/predictions" and create["body"]["version"] == SDXL_VERSION
    result = poll_until_done(adapter, req, sub.operation_id)
    assert result.status == SUCCEEDED and len(result.outputs) == 2
    assert adapter.download(output=result.outputs[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert_no_key(caplog.text)


def test_pinned_version_reads_the_version_endpoint_and_runs_by_it(catalogue, tmp_path):
    ref = f"kwaivgi/kling-v2.1:{KLING_OLD}"
    cap = get_registry().get(provider="replicate", model=ref)
    (call,) = catalogue.calls("model")
    assert call["path"] == f"/v1/models/kwaivgi/kling-v2.1/versions/{KLING_OLD}"
    assert cap.model == ref and cap.version == KLING_OLD
    assert "end_frame" not in cap.roles and cap.field("end_image") is None  # that version had none
    _age_record(ref, days=30)
    get_registry().get(provider="replicate", model=ref)
    assert len(catalogue.calls("model")) == 1  # a pinned version never changes
    adapter = get_adapter("replicate")
    req = adapter.build_request(cap=cap, params={"prompt": "waves", "duration": 5},
                                inputs={"start_frame": write_png(tmp_path / "s.png")})
    adapter.submit(request=req)
    (create,) = catalogue.calls("create")
    assert create["path"] == "/v1/predictions" and create["body"]["version"] == KLING_OLD
    assert create["body"]["input"]["start_image"].startswith("data:image/png;base64,")


def test_latest_official_runs_by_model_path(catalogue):
    cap = get_registry().get(provider="replicate", model="kwaivgi/kling-v2.1")
    adapter = get_adapter("replicate")
    with pytest.raises(Exception):
        adapter.submit(request=adapter.build_request(cap=cap, params={"prompt": "p"}, inputs={}))  # start_image required
    req = adapter.build_request(cap=cap, params={"prompt": "p", "start_image": "https://example.org/a.png"}, inputs={})
    adapter.submit(request=req)
    assert [c["path"] for c in catalogue.calls("create")][-1] == "/v1/models/kwaivgi/kling-v2.1/predictions"
    assert "version" not in catalogue.calls("create")[-1]["body"]


def test_never_fetched_without_a_token_names_the_setting(catalogue, monkeypatch):
    aim_at(catalogue, monkeypatch, token=False)
    with pytest.raises(MissingCredentials) as err:
        get_registry().get(provider="replicate", model="minimax/hailuo-2.3")
    assert "REPLICATE_API_TOKEN" in err.value.message and "minimax/hailuo-2.3" in err.value.message
    assert catalogue.requests == []
    # shipped models still work from their files
    assert get_registry().get(provider="replicate", model="google/veo-3.1").fetched_at is None


def test_unknown_and_versionless_models_are_refused_clearly(catalogue):
    with pytest.raises(UnsupportedCapability) as err:
        get_registry().get(provider="replicate", model="nobody/nothing")
    assert "nobody/nothing" in err.value.message
    with pytest.raises(InvalidInput):
        rm.parse_ref("kwaivgi/kling-v2.1:latest")
    with pytest.raises(Exception) as err:
        rm.record_from_model({"owner": "mattt", "name": "empty", "latest_version": None}, fetched_at="2026-01-01")
    assert "no published version" in str(err.value)


def test_search_and_collections_list_descriptions_and_run_counts(catalogue):
    found = rm.search("video")
    (call,) = catalogue.calls("search")
    assert call["path"] == "/v1/search" and call["query"] == {"query": "video", "limit": "20"}
    refs = [m["ref"] for m in found["models"]]
    assert refs[:2] == ["kwaivgi/kling-v2.1", "minimax/hailuo-2.3"]  # most runs first
    kling = found["models"][0]
    assert kling["run_count"] == 2_400_000 and "1080p" in kling["description"] and kling["is_official"]
    assert {"text-to-video", "image-to-video"} <= {c["slug"] for c in found["collections"]}
    images = rm.collection("text-to-image")
    assert [m["ref"] for m in images["models"]] == ["black-forest-labs/flux-schnell", "stability-ai/sdxl"]
    assert images["models"][1]["run_count"] == 19361490 and images["models"][1]["is_official"] is False
    assert {c["slug"] for c in rm.collections()} >= set(rm.SUGGESTED_COLLECTIONS)
    with pytest.raises(UnsupportedCapability):
        rm.collection("no-such-collection")
    with pytest.raises(InvalidInput):
        rm.search("  ")


def test_search_falls_back_to_query_models(catalogue):
    catalogue.search_beta = False
    try:
        found = rm.search("image to video")
    finally:
        catalogue.search_beta = True
    beta, query = catalogue.calls("search")
    assert beta["path"] == "/v1/search"
    assert (query["method"], query["path"], query["body"]) == ("QUERY", "/v1/models", b"image to video")
    assert query["headers"]["content-type"].startswith("text/plain")
    assert [m["ref"] for m in found["models"]] == ["kwaivgi/kling-v2.1", "wan-video/wan-2.5-i2v"]
    assert found["models"][0]["run_count"] == 2_400_000 and found["collections"] == []


def test_role_inference_knows_more_names():
    uri = {"type": "string", "format": "uri"}
    uris = {"type": "array", "items": {"type": "string", "format": "uri"}}
    video = {"prompt": {"type": "string"}, "start_image_url": uri, "end_image_url": uri, "driving_audio": uri,
             "reference_image_urls": uris}
    assert infer_roles(video, media_type="video") == {
        "prompt": "prompt", "start_frame": "start_image_url", "end_frame": "end_image_url", "audio": "driving_audio",
        "reference_images": "reference_image_urls"}
    for start, end in (("first_image", "tail_image_url"), ("image_url", "tail_image_url"),
                       ("start_frame_image", "end_image_url"), ("input_reference", None)):
        props = {start: uri, **({end: uri} if end else {}), "duration": {"type": "integer"}}
        roles = infer_roles(props, media_type="video")
        assert roles["start_frame"] == start and roles.get("end_frame") == end
    assert infer_roles({"prompt": {"type": "string"}, "images": uris}, media_type="video")["reference_images"] == "images"
    assert infer_roles({"prompt": {"type": "string"}, "input_reference": uri}, media_type="image")["reference_images"] == "input_reference"


def test_role_corrections_are_saved_and_used_everywhere(catalogue, tmp_path):
    reg = get_registry()
    sdxl = reg.get(provider="replicate", model="stability-ai/sdxl")
    assert "reference_images" not in sdxl.roles  # sdxl's `image` is an img2img input: not guessed
    fixed = reg.correct_roles(provider="replicate", model="stability-ai/sdxl", roles={"reference_images": "image"})
    assert fixed.roles["reference_images"] == "image" and fixed.roles_corrected == ["reference_images"]
    reset_registry()  # another process (API, CLI, worker) reads the same correction
    again = get_registry().get(provider="replicate", model="stability-ai/sdxl")
    assert again.roles["reference_images"] == "image"
    assert get_registry().get(provider="replicate", model=f"stability-ai/sdxl:{SDXL_VERSION}").roles[
        "reference_images"] == "image"  # a pinned version follows its model's corrections
    req = get_adapter("replicate").build_request(cap=again, params={"prompt": "p"},
                                                 inputs={"reference_images": write_png(tmp_path / "r.png")})
    assert "image" in req.files
    # an inferred role can be removed; a correction the model's rules cannot follow is refused
    wan = reg.correct_roles(provider="replicate", model="wan-video/wan-2.5-i2v", roles={"audio": None})
    assert "audio" not in wan.roles and wan.roles["start_frame"] == "image"
    with pytest.raises(InvalidInput) as err:
        reg.correct_roles(provider="replicate", model="google/veo-3.1", roles={"end_frame": None})
    assert "end_frame" in err.value.message
    assert get_registry().get(provider="replicate", model="google/veo-3.1").roles["end_frame"] == "last_frame"
    with pytest.raises(InvalidInput) as err:
        reg.correct_roles(provider="replicate", model="stability-ai/sdxl", roles={"start_frame": "nope"})
    assert "nope" in err.value.message
    with pytest.raises(InvalidInput):
        reg.correct_roles(provider="replicate", model="stability-ai/sdxl", roles={"start_frame": "prompt"})
    with pytest.raises(InvalidInput):
        reg.correct_roles(provider="replicate", model="stability-ai/sdxl", roles={"prompt": "image"})
    reg.correct_roles(provider="replicate", model="stability-ai/sdxl", roles={})
    assert "reference_images" not in get_registry().get(provider="replicate", model="stability-ai/sdxl").roles


def test_shipped_schema_refreshed_with_a_visible_note(catalogue):
    veo = catalogue.models["google/veo-3.1"]
    props = veo.openapi_schema["components"]["schemas"]["Input"]["properties"]
    saved = dict(props)
    try:
        props.pop("seed")
        props["enhance_prompt"] = {"type": "boolean", "title": "Enhance Prompt", "default": True, "x-order": 11}
        reg = get_registry()
        shipped = reg._file_get(provider="replicate", model="google/veo-3.1")
        cap = reg.get(provider="replicate", model="google/veo-3.1")
        assert catalogue.calls("model")[0]["path"] == "/v1/models/google/veo-3.1"
        assert cap.field("enhance_prompt") and cap.field("seed") is None
        assert cap.rules == shipped.rules and cap.version is None
        assert "new field enhance_prompt" in cap.schema_note and "removed seed" in cap.schema_note
        listed = {c.model: c for c in reg.list(provider="replicate")}
        assert listed["google/veo-3.1"].schema_note == cap.schema_note  # pickers show the same note
        # a change the file's rules cannot follow: the shipped schema serves, with the note
        props.pop("last_frame")
        reg.refresh(provider="replicate", model="google/veo-3.1")
        kept = reg.get(provider="replicate", model="google/veo-3.1")
        assert kept.field("last_frame") and "removed last_frame" in kept.schema_note
        assert "shipped schema is used" in kept.schema_note
    finally:
        props.clear()
        props.update(saved)
