"""Edit's music and effects in real Chromium: "Make a music bed" and "Add" come back at once and say
what is being made; the bed and the effect then appear on the page with nobody touching it (the
page redraws while the project has jobs, the worker of the app's process places the results)."""
from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import running_app
from tests.e2e.test_voice_recording import idle, nav, open_project, press, wait_until
from tests.pages.helpers import broken_down

PACE_S = 6.0  # each sound takes the offline provider this long here, so "being made" is on screen for a while, even on a slow machine

SCRIPT = """INT. LIGHTHOUSE - NIGHT

Rain lashes the windows. MAYA climbs the spiral stairs with a lantern.

MAYA
Is anyone up there?
"""


@pytest.fixture(scope="module")
def module_app(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("e2e-sound"), env={"STORYREEL_LOCAL_LATENCY_S": str(PACE_S)}) as served:
        yield served


def _tab(page, tab: str, button: str):
    """Show the page's ``tab`` and return its ``button``. The first click can land while the page is
    still drawing (a rerun then shows the first tab again), so the tab is clicked until the button shows."""
    page.get_by_role("tab", name=tab).first.wait_for()
    target = page.get_by_role("button", name=button, exact=True)
    for _ in range(10):
        page.get_by_role("tab", name=tab).first.click()
        try:
            target.wait_for(timeout=3000)
            return target
        except PlaywrightTimeout:
            idle(page)
    pytest.fail(f"the {tab} tab did not show its {button} button")


def _text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def test_music_and_effects_land_on_the_open_page(page, module_app, module_db, shot):
    from core.generation.effects import AUTO_DONE
    from core.jobs.service import list_jobs
    from core.projects import update_project
    from core.timeline.store import list_items

    url, _ = module_app
    p = broken_down(name="Lighthouse sound", script=SCRIPT)
    update_project(project_id=p.id, settings={AUTO_DONE: True})  # only what the test asks for
    open_project(page, url, p.name)
    nav(page, "Edit")
    idle(page)
    press(page, _tab(page, "Music", "Make a music bed"), what="the page to say the bed is being made",
          shown=lambda: "Making a" in _text(page), landed=lambda: list_jobs(project_id=p.id),
          timeout=PACE_S * 3, retry_after=PACE_S)
    shot(page, "music-being-made")
    assert not list_items(project_id=p.id, track="music")
    # Nobody clicks anything now: the worker places the bed and the page shows it.
    wait_until("the bed to appear on the page", lambda: "ducked about 12 dB" in _text(page), timeout=60)
    assert "Making a" not in _text(page)
    assert len(list_items(project_id=p.id, track="music")) == 1
    page.locator("audio").first.wait_for()
    shot(page, "music-landed")

    before = len(list_jobs(project_id=p.id))
    press(page, _tab(page, "Sound effects", "Add"), what="the page to say the effect is being made",
          shown=lambda: "Making 1 sound effect" in _text(page),
          landed=lambda: len(list_jobs(project_id=p.id)) > before, timeout=PACE_S * 3, retry_after=PACE_S)
    wait_until("the effect to appear on the page", lambda: "Making 1 sound effect" not in _text(page)
               and list_items(project_id=p.id, track="sfx"), timeout=60)
    idle(page)
    [row] = list_items(project_id=p.id, track="sfx")
    assert row.extra.get("effect") in _text(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    shot(page, "effect-landed")
