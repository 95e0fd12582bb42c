"""Contract tests: the Replicate adapter, through the real ``replicate`` client, against the emulator."""
from __future__ import annotations

import base64
import os

import pytest

from core.errors import InvalidInput, MissingCredentials, ProviderError
from core.providers.base import CANCELLED, FAILED, SUCCEEDED, ProviderRequest
from core.providers.replicate import ReplicateAdapter, fetch_model_schema
from tests.emulators.server import Fault
from tests.providers.conftest import (REPLICATE_KEY, Cap, assert_no_key, poll_until_done, replicate_schema,
                                          write_png)

SVD_VERSION = "3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438"


@pytest.fixture
def adapter():
    return ReplicateAdapter(timeout_s=0.5)


def veo_cap():
    return Cap(model="google/veo-3.1", operation="generate", input_schema=replicate_schema("google__veo-3.1"),
               roles={"start_frame": "image", "end_frame": "last_frame"})


def svd_cap():
    return Cap(model=f"stability-ai/stable-video-diffusion:{SVD_VERSION}", operation="generate",
               input_schema=replicate_schema("stability-ai__stable-video-diffusion"), roles={"start_frame": "input_image"})


def test_official_model_end_to_end_with_small_file_as_data_uri(adapter, replicate_emu, tmp_path, caplog):
    start = write_png(tmp_path / "start.png")
    req = adapter.build_request(cap=veo_cap(), params={"prompt": "a fox at dawn", "duration": 8},
                                inputs={"start_frame": start})
    sub = adapter.submit(request=req)
    assert sub.operation_id and sub.status == "submitted"
    (create,) = replicate_emu.calls("create")
    assert create["path"] == "/v1/models/google/veo-3.1/predictions"
    assert create["headers"]["authorization"] == f"Bearer {REPLICATE_KEY}"
    assert "prefer" not in create["headers"]  # never the blocking run() path
    assert set(create["body"]) == {"input"}
    sent = create["body"]["input"]["image"]
    assert sent.startswith("data:image/png;base64,")
    assert base64.b64decode(sent.split(",", 1)[1]) == start.read_bytes()
    assert replicate_emu.calls("upload") == []
    result = poll_until_done(adapter, req, sub.operation_id, what="prediction")
    assert result.status == SUCCEEDED and result.outputs[0].mime == "video/mp4"
    data = adapter.download(output=result.outputs[0])
    assert data[4:8] == b"ftyp"
    assert_no_key(caplog.text, str(req.to_json()))


def test_version_model_with_large_file_goes_through_files_api(replicate_emu, tmp_path):
    from PIL import Image

    adapter = ReplicateAdapter(timeout_s=5.0)
    image = tmp_path / "noisy.png"  # noise does not compress: above the 256 KB data-URI limit
    Image.frombytes("RGB", (320, 320), os.urandom(320 * 320 * 3)).save(image)
    assert image.stat().st_size > 256 * 1024
    req = adapter.build_request(cap=svd_cap(), params={"frames_per_second": 6}, inputs={"start_frame": image})
    sub = adapter.submit(request=req)
    (upload,) = replicate_emu.calls("upload")
    assert upload["path"] == "/v1/files" and upload["body"]["content"]["data"] == image.read_bytes()
    (create,) = replicate_emu.calls("create")
    assert create["path"] == "/v1/predictions"
    assert create["body"]["version"] == SVD_VERSION
    file_url = create["body"]["input"]["input_image"]
    fid = file_url.rsplit("/", 1)[1]
    assert file_url.startswith(replicate_emu.base_url + "/v1/files/") and fid in replicate_emu.files
    assert poll_until_done(adapter, req, sub.operation_id, what="prediction").status == SUCCEEDED


def test_list_output_gives_every_file(adapter, replicate_emu):
    cap = Cap(model="bytedance/seedream-4", operation="generate", input_schema=replicate_schema("bytedance__seedream-4"))
    req = adapter.build_request(cap=cap, params={"prompt": "a castle"}, inputs={})
    sub = adapter.submit(request=req)
    result = poll_until_done(adapter, req, sub.operation_id, what="prediction")
    assert len(result.outputs) == 2
    assert all(adapter.download(output=o).startswith(b"\x89PNG") for o in result.outputs)


def test_cancel(adapter, replicate_emu):
    req = adapter.build_request(cap=veo_cap(), params={"prompt": "p"}, inputs={})
    sub = adapter.submit(request=req)
    adapter.cancel(request=req, operation_id=sub.operation_id)
    assert replicate_emu.calls("cancel")[0]["path"] == f"/v1/predictions/{sub.operation_id}/cancel"
    assert adapter.poll(request=req, operation_id=sub.operation_id).status == CANCELLED


def test_fetch_model_schema(replicate_emu):
    schema = fetch_model_schema(owner="google", name="veo-3.1")
    assert schema == replicate_schema("google__veo-3.1")
    assert replicate_emu.calls("model")[0]["path"] == "/v1/models/google/veo-3.1"
    with pytest.raises(ProviderError) as err:
        fetch_model_schema(owner="nobody", name="nothing")
    assert err.value.status_code == 404 and not err.value.retryable


# ---- faults ----------------------------------------------------------------------------------
def submit_expecting_error(adapter, req) -> ProviderError:
    with pytest.raises(ProviderError) as err:
        adapter.submit(request=req)
    return err.value


def test_create_429_is_retryable_with_retry_after_and_provider_detail(adapter, replicate_emu, caplog):
    replicate_emu.faults.add(Fault(kind="status", route="create", status=429, retry_after=7))
    req = adapter.build_request(cap=veo_cap(), params={"prompt": "p"}, inputs={})
    err = submit_expecting_error(adapter, req)
    assert err.retryable and err.status_code == 429 and err.retry_after_s == 7
    assert "Request was throttled" in str(err)
    assert len(replicate_emu.calls("create")) == 1  # the client never retries a POST itself
    assert_no_key(str(err), caplog.text)


@pytest.mark.parametrize("status", [500, 503])
def test_create_5xx_is_retryable(adapter, replicate_emu, status):
    replicate_emu.faults.add(Fault(kind="status", route="create", status=status, message="upstream broke"))
    err = submit_expecting_error(adapter, adapter.build_request(cap=veo_cap(), params={"prompt": "p"}, inputs={}))
    assert err.retryable and err.status_code == status and "upstream broke" in str(err)


def test_bad_token_is_permanent_and_names_no_key(replicate_emu, caplog, monkeypatch):
    adapter = ReplicateAdapter(timeout_s=1.0, api_token="r8_WRONG_TOKEN_value_123")
    err = submit_expecting_error(adapter, adapter.build_request(cap=veo_cap(), params={"prompt": "p"}, inputs={}))
    assert err.status_code == 401 and not err.retryable
    assert "You did not pass a valid authentication token" in str(err)
    assert "r8_WRONG_TOKEN_value_123" not in str(err) + caplog.text
    assert_no_key(str(err), caplog.text)


def test_missing_token_names_the_setting(monkeypatch, replicate_emu):
    from core.settings import get_settings

    monkeypatch.delenv("REPLICATE_API_TOKEN")
    get_settings.cache_clear()
    adapter = ReplicateAdapter()
    with pytest.raises(MissingCredentials) as err:
        adapter.submit(request=adapter.build_request(cap=veo_cap(), params={"prompt": "p"}, inputs={}))
    assert err.value.setting == "REPLICATE_API_TOKEN"
    assert replicate_emu.requests == []


def test_undocumented_input_field_is_rejected_like_replicate(adapter, replicate_emu):
    # Bypass build_request's own check to see the emulator refuse what Replicate refuses.
    req = ProviderRequest(provider="replicate", model="google/veo-3.1", operation="generate",
                          body={"input": {"prompt": "p", "fps": 24}})
    err = submit_expecting_error(adapter, req)
    assert err.status_code == 422 and not err.retryable and "Additional property fps is not allowed" in str(err)


def test_unknown_model_is_permanent(adapter, replicate_emu):
    req = ProviderRequest(provider="replicate", model="nobody/nothing", operation="generate", body={"input": {}})
    err = submit_expecting_error(adapter, req)
    assert err.status_code == 404 and not err.retryable


def test_slow_create_is_not_resubmitted(adapter, replicate_emu):
    replicate_emu.faults.add(Fault(kind="slow", route="create", delay_s=1.0))
    err = submit_expecting_error(adapter, adapter.build_request(cap=veo_cap(), params={"prompt": "p"}, inputs={}))
    # The prediction may exist (it does here): paying twice is worse than asking the user.
    assert not err.retryable and "timed out" in str(err)
    assert len(replicate_emu.calls("create")) == 1


def test_malformed_create_answer_is_not_resubmitted(adapter, replicate_emu):
    replicate_emu.faults.add(Fault(kind="malformed", route="create"))
    err = submit_expecting_error(adapter, adapter.build_request(cap=veo_cap(), params={"prompt": "p"}, inputs={}))
    assert not err.retryable and "not valid JSON" in str(err)


@pytest.mark.parametrize("fault", [Fault(kind="slow", route="poll", delay_s=1.0), Fault(kind="malformed", route="poll"),
                                   Fault(kind="status", route="poll", status=500)])
def test_poll_trouble_is_retryable_and_the_job_still_finishes(adapter, replicate_emu, fault):
    req = adapter.build_request(cap=veo_cap(), params={"prompt": "p"}, inputs={})
    sub = adapter.submit(request=req)
    replicate_emu.faults.add(fault)
    with pytest.raises(ProviderError) as err:
        adapter.poll(request=req, operation_id=sub.operation_id)
    assert err.value.retryable
    assert poll_until_done(adapter, req, sub.operation_id, what="prediction").status == SUCCEEDED


def test_poll_429_is_absorbed_by_the_client_retry(adapter, replicate_emu):
    req = adapter.build_request(cap=veo_cap(), params={"prompt": "p"}, inputs={})
    sub = adapter.submit(request=req)
    replicate_emu.faults.add(Fault(kind="status", route="poll", status=429, retry_after=0))
    result = adapter.poll(request=req, operation_id=sub.operation_id)
    assert result.status in ("running", "succeeded")
    assert len(replicate_emu.calls("poll")) == 2  # one 429, one real answer: a GET is safe to repeat


def test_failed_prediction_keeps_the_model_error(adapter, replicate_emu):
    replicate_emu.faults.add(Fault(kind="fail_job", route="create", message="NSFW content detected"))
    req = adapter.build_request(cap=veo_cap(), params={"prompt": "p"}, inputs={})
    result = poll_until_done(adapter, req, adapter.submit(request=req).operation_id, what="prediction")
    assert result.status == FAILED and result.error == "NSFW content detected" and not result.retryable


def test_aborted_prediction_is_parsed_despite_the_client_model(adapter, replicate_emu):
    replicate_emu.faults.add(Fault(kind="abort_job", route="create"))
    req = adapter.build_request(cap=veo_cap(), params={"prompt": "p"}, inputs={})
    result = poll_until_done(adapter, req, adapter.submit(request=req).operation_id, what="prediction")
    assert result.status == FAILED and "aborted" in result.error and result.retryable
    assert result.raw["status"] == "aborted"


def test_forbidden_download_is_permanent(adapter, replicate_emu, caplog):
    req = adapter.build_request(cap=veo_cap(), params={"prompt": "p"}, inputs={})
    result = poll_until_done(adapter, req, adapter.submit(request=req).operation_id, what="prediction")
    replicate_emu.faults.add(Fault(kind="forbidden_download", route="download"))
    with pytest.raises(ProviderError) as err:
        adapter.download(output=result.outputs[0])
    assert err.value.status_code == 403 and not err.value.retryable
    assert_no_key(str(err.value), caplog.text)
    # The token goes to Replicate's own host only: the emulator is that host here.
    assert replicate_emu.calls("download")[0]["headers"]["authorization"] == f"Bearer {REPLICATE_KEY}"


def test_token_never_sent_to_a_foreign_output_host(adapter, monkeypatch, replicate_emu):
    seen = {}

    def fake_get(url, headers, **kw):
        seen.update(headers)
        raise __import__("httpx").ConnectError("no network in tests")

    monkeypatch.setattr("core.providers.http_support.httpx.get", fake_get)
    from core.providers.base import Output

    with pytest.raises(ProviderError) as err:
        adapter.download(output=Output(mime="video/mp4", url="https://cdn.example.org/out.mp4"))
    assert "Authorization" not in seen and err.value.retryable


def test_invalid_params_never_reach_the_provider(adapter, replicate_emu):
    with pytest.raises(InvalidInput):
        adapter.build_request(cap=veo_cap(), params={"prompt": "p", "bogus": 1}, inputs={})
    assert replicate_emu.requests == []
