"""Music beds and sound effects are jobs whose result the worker places (issue 13): Edit's "Make a
music bed", "Add" effect and the automatic effects of a first visit only queue and return; the page
says what is being made, shows the result once a worker placed it, and says so when a job failed."""
import time

import core.providers.local.music as local_music
from core.errors import InvalidInput
from core.generation.effects import AMBIENCE, AUTO_DONE, SOUND_EFFECT
from core.generation.soundtrack import MUSIC_BED
from core.jobs.service import list_jobs
from core.models import ACTIVE_STATUSES
from core.projects import get_project, update_project
from core.settings import get_settings
from core.timeline.store import list_items

from tests.conftest import settle
from tests.pages.helpers import app, broken_down, texts

SCRIPT = """INT. LIGHTHOUSE - NIGHT

Rain lashes the windows. MAYA climbs the spiral stairs with a lantern.

MAYA knocks on the door.

EXT. CLIFF - DAWN

TOM walks along the cliff.
"""
PACE_S = 1.5  # the offline provider takes this long per sound here, so "returns at once" is observable


def _purpose(job) -> str:
    return ((job.request or {}).get("context") or {}).get("purpose")


def _jobs(project_id: int, *purposes: str) -> list:
    return [j for j in list_jobs(project_id=project_id, limit=500) if _purpose(j) in purposes]


def _paced(monkeypatch) -> None:
    monkeypatch.setenv("STORYREEL_LOCAL_LATENCY_S", str(PACE_S))
    get_settings.cache_clear()


def _click_returns_at_once(at, key: str, project_id: int, purpose: str):
    """Click ``key`` and return (its one job of ``purpose``, seconds the click took): the page came back
    before the job ended, or faster than the paced provider could have answered."""
    started = time.monotonic()
    at.button(key=key).click().run()
    took = time.monotonic() - started
    assert not at.exception, [e.message for e in at.exception]
    [job] = _jobs(project_id, purpose)
    assert job.status in ACTIVE_STATUSES or took < PACE_S, took
    return job, took


def _project(*, auto_done: bool = True):
    p = broken_down(name="Sound", script=SCRIPT)
    if auto_done:  # only what the test asks for
        update_project(project_id=p.id, settings={AUTO_DONE: True})
    return p


def test_make_a_music_bed_returns_at_once_and_the_bed_lands(monkeypatch):
    _paced(monkeypatch)
    p = _project()
    at = app("edit", p.id)
    assert "· 0 music ·" in texts(at)
    at.selectbox(key="music_mood").select("tense").run()
    # The page comes back while the bed is still being made, and says so.
    job, took = _click_returns_at_once(at, "make_music", p.id, MUSIC_BED)
    assert not list_items(project_id=p.id, track="music") or took < PACE_S
    if job.status in ACTIVE_STATUSES:
        assert "Making a tense bed" in texts(at)
    settle(at, p.id)  # no page code runs meanwhile: the worker places the bed
    assert not at.exception and not at.error, [e.value for e in at.error]
    [row] = list_items(project_id=p.id, track="music")
    assert row.media_id == list_jobs(project_id=p.id)[0].result_media_id and row.extra["mood"] == "tense"
    assert "· 1 music ·" in texts(at) and "Music: tense bed" in texts(at)
    assert "Making" not in texts(at)


def test_add_effect_returns_at_once_and_the_effect_lands(monkeypatch):
    _paced(monkeypatch)
    p = _project()
    at = app("edit", p.id)
    shot = at.selectbox(key="sfx_shot").value
    at.selectbox(key="sfx_effect").select("door").run()
    job, took = _click_returns_at_once(at, "sfx_add", p.id, SOUND_EFFECT)
    if job.status in ACTIVE_STATUSES:
        assert "Making 1 sound effect" in texts(at)
    settle(at, p.id)
    assert not at.exception and not at.error, [e.value for e in at.error]
    [row] = list_items(project_id=p.id, track="sfx")
    assert (row.shot_id, row.extra["effect"], row.extra["auto"]) == (shot, "door", False)
    assert "· 1 effects ·" in texts(at)


def test_first_visit_queues_the_automatic_effects_once(monkeypatch):
    _paced(monkeypatch)
    p = _project(auto_done=False)
    started = time.monotonic()
    at = app("edit", p.id)
    took = time.monotonic() - started
    queued = _jobs(p.id, SOUND_EFFECT, AMBIENCE)
    assert {(_purpose(j), j.request["context"]["effect"]) for j in queued} >= {(AMBIENCE, "rain"),
                                                                                (SOUND_EFFECT, "door")}
    assert get_project(project_id=p.id).settings[AUTO_DONE] is True
    assert any(j.status in ACTIVE_STATUSES for j in _jobs(p.id, SOUND_EFFECT, AMBIENCE)) or took < PACE_S
    # A second visit while they run queues nothing more.
    again = app("edit", p.id)
    assert len(_jobs(p.id, SOUND_EFFECT, AMBIENCE)) == len(queued)
    settle(at, p.id)
    assert not at.exception and not at.error, [e.value for e in at.error]
    rows = list_items(project_id=p.id, track="sfx")
    assert {"rain", "door"} <= {r.extra["effect"] for r in rows}
    rain = [r for r in rows if r.extra["effect"] == "rain"]
    assert len(rain) == len({r.shot_id for r in rain}) >= 1 and all(r.extra.get("loop") for r in rain)
    assert f"· {len(rows)} effects ·" in texts(at)
    again.run()
    assert len(list_items(project_id=p.id, track="sfx")) == len(rows)


def _broken(monkeypatch, module, name: str, *, message: str, field: str) -> None:
    """Make the local provider's ``module.name`` fail with ``message`` (naming ``field``)."""
    def broken(**_kw):
        raise InvalidInput(message, field=field)

    monkeypatch.setattr(module, name, broken)


def test_a_failed_music_bed_says_why(monkeypatch):
    _broken(monkeypatch, local_music, "music_bed", message="the music engine is out of tune", field="mood")
    p = _project()
    at = app("edit", p.id)
    at.button(key="make_music").click().run()
    assert not at.exception, [e.message for e in at.exception]
    settle(at, p.id)
    assert not list_items(project_id=p.id, track="music")
    assert any("The music could not be made" in e.value and "out of tune" in e.value for e in at.error), \
        [e.value for e in at.error]


def test_a_failed_effect_says_why(monkeypatch):
    import core.providers.local.sfx as local_sfx

    _broken(monkeypatch, local_sfx, "sound_effect", message="the effects engine lost its foley", field="effect")
    p = _project()
    at = app("edit", p.id)
    at.selectbox(key="sfx_effect").select("door").run()
    at.button(key="sfx_add").click().run()
    assert not at.exception, [e.message for e in at.exception]
    settle(at, p.id)
    assert not list_items(project_id=p.id, track="sfx")
    assert any("could not be made" in e.value and "door" in e.value and "lost its foley" in e.value
               for e in at.error), [e.value for e in at.error]
