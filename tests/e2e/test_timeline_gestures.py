"""The Edit page's timeline in real Chromium: drag a shot to reorder, drag its edge to trim, drag a
voice line and an effect to move them, set a level, move the playhead and play the mix — each
change read back from the database and from the redrawn timeline."""
from __future__ import annotations

import io

import numpy as np
import soundfile as sf
from PIL import Image

from tests.e2e.test_voice_recording import idle, nav, open_project, wait_until

SCRIPT = """INT. HARBOUR - NIGHT

NELL knocks on the door of the harbour office.

NELL
Anyone still awake?

EXT. PIER - NIGHT

Wind pulls at the ropes. OTTO coils a line.

OTTO
Only the gulls.

EXT. BOAT - NIGHT

The engine coughs and the boat drifts out.
"""


def _speech(seconds: float, f0: float, rate: int = 24000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    sig = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6)) * (0.4 + 0.6 * np.abs(np.sin(2 * np.pi * 3 * t)))
    buf = io.BytesIO()
    sf.write(buf, (0.3 * sig).astype(np.float32), rate, format="WAV")
    return buf.getvalue()


def _project():
    from core.breakdowns import list_shots, run_breakdown, update_shot
    from core.generation.effects import add_sfx
    from core.generation.soundtrack import choose_music
    from core.media_assets import create_asset
    from core.projects import create_project, update_project
    from core.scripts import save_version
    from core.timeline.store import add_item

    p = create_project(name="Harbour timeline", target_length_s=30)
    save_version(project_id=p.id, text=SCRIPT, source="pasted")
    run_breakdown(project_id=p.id)
    update_project(project_id=p.id, settings={"sfx_auto_done": True})  # only the effect added below
    for n, shot in enumerate(list_shots(project_id=p.id)):
        buf = io.BytesIO()
        Image.new("RGB", (640, 360), (60 + 60 * n, 80, 150)).save(buf, format="PNG")
        a = create_asset(type="image", project_id=p.id, data=buf.getvalue(), mime="image/png", shot_id=shot.id)
        update_shot(shot_id=shot.id, keyframe_media_id=a.media_id, duration_s=3.0)
        for i, d in enumerate(shot.dialogue or []):
            v = create_asset(type="voice", project_id=p.id, data=_speech(1.2, 140 + 20 * n), mime="audio/wav",
                             shot_id=shot.id, duration_s=1.2)
            add_item(project_id=p.id, track="voice", media_id=v.media_id, shot_id=shot.id, text=d["text"],
                     duration_s=1.2, extra={"line": i, "character": d["character"], "words": []})
    add_sfx(project_id=p.id, shot_id=list_shots(project_id=p.id)[0].id, effect="door")
    choose_music(project_id=p.id, mood="calm")
    return p


def _editor(page):
    return page.frame_locator('iframe[src*="storyreel_timeline"]').first


def _drag(page, box, dx: float, *, grab_x: float | None = None) -> None:
    x0 = box["x"] + (grab_x if grab_x is not None else box["width"] / 2)
    y0 = box["y"] + box["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    for k in range(1, 9):
        page.mouse.move(x0 + dx * k / 8, y0)
    page.mouse.up()


def _wait_editor(page, count: int) -> None:
    idle(page)
    page.locator('iframe[src*="storyreel_timeline"]').first.scroll_into_view_if_needed()
    _editor(page).locator(".tl-shot").nth(count - 1).wait_for()


def test_reorder_trim_move_gain_and_play_in_chromium(page, module_app, module_db, shot):
    from core.breakdowns import list_shots
    from core.timeline.store import list_items

    url, _ = module_app
    p = _project()
    shots = list_shots(project_id=p.id)
    n = len(shots)
    assert n >= 3
    open_project(page, url, p.name)
    nav(page, "Edit")
    _wait_editor(page, n)
    ed = _editor(page)
    shot(page, "timeline-before")

    # Reorder: drag the second shot to the far left.
    second = ed.locator(".tl-shot").nth(1)
    first_box = ed.locator(".tl-shot").nth(0).bounding_box()
    b = second.bounding_box()
    _drag(page, b, first_box["x"] - b["x"] - 10)
    wait_until("the reorder saved", lambda: [s.id for s in list_shots(project_id=p.id)][0] == shots[1].id)
    _wait_editor(page, n)
    wait_until("the timeline redrawn in the new order",
               lambda: ed.locator(".tl-shot").first.get_attribute("data-shot-id") == str(shots[1].id))
    assert [s.id for s in list_shots(project_id=p.id)][:2] == [shots[1].id, shots[0].id]

    # Trim: drag the right edge of the (new) last shot 1 s to the right.
    last = ed.locator(".tl-shot").nth(n - 1)
    before = float(last.get_attribute("data-duration"))
    lb = last.bounding_box()
    pps = lb["width"] / before
    target_id = int(last.get_attribute("data-shot-id"))
    _drag(page, lb, pps * 1.0, grab_x=lb["width"] - 3)
    wait_until("the trim saved", lambda: next(s for s in list_shots(project_id=p.id) if s.id == target_id).duration_s > 3.4)
    trimmed = next(s for s in list_shots(project_id=p.id) if s.id == target_id).duration_s
    assert 3.5 <= trimmed <= 4.5, trimmed

    # Trim the in point: drag the left edge of the first shot 1 s to the right — it starts 1 s into
    # its source and is 1 s shorter; the shots after it move up.
    _wait_editor(page, n)
    head_shot = ed.locator(".tl-shot").first
    hid = int(head_shot.get_attribute("data-shot-id"))
    stored = next(s for s in list_shots(project_id=p.id) if s.id == hid).duration_s
    second_start = float(ed.locator(".tl-shot").nth(1).get_attribute("data-start"))
    _drag(page, head_shot.bounding_box(), pps * 1.0, grab_x=3)

    def _trimmed_in():
        row = next(s for s in list_shots(project_id=p.id) if s.id == hid)
        return ((row.params or {}).get("edit") or {}).get("trim_in_s") and row

    row = wait_until("the in-point trim saved", _trimmed_in)
    cut = row.params["edit"]["trim_in_s"]
    assert 0.7 <= cut <= 1.3, cut
    assert abs(row.duration_s - (stored - cut)) < 0.01, "the shot keeps its end: shorter by what was cut"
    _wait_editor(page, n)
    wait_until("the timeline redrawn with the shot trimmed",
               lambda: abs(float(ed.locator(f'.tl-shot[data-shot-id="{hid}"]').get_attribute("data-trim-in")) - cut) < 1e-6)
    assert float(ed.locator(".tl-shot").nth(1).get_attribute("data-start")) < second_start - 0.5, "the next shot moved up"

    # Move a voice line 0.8 s later inside its shot.
    _wait_editor(page, n)
    line = ed.locator('.tl-sound[data-track="voice"]').first
    row_id = int(line.get_attribute("data-row-id"))
    start0 = float(line.get_attribute("data-start"))
    _drag(page, line.bounding_box(), pps * 0.8)
    wait_until("the line move saved",
               lambda: next(r for r in list_items(project_id=p.id, track="voice") if r.id == row_id).extra.get("offset_s"))
    _wait_editor(page, n)
    moved = ed.locator(f'.tl-sound[data-row-id="{row_id}"]')
    wait_until("the line redrawn later", lambda: float(moved.get_attribute("data-start")) > start0 + 0.5)

    # Move the effect into the next shot: it now belongs to that shot.
    fx = ed.locator('.tl-sound[data-track="sfx"]').first
    fx_id = int(fx.get_attribute("data-row-id"))
    fx_shot = next(r for r in list_items(project_id=p.id, track="sfx") if r.id == fx_id).shot_id
    video = ed.locator(".tl-shot")
    homes = [int(video.nth(i).get_attribute("data-shot-id")) for i in range(n)]
    fb = fx.bounding_box()
    _drag(page, fb, pps * 3.2)
    wait_until("the effect move saved",
               lambda: next(r for r in list_items(project_id=p.id, track="sfx") if r.id == fx_id).shot_id != fx_shot)
    new_home = next(r for r in list_items(project_id=p.id, track="sfx") if r.id == fx_id).shot_id
    assert homes.index(new_home) == homes.index(fx_shot) + 1

    # Set the effect's level.
    _wait_editor(page, n)
    ed.locator(f'.tl-sound[data-row-id="{fx_id}"]').click()
    ed.locator("#tl-gain").evaluate("el => { el.value = -12; el.dispatchEvent(new Event('input')); }")
    ed.locator("#tl-gain-save").click()
    wait_until("the level saved",
               lambda: next(r for r in list_items(project_id=p.id, track="sfx") if r.id == fx_id).gain_db == -12.0)

    # Play from a point: click the ruler at ~2 s, press Play, the playhead runs on from there.
    _wait_editor(page, n)
    rb = ed.locator("#tl-ruler").bounding_box()
    page.mouse.click(rb["x"] + pps * 2.0, rb["y"] + rb["height"] / 2)
    head = ed.locator("#tl-playhead")
    at = float(head.get_attribute("data-time"))
    assert 1.7 <= at <= 2.3, at
    ed.locator("#tl-play").click()
    wait_until("the playhead to move while the mix plays",
               lambda: float(head.get_attribute("data-time")) > at + 0.3, timeout=20)
    shot(page, "timeline-after")
    ed.locator("#tl-play").click()

    # Read back after a reload: the page draws what the database holds.
    page.reload()
    idle(page)
    _wait_editor(page, n)
    assert _editor(page).locator(".tl-shot").first.get_attribute("data-shot-id") == str(shots[1].id)
