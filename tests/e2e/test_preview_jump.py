"""Preview's "play from this shot" in real Chromium: the player's video element lands on the shot's
first frame (within one frame), not on a whole second and not on the shot before."""
from __future__ import annotations

import io

from PIL import Image

from tests.e2e.test_storyboard_board import _project
from tests.e2e.test_voice_recording import idle, nav, open_project, wait_until

SCRIPT = "\n".join(f"INT. STALL {i} - NIGHT\n\nJONAH counts coins at stall {i}.\n" for i in range(1, 4))
DURATIONS = [1.3, 1.7, 2.2]  # shot starts at 1.3 s and 3.0 s: neither a whole second nor a rounding of one

PLAYER = """() => { const f = [...document.querySelectorAll('iframe')].find(f => (f.src || '').includes('storyreel_player'));
                    const v = f && f.contentDocument && f.contentDocument.querySelector('video');
                    return v ? {time: v.currentTime, seeked: v.dataset.seekedTo ? Number(v.dataset.seekedTo) : null,
                                start: Number(v.dataset.start), ready: v.readyState, duration: v.duration} : null; }"""


def test_play_from_a_shot_lands_on_its_first_frame(page, module_app, module_db, shot):
    from core.breakdowns import list_shots, shot_labels, update_shot
    from core.media_assets import create_asset
    from core.timeline.store import project_timeline

    url, _ = module_app
    p = _project("Night Market preview", script=SCRIPT, target=20)
    shots = list_shots(project_id=p.id)[:3]
    for n, (s, d) in enumerate(zip(shots, DURATIONS)):
        buf = io.BytesIO()
        Image.new("RGB", (320, 180), (60 * n, 90, 160)).save(buf, format="PNG")
        a = create_asset(type="image", project_id=p.id, data=buf.getvalue(), mime="image/png", shot_id=s.id)
        update_shot(shot_id=s.id, keyframe_media_id=a.media_id, status="keyframe", duration_s=d)
    tl = project_timeline(project_id=p.id).timeline
    starts = {int(v.shot_id): v.start_s for v in tl.video}
    frame = 1 / tl.fps
    open_project(page, url, p.name)
    nav(page, "Preview")
    page.get_by_role("button", name="Render preview").click()
    wait_until("the preview to render and its player to load",
               lambda: (page.evaluate(PLAYER) or {}).get("ready", 0) >= 1, timeout=240)
    idle(page)
    numbers = shot_labels(project_id=p.id)
    for target in (shots[1], shots[2], shots[1]):
        before = page.evaluate(PLAYER)["seeked"]
        page.get_by_role("button", name=f"▶ {numbers[target.id]}", exact=True).click()
        want = starts[target.id]
        state = wait_until(f"the player to jump to {want:.2f} s",
                           lambda: (st := page.evaluate(PLAYER)) and st["seeked"] is not None
                           and st["seeked"] != before and abs(st["start"] - want) < 1e-3 and st, timeout=60)
        assert abs(state["seeked"] - want) <= frame, f"landed at {state['seeked']:.3f} s, the shot starts at {want:.3f} s"
        now = page.evaluate(PLAYER)["time"]
        print(f"jump to {want:.3f} s: seeked to {state['seeked']:.4f} s, playhead {now:.3f} s")
        assert now >= want - frame, f"the playhead ({now:.3f} s) is not on the shot before ({want:.3f} s)"
    shot(page, "preview-after-jump")
