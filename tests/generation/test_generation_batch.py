"""Regenerating one shot leaves every other shot's assets untouched; an interrupted batch resumes
without repeating finished shots; versions roll back; comparison keeps one."""
from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from core.generation import batch
from core.generation import board
from core.generation import comparison
from core.breakdowns import list_shots
from core.db import session
from core.generation.facade import generate_keyframe, rollback, shot_versions, wait_all
from core.jobs.service import reset_runner, set_runner
from core.models import Job, MediaAsset
from core.settings import get_settings
from tests.generation.conftest import make_runner


def _assets_by_shot(project_id):
    with session() as s:
        rows = s.exec(select(MediaAsset).where(MediaAsset.project_id == project_id)).all()
    out = {}
    for a in rows:
        out.setdefault(a.shot_id, {})[a.media_id] = (a.content_hash, a.file_path, a.parent_id)
    return out


def _jobs(project_id):
    with session() as s:
        return list(s.exec(select(Job).where(Job.project_id == project_id)).all())


def test_regenerating_one_shot_leaves_others_untouched_and_rolls_back(project):
    results = batch.run_batch(project_id=project.id, stages=("keyframes",))
    assert results[0].done == results[0].total == len(list_shots(project_id=project.id))
    before_shots = {s.id: (s.keyframe_media_id, s.clip_media_id) for s in list_shots(project_id=project.id)}
    before_assets = _assets_by_shot(project.id)
    target = list_shots(project_id=project.id)[1]
    job = wait_all(job_ids=[generate_keyframe(shot_id=target.id, force=True, seed=4242).id], timeout_s=60)[0]
    assert job.status == "succeeded", job.error  # the worker put it on its shot: no page pulls it
    after_shots = {s.id: (s.keyframe_media_id, s.clip_media_id) for s in list_shots(project_id=project.id)}
    after_assets = _assets_by_shot(project.id)
    for sid in before_shots:
        if sid != target.id:
            assert after_shots[sid] == before_shots[sid]
            assert after_assets.get(sid) == before_assets.get(sid)
    assert after_shots[target.id][0] == job.result_media_id != before_shots[target.id][0]
    versions = shot_versions(shot_id=target.id, kind="keyframe")
    assert len(versions) == 2 and versions[0].parent_id == before_shots[target.id][0]
    back = rollback(shot_id=target.id, kind="keyframe")
    assert back.keyframe_media_id == before_shots[target.id][0]


def test_interrupted_batch_resumes_without_repeating_finished_shots(project):
    reset_runner()
    set_runner(make_runner(limits={"local": 1}))
    shots = list_shots(project_id=project.id)
    calls = {"n": 0}

    class PowerCut(Exception):
        pass

    def cut_after_first(progress):
        if progress.done >= 1:
            raise PowerCut()

    with pytest.raises(PowerCut):
        batch.run_batch(project_id=project.id, stages=("keyframes",), on_progress=cut_after_first)
    reset_runner()  # the process "dies": unfinished jobs stay queued in the database
    finished = {s.id for s in list_shots(project_id=project.id) if s.keyframe_media_id}
    assert 1 <= len(finished) < len(shots)
    jobs_before = {s: [j.id for j in _jobs(project.id) if j.shot_id == s] for s in finished}

    from core.providers.local.adapter import ADAPTER

    original = ADAPTER.submit

    def counting(*, request):
        calls["n"] += 1
        return original(request=request)

    set_runner(make_runner())
    ADAPTER.submit = counting
    try:
        results = batch.run_batch(project_id=project.id, stages=("keyframes",))
    finally:
        ADAPTER.submit = original
    assert results[0].total == len(shots) - len(finished)
    final = list_shots(project_id=project.id)
    assert all(s.keyframe_media_id for s in final)
    for sid, ids in jobs_before.items():
        assert [j.id for j in _jobs(project.id) if j.shot_id == sid] == ids, "a finished shot was submitted again"
    assert calls["n"] <= len(shots) - len(finished)
    # Every shot holds exactly one keyframe version: nothing was drawn twice.
    assert all(len(shot_versions(shot_id=s.id, kind="keyframe")) == 1 for s in final)


def test_estimate_and_cancel(project):
    est = batch.estimate_batch(project_id=project.id)
    n = len(list_shots(project_id=project.id))
    assert len(est.keyframes) == len(est.clips) == n and est.usd == 0.0 and est.unknown == 0
    assert batch.cancel_batch(project_id=project.id) == 0


def test_comparison_side_by_side_and_keep(project):
    shot = list_shots(project_id=project.id)[0]
    with pytest.raises(Exception):
        comparison.start_comparison(shot_id=shot.id, kind="keyframe", choices=[("local", "keyframe")])
    entries = comparison.start_comparison(shot_id=shot.id, kind="keyframe",
                                          choices=[("local", "keyframe"), ("google", "gemini-nano-banana-2.1")])
    wait_all(job_ids=[e.job_id for e in entries if e.job_id], timeout_s=60)
    local, google = [comparison.refresh(entry=e) for e in entries]
    assert local.status == "succeeded" and local.seconds is not None and local.cost_usd == 0.0
    assert "shot_type" in local.params and "shot_type" not in google.params
    assert google.status == "failed" and "GOOGLE" in google.error  # no key: refused before any call
    kept = comparison.keep(shot_id=shot.id, entry=local)
    assert kept.keyframe_media_id == local.media_id


def test_the_board_batch_is_queued_jobs_not_a_thread_of_the_page_process(project, monkeypatch):
    """The Storyboard's batch queues its keyframes (each chains its clip) and returns: no thread of
    the page's process carries it, a second start while it runs is refused, and it ends with every
    shot made by the workers alone."""
    monkeypatch.setenv("STORYREEL_LOCAL_LATENCY_S", "0.3")  # still running when the checks below look
    get_settings.cache_clear()
    before = {t.name for t in threading.enumerate()}
    assert board.start_batch(project_id=project.id)
    assert not [t for t in threading.enumerate() if t.name not in before and t.name.startswith("batch")]
    _, counts = board.board(project_id=project.id, thumbs=False)
    assert counts.batch_running and counts.batch_note.startswith("Batch running")
    assert not board.start_batch(project_id=project.id), "one batch of a project at a time"
    assert board.wait_batch(project_id=project.id, timeout_s=300)
    shots = list_shots(project_id=project.id)
    assert all(s.keyframe_media_id and s.clip_media_id for s in shots)
    _, counts = board.board(project_id=project.id, thumbs=False)
    assert not counts.batch_running
    assert counts.batch_note == f"Batch done: {2 * len(shots)} made.", counts.batch_note
    get_settings.cache_clear()
