"""Faults of the google emulator through jobs: retried where transient, a clear failure where
permanent, never a duplicate paid submission, never a lost result."""
import pytest
from sqlmodel import select

from core.db import session
from core.errors import InvalidCombination, MissingCredentials
from core.jobs.service import get_job, run_sync, submit_job, wait_for
from core.models import Job, MediaAsset
from tests.emulators.server import Fault

VEO = dict(provider="google", model="veo-3.1-generate-001", params={"prompt": "a fox"})


def test_jobs_429_with_retry_after_on_create_is_retried(google_emu, runner):
    google_emu.faults.add(Fault(kind="status", route="create", status=429, retry_after=0.05, message="Quota hit"))
    job = run_sync(**VEO, timeout_s=30)
    assert job.status == "succeeded", job.error
    assert google_emu.count("create") == 2 and job.attempts == 2
    assert len(google_emu.operations) == 1  # the 429 started nothing, so one operation exists


def test_jobs_5xx_on_poll_is_retried_without_resubmitting(google_emu, runner):
    google_emu.faults.add(Fault(kind="status", route="poll", status=503, message="backend unavailable"))
    google_emu.faults.add(Fault(kind="status", route="poll", status=500, message="internal"))
    job = run_sync(**VEO, timeout_s=30)
    assert job.status == "succeeded", job.error
    assert google_emu.count("create") == 1


def test_jobs_persistent_5xx_on_create_fails_with_the_provider_message(google_emu, runner):
    google_emu.faults.add(Fault(kind="status", route="create", status=500, message="Internal error encountered."),
                          times=10)
    job = run_sync(**VEO, timeout_s=30)
    assert job.status == "failed" and "Internal error encountered." in job.error and job.error_retryable
    assert google_emu.count("create") == runner.max_retries + 1
    assert job.result_media_id is None


def test_jobs_400_is_permanent_and_not_retried(google_emu, runner):
    google_emu.faults.add(Fault(kind="status", route="create", status=400, message="Prompt was blocked."))
    job = run_sync(**VEO, timeout_s=30)
    assert job.status == "failed" and "Prompt was blocked." in job.error and not job.error_retryable
    assert google_emu.count("create") == 1


@pytest.mark.parametrize("fault", [Fault(kind="slow", route="create", delay_s=1.6),
                                   Fault(kind="malformed", route="create")])
def test_jobs_unknown_submission_outcome_is_not_resubmitted(google_emu, runner, fault):
    google_emu.faults.add(fault)
    job = run_sync(**VEO, timeout_s=30)
    # Google has no list to reconcile from: the user decides (resend_job) — never sent again by itself.
    assert job.status == "unknown_outcome" and "not sent again" in job.error and job.error_retryable
    assert google_emu.count("create") == 1


def test_unknown_outcome_is_sent_again_only_when_the_user_confirms(google_emu, runner, capsys):
    from fastapi.testclient import TestClient

    from core.api.app import app
    from core.cli import main

    google_emu.faults.add(Fault(kind="malformed", route="create"))
    job = run_sync(**VEO, timeout_s=30)
    assert job.status == "unknown_outcome" and google_emu.count("create") == 1
    with TestClient(app, client=("127.0.0.1", 50000), base_url="http://127.0.0.1") as client:
        shown = client.get(f"/jobs/{job.id}").json()
        assert shown["error"]["code"] == "unknown_outcome" and shown["attempts"] == 1 and shown["submitted_at"]
        assert [j["job_id"] for j in client.get("/jobs", params={"status": "unknown_outcome"}).json()] == [job.id]
        assert main(["jobs", "resend", job.id]) == 2  # without --yes nothing is sent
        assert "--yes" in capsys.readouterr().err and google_emu.count("create") == 1
        again = client.post(f"/jobs/{job.id}/resend")
        assert again.status_code == 202 and again.json()["status"] == "queued"
        done = wait_for(job_id=job.id, timeout_s=30)
        assert done.status == "succeeded" and google_emu.count("create") == 2
        assert client.post(f"/jobs/{job.id}/resend").status_code == 422  # a succeeded job is not sent again


@pytest.mark.parametrize("fault", [Fault(kind="slow", route="poll", delay_s=1.6),
                                   Fault(kind="malformed", route="poll")])
def test_jobs_slow_or_malformed_poll_is_retried(google_emu, runner, fault):
    google_emu.faults.add(fault)
    job = run_sync(**VEO, timeout_s=30)
    assert job.status == "succeeded", job.error
    assert google_emu.count("create") == 1


def test_jobs_operation_error_fails_the_job_with_its_message(google_emu, runner):
    google_emu.faults.add(Fault(kind="fail_job", route="create", message="Video generation failed: unsafe content."))
    job = run_sync(**VEO, timeout_s=30)
    assert job.status == "failed" and "unsafe content" in job.error
    assert google_emu.count("create") == 1


def _jobs_count() -> int:
    with session() as s:
        return len(s.exec(select(Job)).all())


def test_jobs_invalid_combination_sends_and_stores_nothing(google_emu, runner, png_file):
    with pytest.raises(InvalidCombination) as exc:
        submit_job(provider="google", model="veo-3.1-generate-001", params={"prompt": "x"},
                   inputs={"image": str(png_file), "reference_images": [str(png_file)]})
    assert exc.value.violations
    assert _jobs_count() == 0 and google_emu.calls == []


def test_jobs_missing_credentials_name_the_setting_before_persisting(google_emu, runner, monkeypatch):
    from core.settings import get_settings

    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT")
    get_settings.cache_clear()
    with pytest.raises(MissingCredentials) as exc:
        submit_job(**VEO)
    assert exc.value.setting == "GOOGLE_CLOUD_PROJECT"
    assert _jobs_count() == 0 and google_emu.calls == []


def test_jobs_runner_killed_mid_poll_resumes_and_stores_once(google_emu, data_dir):
    from core.jobs.service import set_runner
    from tests.providers.conftest import make_runner

    google_emu.job_seconds = 1.0
    first = make_runner()
    set_runner(first)
    job = submit_job(**VEO)
    # Wait until the operation id is stored and at least one poll has happened, then kill the runner.
    import time

    deadline = time.monotonic() + 20
    while not (get_job(job_id=job.id).operation_id and google_emu.count("poll") >= 1):
        assert time.monotonic() < deadline, "job never got submitted"
        time.sleep(0.02)
    first.stop()
    stalled = get_job(job_id=job.id)
    assert stalled.status in ("submitted", "running") and stalled.result_media_id is None
    second = make_runner()  # takes the job over as it starts: no request needed
    set_runner(second)
    done = wait_for(job_id=job.id, timeout_s=30, runner=second)
    second.stop()
    assert done.status == "succeeded", done.error
    assert google_emu.count("create") == 1 and done.operation_id == stalled.operation_id
    with session() as s:
        videos = [a for a in s.exec(select(MediaAsset).where(MediaAsset.type == "video")).all()
                  if a.extra.get("job_id") == job.id]
    assert len(videos) == 1


def test_jobs_cancel_queued_and_uncancellable_veo(google_emu, data_dir):
    from core.errors import UnsupportedCapability
    from core.jobs.service import cancel_job, set_runner
    from tests.providers.conftest import make_runner

    stopped = make_runner(workers=0)  # nothing picks the job up: it stays queued
    set_runner(stopped)
    job = submit_job(**VEO)
    stopped.stop()
    assert cancel_job(job_id=job.id).status == "cancelled"
    live = make_runner()
    set_runner(live)
    google_emu.job_seconds = 0.5
    job = submit_job(provider="google", model="veo-3.1-generate-001", params={"prompt": "other"})
    import time

    deadline = time.monotonic() + 20
    while not get_job(job_id=job.id).operation_id:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    with pytest.raises(UnsupportedCapability):
        cancel_job(job_id=job.id)
    assert wait_for(job_id=job.id, timeout_s=30, runner=live).status == "succeeded"
    live.stop()


def test_jobs_first_and_last_frames_come_from_both_ends(data_dir, tmp_path):
    import io

    from PIL import Image

    from core.jobs.results import first_and_last_frames
    from core.media.ffmpeg import run_ffmpeg

    video = tmp_path / "two.mp4"
    run_ffmpeg(["-loglevel", "error", "-f", "lavfi", "-i", "color=c=red:s=64x36:r=8:d=1", "-f", "lavfi", "-i",
                "color=c=blue:s=64x36:r=8:d=1", "-filter_complex", "[0][1]concat=n=2:v=1", "-c:v", "libx264",
                "-pix_fmt", "yuv420p", str(video)], what="test video")
    first, last = first_and_last_frames(video=video)
    r1, _, b1 = Image.open(io.BytesIO(first)).getpixel((5, 5))
    r2, _, b2 = Image.open(io.BytesIO(last)).getpixel((5, 5))
    assert r1 > 200 > b1 and b2 > 200 > r2
