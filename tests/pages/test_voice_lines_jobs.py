"""Voice lines are jobs whose result the worker places (issue 13): Edit's "Voice all lines" only
queues them and returns, the lines land on the timeline with no page waiting (whichever door asked),
and placing a line twice (a worker that died between placing and finishing) adds nothing."""
import time

from core.breakdowns import list_shots, update_shot
from core.generation.voiceover import VOICE_LINE, apply_voice_line, dialogue_lines, enqueue_voiceover
from core.jobs.service import get_job, list_jobs, submit_job, wait_all
from core.models import ACTIVE_STATUSES, MediaAsset
from core.db import session
from core.settings import get_settings
from core.timeline.store import list_items

from tests.conftest import settle
from tests.pages.helpers import broken_down
from tests.pages.helpers import app, texts

SCRIPT = """INT. LIGHTHOUSE - NIGHT

MAYA climbs the spiral stairs with a lantern.

MAYA
Someone has been here.

EXT. CLIFF - DAWN

TOM (V.O.)
It's addressed to you.
"""
PACE_S = 1.5  # the offline provider takes this long per line here, so "returns at once" is observable


def _project():
    return broken_down(name="Voices", script=SCRIPT)


def _voiced(project_id: int) -> int:
    return sum(ln.voiced for ln in dialogue_lines(project_id=project_id))


def test_voice_all_lines_returns_at_once_and_the_lines_land(monkeypatch):
    monkeypatch.setenv("STORYREEL_LOCAL_LATENCY_S", str(PACE_S))
    get_settings.cache_clear()
    p = _project()
    at = app("edit", p.id)
    assert "· 0 voice lines ·" in texts(at)
    started = time.monotonic()
    at.button(key="voice_all").click().run()
    took = time.monotonic() - started
    assert not at.exception, [e.message for e in at.exception]
    jobs = list_jobs(project_id=p.id)
    voice = [j for j in jobs if (j.request or {}).get("context", {}).get("purpose") == VOICE_LINE]
    assert len(voice) == 2
    # The page came back while the lines were still being voiced (each takes PACE_S here).
    assert any(j.status in ACTIVE_STATUSES for j in voice) or took < PACE_S, took
    assert _voiced(p.id) < 2 or took < PACE_S
    settle(at, p.id)  # no page code runs meanwhile: the workers place the lines
    assert _voiced(p.id) == 2
    assert not at.exception
    assert "· 2 voice lines ·" in texts(at)
    rows = list_items(project_id=p.id, track="voice")
    assert len(rows) == 2 and all(r.extra.get("words") for r in rows)
    tom = next(r for r in rows if r.extra.get("character") == "TOM")
    assert tom.extra.get("treatment") == "voice-over"
    with session() as s:
        heard = s.get(MediaAsset, tom.media_id)
    assert heard.model == "treatment" and heard.parent_id, "the V.O. line is placed through its treatment"


def test_a_voice_line_job_from_any_door_lands_on_its_line_once(runner):
    p = _project()
    [job] = enqueue_voiceover(project_id=p.id, keys=[dialogue_lines(project_id=p.id)[1].key])
    [done] = wait_all(job_ids=[job.id], timeout_s=120)
    assert done.status == "succeeded"
    rows = list_items(project_id=p.id, track="voice")
    assert len(rows) == 1 and rows[0].text == "It's addressed to you."
    # The same line asked through the plain job door (API, CLI: submit_job with the context) lands
    # on the line too, replacing its voice rather than adding a second one.
    again = submit_job(provider=done.provider, model=done.model, params=done.request["params"], force=True,
                       project_id=p.id, shot_id=done.shot_id, context=done.request["context"])
    [again] = wait_all(job_ids=[again.id], timeout_s=120)
    assert again.status == "succeeded" and again.result_media_id != done.result_media_id
    rows = list_items(project_id=p.id, track="voice")
    assert len(rows) == 1 and rows[0].text == "It's addressed to you."
    with session() as s:
        assert s.get(MediaAsset, rows[0].media_id).parent_id == again.result_media_id
    # A worker that died after placing but before finishing runs the handler again: nothing changes.
    apply_voice_line(job=get_job(job_id=again.id), media_ids=[again.result_media_id])
    after = list_items(project_id=p.id, track="voice")
    assert [(r.media_id, r.text) for r in after] == [(r.media_id, r.text) for r in rows]
    with session() as s:
        treated = s.query(MediaAsset).filter(MediaAsset.model == "treatment").count()
    assert treated == 2  # one treated copy per spoken take, none made twice


def test_a_line_changed_meanwhile_is_left_alone(runner):
    p = _project()
    line = dialogue_lines(project_id=p.id)[0]
    [job] = enqueue_voiceover(project_id=p.id, keys=[line.key])
    wait_all(job_ids=[job.id], timeout_s=120)
    shot = next(s for s in list_shots(project_id=p.id) if s.id == line.shot_id)
    dialogue = [dict(d) for d in shot.dialogue]
    dialogue[line.line]["text"] = "Nobody was here."
    update_shot(shot_id=shot.id, dialogue=dialogue)
    before = list_items(project_id=p.id, track="voice")
    apply_voice_line(job=get_job(job_id=job.id), media_ids=[get_job(job_id=job.id).result_media_id])
    assert [r.id for r in list_items(project_id=p.id, track="voice")] == [r.id for r in before]
