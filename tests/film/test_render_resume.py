"""A render interrupted by a restart (its Job left 'running' with no live worker) is run again by a
worker as it starts, under the same job id, and ends with its film stored."""
from core.db import session
from core.jobs.service import reset_runner
from core.jobs.runner import JobRunner
from core.media_assets import get_asset
from core.models import Job
from core.render.service import KIND, PROVIDER, _settings, wait_render


def test_interrupted_render_is_resumed_by_the_runner(tmp_path, tools):
    p = tools.make_project(tmp_path, voices=False)
    settings = _settings(project_id=p.id, operation="preview", options={"subtitles": "none"})
    # What a crash leaves behind: a running render job whose worker thread is gone.
    job = Job(kind=KIND, provider=PROVIDER, model="preview", project_id=p.id, status="running",
              request={"operation": "preview", "settings": settings, "scene_id": None, "message": "encoding"})
    with session() as s:
        s.add(job)
    reset_runner()
    runner = JobRunner(workers=1)  # takes over unowned unfinished jobs as it starts
    try:
        done = wait_render(job_id=job.id, timeout_s=120)
    finally:
        runner.stop()
    assert done.status == "succeeded", done.error
    asset = get_asset(media_id=done.result_media_id)
    assert asset.type == "render" and asset.operation == "preview"
