"""The result handlers of music beds, sound effects and scene ambiences (issue 13): the worker places
each result whichever door asked; running a handler again (a worker that died between placing and
finishing) adds nothing; what the user changed meanwhile (music asked again or uploaded, an effect
removed, a shot deleted) is left alone."""
from __future__ import annotations

from sqlmodel import select

from core.breakdowns import delete_shot, list_scene_cards, list_shots
from core.db import session
from core.generation.effects import (
    AMBIENCE, SOUND_EFFECT, apply_ambience, apply_sound_effect, attach_sfx, enqueue_sfx,
)
from core.generation.soundtrack import (
    MUSIC_BED, apply_music_bed, choose_music, enqueue_music, music_status, request_jobs, upload_music,
)
from core.jobs.service import get_job, list_jobs, wait_all
from core.media.wav import to_wav_bytes
from core.models import MediaAsset
from core.timeline.store import list_items, remove_sfx

from tests.pages.helpers import broken_down

import numpy as np

SCRIPT = """INT. HARBOUR - NIGHT

Rain lashes the quay. Thunder. MAYA runs from the police, danger everywhere; the chase ends at the door.

MAYA knocks on the door.

EXT. GARDEN - DAY

TOM and MAYA kiss. They dance, they embrace: love at last.
"""


def _project():
    return broken_down(name="Sound jobs", script=SCRIPT, duration_s=3.0)


def _purpose(job) -> str:
    return ((job.request or {}).get("context") or {}).get("purpose")


def _rows(project_id: int, track: str) -> list[tuple]:
    return [(r.id, r.media_id, r.shot_id, r.gain_db) for r in list_items(project_id=project_id, track=track)]


def _again(job_id: str, handler) -> None:
    """Run a finished job's handler once more, as a worker that took it over after a crash would."""
    job = get_job(job_id=job_id)
    handler(job=job, media_ids=[job.result_media_id])


def test_a_music_bed_lands_once_and_a_later_request_or_upload_wins(runner):
    p = _project()
    first = enqueue_music(project_id=p.id, mood="calm")
    wait_all(job_ids=[first.id], timeout_s=120)
    [row] = list_items(project_id=p.id, track="music")
    assert row.media_id == get_job(job_id=first.id).result_media_id and row.extra["mood"] == "calm"
    assert music_status(project_id=p.id).making == "" and music_status(project_id=p.id).error == ""
    before = _rows(p.id, "music")
    _again(first.id, apply_music_bed)
    assert _rows(p.id, "music") == before
    # Asked again in another mood: the new bed replaces the old; the old job's handler then leaves it.
    second = enqueue_music(project_id=p.id, mood="tense")
    wait_all(job_ids=[second.id], timeout_s=120)
    [row] = list_items(project_id=p.id, track="music")
    assert row.media_id == get_job(job_id=second.id).result_media_id
    _again(first.id, apply_music_bed)
    assert [r.media_id for r in list_items(project_id=p.id, track="music")] == [row.media_id]
    # A track uploaded after a bed was asked for stays: the bed's handler leaves it alone.
    third = enqueue_music(project_id=p.id, mood="epic")
    wait_all(job_ids=[third.id], timeout_s=120)
    t = np.linspace(0, 2, 2 * 8000, endpoint=False)
    mine = upload_music(project_id=p.id, name="mine.wav", data=to_wav_bytes(0.2 * np.sin(2 * np.pi * 220 * t), 8000))
    _again(third.id, apply_music_bed)
    assert [r.media_id for r in list_items(project_id=p.id, track="music")] == [mine.media_id]


def test_a_score_is_chained_bed_by_bed_and_joined_once(runner):
    p = _project()
    music = choose_music(project_id=p.id)  # the waiting door (CLI, film command)
    assert [s["mood"] for s in music.extra["scenes"]] == ["tense", "romantic"]
    token = list_items(project_id=p.id, track="music")[0].extra["request"]
    beds = sorted(request_jobs(project_id=p.id, token=token), key=lambda j: j.request["context"]["piece"])
    assert [j.request["context"]["piece"] for j in beds] == [0, 1]
    assert [j.result_media_id for j in beds] == music.extra["beds"]
    before = _rows(p.id, "music")
    with session() as s:
        scores = s.exec(select(MediaAsset).where(MediaAsset.operation == "score")).all()
    assert len(scores) == 1
    for job in beds:  # the first bed's handler again queues the second (a cache hit), which finds the score placed
        _again(job.id, apply_music_bed)
    assert _rows(p.id, "music") == before
    with session() as s:
        assert len(s.exec(select(MediaAsset).where(MediaAsset.operation == "score")).all()) == 1


def test_an_added_effect_lands_once_and_not_on_a_deleted_shot(runner):
    p = _project()
    shots = list_shots(project_id=p.id)
    job = enqueue_sfx(project_id=p.id, shot_id=shots[0].id, effect="door")
    [done] = wait_all(job_ids=[job.id], timeout_s=120)
    assert done.status == "succeeded" and _purpose(done) == SOUND_EFFECT
    [row] = list_items(project_id=p.id, track="sfx")
    assert (row.shot_id, row.extra["effect"], row.media_id) == (shots[0].id, "door", done.result_media_id)
    before = _rows(p.id, "sfx")
    _again(job.id, apply_sound_effect)
    assert _rows(p.id, "sfx") == before
    # Asked twice on purpose: two doors (the second is the cached sound, placed at once).
    twice = enqueue_sfx(project_id=p.id, shot_id=shots[0].id, effect="door")
    assert twice.status == "succeeded" and len(list_items(project_id=p.id, track="sfx")) == 2
    # A shot deleted before its effect lands gets nothing (another click's request: not placed yet).
    late = get_job(job_id=enqueue_sfx(project_id=p.id, shot_id=shots[-1].id, effect="thunder").id)
    wait_all(job_ids=[late.id], timeout_s=120)
    late = get_job(job_id=late.id)
    other = late.model_copy(update={"request": {**late.request, "context": {**late.request["context"],
                                                                            "request": "another click"}}})
    delete_shot(shot_id=shots[-1].id)
    left = _rows(p.id, "sfx")
    apply_sound_effect(job=other, media_ids=[late.result_media_id])
    assert _rows(p.id, "sfx") == left
    # …while on a shot that is still there the same request would land.
    here = other.model_copy(update={"shot_id": shots[0].id})
    apply_sound_effect(job=here, media_ids=[late.result_media_id])
    assert len(_rows(p.id, "sfx")) == len(left) + 1


def test_automatic_effects_and_ambiences_land_once_and_respect_removals(runner):
    p = _project()
    assert attach_sfx(project_id=p.id) >= 3  # the waiting door: rain under scene 1, a door, thunder…
    jobs = [j for j in list_jobs(project_id=p.id, limit=500) if _purpose(j) in (SOUND_EFFECT, AMBIENCE)]
    scene1 = [sh.id for sh in list_scene_cards(project_id=p.id)[0].shots]
    rain = [r for r in list_items(project_id=p.id, track="sfx") if r.extra["effect"] == "rain"]
    assert sorted(r.shot_id for r in rain) == sorted(scene1) and len({r.media_id for r in rain}) == 1
    before = _rows(p.id, "sfx")
    for job in jobs:
        _again(job.id, apply_ambience if _purpose(job) == AMBIENCE else apply_sound_effect)
    assert _rows(p.id, "sfx") == before
    # The user removes the rain from one shot and a door: their handlers running again leave them out.
    remove_sfx(row_id=rain[0].id)
    door = next(r for r in list_items(project_id=p.id, track="sfx") if r.extra["effect"] == "door")
    remove_sfx(row_id=door.id)
    for job in jobs:
        _again(job.id, apply_ambience if _purpose(job) == AMBIENCE else apply_sound_effect)
    after = list_items(project_id=p.id, track="sfx")
    assert (rain[0].shot_id, "rain") not in {(r.shot_id, r.extra["effect"]) for r in after}
    assert (door.shot_id, "door") not in {(r.shot_id, r.extra["effect"]) for r in after}
    assert len(after) == len(before) - 2
    # Attaching again (the film command run twice) brings none of them back.
    assert attach_sfx(project_id=p.id) == 0
