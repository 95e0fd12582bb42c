"""Every page of a project with a storyboard, in real Chromium: a screenshot of each under
test-output/e2e/, no exception on any, a working recorder (a START button) on every character card
and on Edit after voicing the lines, and confirmations that are still there after the rerun."""
from __future__ import annotations

import io
import re

from PIL import Image

from tests.e2e.test_voice_recording import idle, nav, open_project, press, wait_until

SCRIPT = """INT. NIGHT MARKET - NIGHT

JONAH weaves between the stalls. MIRA follows with a lantern. OLD WEN counts coins.

JONAH
Keep up.

MIRA
I am keeping up.

OLD WEN
Buy something or move along.
"""
PAGES = ["Start", "Script", "Breakdown", "World & Cast", "Storyboard", "Edit", "Preview", "Generate",
         "Voice Studio", "Media Lab"]


def _project():
    from core.breakdowns import list_shots, run_breakdown, update_shot
    from core.media_assets import create_asset
    from core.projects import create_project
    from core.scripts import save_version

    p = create_project(name="Night Market tour", target_length_s=20)
    save_version(project_id=p.id, text=SCRIPT, source="pasted")
    run_breakdown(project_id=p.id)
    for n, shot in enumerate(list_shots(project_id=p.id)):
        buf = io.BytesIO()
        Image.new("RGB", (640, 360), (50 + 50 * n, 70, 140)).save(buf, format="PNG")
        a = create_asset(type="image", project_id=p.id, data=buf.getvalue(), mime="image/png", shot_id=shot.id)
        update_shot(shot_id=shot.id, keyframe_media_id=a.media_id, status="keyframe")
    return p


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]').first.inner_text()


def _start_buttons(page) -> int:
    n = 0
    for i in range(page.locator('iframe[title*="webrtc"]').count()):
        frame = page.frame_locator('iframe[title*="webrtc"]').nth(i)
        n += frame.get_by_role("button", name=re.compile("^START$", re.I)).count()
    return n


def test_every_page_with_a_screenshot_and_working_recorders(page, module_app, module_db, shot):
    from core import cast
    from core.jobs.service import list_jobs
    from core.breakdowns import list_characters

    url, _ = module_app
    p = _project()
    open_project(page, url, p.name)
    for title in PAGES:
        nav(page, title)
        idle(page)
        page.wait_for_timeout(800)
        idle(page)
        _no_exception(page)
        shot(page, title.lower().replace(" & ", "-").replace(" ", "-"))

    # World & Cast: every character card has its recorder's START button (cards open).
    people = list_characters(project_id=p.id)
    assert len(people) >= 3
    nav(page, "World & Cast")
    idle(page)
    for c in people:
        card = page.locator(f'.st-key-card_box_{c.character_id}')
        if card.locator("details").count() and card.locator("details").get_attribute("open") is None:
            card.locator("summary").click()
    idle(page)
    wait_until("a START button on every character card", lambda: _start_buttons(page) >= len(people), timeout=60)

    # "Give every character a voice": the toast outlives the rerun, the cards show the voices.
    page.get_by_role("button", name=re.compile("Give every character a voice")).click()
    wait_until("the confirmation toast", lambda: page.get_by_text(
        re.compile(r"Assigned \d+ voice|already has a voice")).count() >= 1, timeout=60, every=0.2)
    idle(page)
    shot(page, "world-cast-after-voices")
    jonah = cast.get_character(project_id=p.id, character_id="jonah")
    assert jonah.voice_id and page.get_by_text(f"voice {cast.voice_label(voice_id=jonah.voice_id)}").count() >= 1

    # Edit: voicing the lines keeps the line recorder's START.
    nav(page, "Edit")
    idle(page)
    # The button only queues the lines: its confirmation outlives the rerun; the workers place each
    # line and the page redraws itself as they land (no click). Generous guard for a shared machine.
    before = len(list_jobs(project_id=p.id, limit=500))
    press(page, page.get_by_role("button", name="Voice all lines"), what="the confirmation",
          shown=lambda: page.get_by_text(re.compile(r"^Voicing 3 lines")).count() >= 1,
          landed=lambda: len(list_jobs(project_id=p.id, limit=500)) > before)
    wait_until("every line voiced (the sidebar counts them from the data)",
               lambda: page.get_by_text("3/3 line(s) voiced").count() >= 1, timeout=60)
    idle(page)
    wait_until("the timeline redrawn with the voiced lines",
               lambda: page.get_by_text(re.compile(r"· 3 voice lines ·")).count() >= 1, timeout=60)
    idle(page)
    wait_until("the line recorder's START after voicing", lambda: _start_buttons(page) >= 1, timeout=60)
    _no_exception(page)
    shot(page, "edit-after-voicing")
