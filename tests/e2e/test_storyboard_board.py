"""The storyboard board in real Chromium: cards fill in while a batch runs (not all at its end),
Cancel batch is live while it runs, counts follow; the whole board of 100 shots draws quickly."""
from __future__ import annotations

import io
import re
import time

import pytest
from PIL import Image

from tests.e2e.conftest import running_app
from tests.e2e.test_voice_recording import idle, nav, open_project, wait_until

# The offline provider paces itself like a paid one here: a keyframe takes this long, so a batch of ten
# spans several of the board's live redraws (at 1.5 s) and "cards fill in while it runs" is observable
# on any machine, however fast (CI once made all ten keyframes within one redraw).
PACE_S = 0.8

SCRIPT = "\n".join(f"INT. STALL {i} - NIGHT\n\nJONAH haggles at stall {i} while the crowd pushes past.\n\n"
                   f"JONAH\nHow much for number {i}?\n" for i in range(1, 6))


@pytest.fixture(scope="module")
def module_app(tmp_path_factory):
    """This module's own app, with the offline provider paced (see PACE_S)."""
    with running_app(tmp_path_factory.mktemp("e2e-board"), env={"STORYREEL_LOCAL_LATENCY_S": str(PACE_S)}) as served:
        yield served


def _project(name: str, *, script: str, target: int = 120):
    from core.breakdowns import run_breakdown
    from core.projects import create_project
    from core.scripts import save_version

    p = create_project(name=name, target_length_s=target)
    save_version(project_id=p.id, text=script, source="pasted")
    run_breakdown(project_id=p.id)
    return p


# The board is one component (an iframe of the app's own origin): its document holds every card.
BOARD_DOC = """(() => { const f = [...document.querySelectorAll('iframe')].find(f => (f.src || '').includes('storyreel_board'));
                       return f && f.contentDocument; })()"""


def _board_state(page) -> dict:
    return page.evaluate("""() => {
        const doc = """ + BOARD_DOC + """;
        const cards = doc ? [...doc.querySelectorAll('.sb-card')] : [];
        const withPic = cards.filter(c => { const i = c.querySelector('img'); return i && i.complete && i.naturalWidth > 0; }).length;
        const cancel = [...document.querySelectorAll('button')].find(b => b.innerText.trim() === 'Cancel batch');
        return {cards: cards.length, pictures: withPic, running: document.body.innerText.includes('Batch running'),
                cancelEnabled: !!cancel && !cancel.disabled};
    }""")


def test_cards_fill_in_live_during_a_batch_and_cancel_is_live(page, module_app, module_db, shot):
    from core.breakdowns import list_shots

    url, _ = module_app
    p = _project("Night Market live", script=SCRIPT)
    total = len(list_shots(project_id=p.id))
    assert total >= 5
    open_project(page, url, p.name)
    nav(page, "Storyboard")
    page.get_by_role("button", name="Run batch").wait_for()
    idle(page)
    assert _board_state(page)["pictures"] == 0
    page.get_by_role("button", name="Run batch").click()
    seen = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        state = _board_state(page)
        seen.append(state)
        if not state["running"] and state["pictures"] == total:
            break
        time.sleep(0.3)
    idle(page)
    main = '[data-testid="stMain"]'
    wait_until("the open shot's detail panel to show what the batch made",
               lambda: "No keyframe yet." not in page.inner_text(main) and "No clip yet." not in page.inner_text(main),
               timeout=30)
    shot(page, "board-after-batch")
    live = [s for s in seen if s["running"] and 0 < s["pictures"] < total]
    assert live, f"cards showed keyframes while the batch still ran: {seen[:5]} … {seen[-3:]}"
    assert any(s["running"] and s["cancelEnabled"] for s in seen), "Cancel batch is enabled while the batch runs"
    assert seen[-1]["pictures"] == total and not seen[-1]["running"]
    done = list_shots(project_id=p.id)
    assert all(s.keyframe_media_id and s.clip_media_id for s in done)
    body = page.inner_text("body")
    assert f"{total}/{total}** keyframes" in body or re.search(rf"{total}/{total}\s*keyframes", body), body[:400]


def test_cancel_while_a_batch_runs_stops_it(page, module_app, module_db, shot):
    from core.breakdowns import list_shots

    url, _ = module_app
    # Other words than the live test's script: identical requests would come from the result cache at once.
    p = _project("Night Market cancel", script=SCRIPT.replace("haggles", "bargains").replace("crowd", "rain"))
    open_project(page, url, p.name)
    nav(page, "Storyboard")
    page.get_by_role("button", name="Run batch").click()
    wait_until("the batch to run", lambda: _board_state(page)["running"], timeout=60)
    page.get_by_role("button", name="Cancel batch").click()
    wait_until("the batch to stop", lambda: not _board_state(page)["running"], timeout=60)
    shot(page, "board-cancelled")
    time.sleep(2)
    shots = list_shots(project_id=p.id)
    assert not all(s.clip_media_id for s in shots), "cancel stopped the batch before every clip was made"


BOARD_BUDGET_S = 8.0  # a regression guard on a shared 2-core machine; the figure (target: 2 s) is bench/board.py's


def test_board_of_100_shots_draws_quickly(page, module_app, module_db, shot):
    from core.breakdowns import list_shots, update_shot
    from core.generation.board import board
    from core.media_assets import create_asset

    url, _ = module_app
    script = "\n".join(f"INT. ROOM {i} - DAY\n\nMAYA waits by door {i}.\n\nMAYA\nLine {i}, then another line.\n"
                       for i in range(1, 51))
    p = _project("Hundred shots", script=script, target=600)
    for n, s in enumerate(list_shots(project_id=p.id)):
        buf = io.BytesIO()
        Image.new("RGB", (1280, 720), (n * 7 % 255, 90, 160)).save(buf, format="PNG")
        a = create_asset(type="image", project_id=p.id, data=buf.getvalue(), mime="image/png", shot_id=s.id)
        update_shot(shot_id=s.id, keyframe_media_id=a.media_id, status="keyframe")
    assert board(project_id=p.id)[1].shots == 100  # thumbnails made as keyframes land (here: now)
    open_project(page, url, p.name)
    timings = []
    for _ in range(2):  # the second visit is the steady state
        nav(page, "Start")
        idle(page)
        started = time.perf_counter()
        nav(page, "Storyboard")
        page.wait_for_function("() => { const d = " + BOARD_DOC + "; return !!d && [...d.querySelectorAll('button')]"
                               ".filter(b => /^Open/.test(b.innerText.trim())).length === 100; }", timeout=60_000)
        cards_at = time.perf_counter() - started
        page.wait_for_function("() => { const d = " + BOARD_DOC + "; return [...d.querySelectorAll('img')]"
                               ".filter(i => i.complete && i.naturalWidth > 0 && i.naturalWidth <= 320).length >= 100; }",
                               timeout=60_000)
        timings.append(time.perf_counter() - started)
        print(f"cards drawn after {cards_at:.2f} s, pictures after {timings[-1]:.2f} s")
    shot(page, "board-100-shots")
    # A click on a card opens that shot in the detail panel (and marks its card).
    board = page.frame_locator('iframe[src*="storyreel_board"]')
    board.get_by_role("button", name="Open shot 50.2").click()
    page.get_by_role("heading", name="Shot 50.2").wait_for(timeout=60_000)
    board.get_by_role("button", name="Open shot 50.2").filter(has_text="Open ✓").wait_for(timeout=60_000)
    assert board.locator(".sb-card.selected").count() == 1
    print(f"board of 100 shots drawn in Chromium: {', '.join(f'{t:.2f} s' for t in timings)}")
    if min(timings) >= BOARD_BUDGET_S:
        pytest.fail(f"the 100-shot board took {min(timings):.2f} s to draw")
