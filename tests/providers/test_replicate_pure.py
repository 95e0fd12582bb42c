"""Pure tests of the Replicate adapter: request building and parsing real recorded bodies.

The cassettes in fixtures/replicate_cassettes are the Replicate Python client's own recordings
(replicate/replicate-python tests/cassettes at 1.0.7, Apache-2.0), copied unchanged.
"""
from __future__ import annotations

import json

import pytest
import yaml

from core.errors import InvalidInput
from core.providers.base import CANCELLED, FAILED, RUNNING, SUBMITTED, SUCCEEDED, InputFile, ProviderRequest
from core.providers.replicate import ReplicateAdapter, split_model_ref
from tests.providers.conftest import FIXTURES, Cap, replicate_schema, write_png

CASSETTES = FIXTURES / "replicate_cassettes"


def recorded_bodies(name: str, *, method: str, path_part: str) -> list[dict]:
    """JSON bodies of the recorded responses of one cassette whose request matches."""
    out = []
    for it in yaml.safe_load((CASSETTES / name).read_text())["interactions"]:
        req, resp = it["request"], it["response"]
        if req["method"] != method or path_part not in req["uri"]:
            continue
        body = resp.get("content") or (resp.get("body") or {}).get("string")
        out.append(json.loads(body))
    return out


@pytest.fixture
def adapter():
    return ReplicateAdapter()


def veo_cap(**kw):
    return Cap(model="google/veo-3.1", operation="generate", input_schema=replicate_schema("google__veo-3.1"),
               roles={"start_frame": "image", "end_frame": "last_frame", "reference_images": "reference_images"}, **kw)


def test_official_model_request_has_input_only(adapter):
    req = adapter.build_request(cap=veo_cap(), params={"prompt": "a fox", "duration": 8, "seed": None}, inputs={})
    assert req.body == {"input": {"prompt": "a fox", "duration": 8}}
    assert req.model == "google/veo-3.1" and req.provider == "replicate" and req.operation == "generate"


def test_version_in_model_reference_selects_version_path(adapter):
    vid = "3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438"
    cap = Cap(model=f"stability-ai/stable-video-diffusion:{vid}", operation="generate",
              input_schema=replicate_schema("stability-ai__stable-video-diffusion"))
    req = adapter.build_request(cap=cap, params={"frames_per_second": 6}, inputs={})
    assert req.body == {"input": {"frames_per_second": 6}, "version": vid}
    assert req.model == "stability-ai/stable-video-diffusion"


def test_version_attribute_selects_version_path(adapter):
    req = adapter.build_request(cap=veo_cap(version="abc123"), params={"prompt": "x"}, inputs={})
    assert req.body["version"] == "abc123"


def test_roles_map_files_to_model_parameters_and_stay_paths(adapter, tmp_path):
    start, end = write_png(tmp_path / "a.png"), write_png(tmp_path / "b.png")
    refs = [write_png(tmp_path / f"r{i}.png") for i in range(2)]
    req = adapter.build_request(cap=veo_cap(), params={"prompt": "p"},
                                inputs={"start_frame": start, "end_frame": end, "reference_images": refs})
    assert set(req.files) == {"image", "last_frame", "reference_images"}
    assert req.files["image"].path == str(start) and req.files["last_frame"].path == str(end)
    assert [f.path for f in req.files["reference_images"]] == [str(r) for r in refs]
    # The persisted request is JSON and round-trips; files are paths, never bytes.
    again = ProviderRequest.from_json(json.loads(json.dumps(req.to_json())))
    assert again.files["image"] == req.files["image"] and isinstance(again.files["reference_images"][0], InputFile)


def test_undeclared_parameter_is_refused_before_any_call(adapter):
    with pytest.raises(InvalidInput) as err:
        adapter.build_request(cap=veo_cap(), params={"prompt": "p", "motion_strength": 3}, inputs={})
    assert err.value.field == "motion_strength"


def test_missing_input_file_is_refused(adapter, tmp_path):
    with pytest.raises(InvalidInput):
        adapter.build_request(cap=veo_cap(), params={"prompt": "p"}, inputs={"start_frame": tmp_path / "nope.png"})


@pytest.mark.parametrize("ref", ["veo", "a/b/c", "", "owner/name:"])
def test_bad_model_reference(ref):
    with pytest.raises(InvalidInput):
        split_model_ref(ref)


def test_parse_recorded_succeeded_prediction_with_list_output(adapter):
    body = recorded_bodies("predictions-get.yaml", method="GET", path_part="/v1/predictions/")[0]
    result = adapter.parse_result(payload=body)
    assert result.status == SUCCEEDED
    assert [o.url for o in result.outputs] == body["output"]
    assert result.outputs[0].mime == "image/png"


def test_parse_recorded_run_sequence(adapter):
    bodies = recorded_bodies("run.yaml", method="GET", path_part="/v1/predictions/")
    statuses = [adapter.parse_result(payload=b).status for b in bodies]
    assert statuses[0] == SUBMITTED and RUNNING in statuses and statuses[-1] == SUCCEEDED
    assert adapter.parse_result(payload=bodies[-1]).outputs[0].url.endswith("out-0.png")


def test_parse_recorded_create_answers(adapter):
    created = recorded_bodies("run.yaml", method="POST", path_part="/v1/predictions")[0]
    assert adapter.parse_result(payload=created).status == SUBMITTED
    blocking = recorded_bodies("test_models_predictions_create_blocking_False-True.yaml", method="POST",
                               path_part="/predictions")[0]
    # "processing" with partial output is not final: poll on (the run() trap of replicate.md §2).
    result = adapter.parse_result(payload=blocking)
    assert result.status == RUNNING and result.outputs == []


def test_parse_recorded_cancel(adapter):
    canceled = recorded_bodies("predictions-cancel.yaml", method="POST", path_part="/cancel")[0]
    assert canceled["status"] == "canceled"
    assert adapter.parse_result(payload=canceled).status == CANCELLED


def test_parse_failed_keeps_model_message(adapter):
    body = {**recorded_bodies("predictions-get.yaml", method="GET", path_part="/v1/predictions/")[0],
            "status": "failed", "output": None, "error": "CUDA out of memory"}
    result = adapter.parse_result(payload=body)
    assert result.status == FAILED and result.error == "CUDA out of memory" and not result.retryable


def test_parse_aborted_is_failed_and_safe_to_rerun(adapter):
    result = adapter.parse_result(payload={"id": "x", "status": "aborted", "output": None, "error": None})
    assert result.status == FAILED and "aborted" in result.error and result.retryable


def test_parse_data_removed_success_is_a_clear_failure(adapter):
    result = adapter.parse_result(payload={"id": "x", "status": "succeeded", "output": None, "data_removed": True})
    assert result.status == FAILED and "data_removed" in result.error


def test_parse_data_uri_and_dict_outputs(adapter):
    result = adapter.parse_result(payload={"status": "succeeded", "output": {
        "video": "https://replicate.delivery/x/out.mp4", "thumb": "data:image/png;base64,iVBORw0KGgo="}})
    assert [o.mime for o in result.outputs] == ["video/mp4", "image/png"]
    assert result.outputs[1].data.startswith(b"\x89PNG")


def test_progress_read_from_logs(adapter):
    result = adapter.parse_result(payload={"status": "processing", "logs": " 36%|###   | 18/50 [00:01<00:01]"})
    assert result.progress == pytest.approx(0.36)
