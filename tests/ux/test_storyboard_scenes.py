"""A long storyboard shows one scene at a time (a scene picker), so the page stays quick to draw."""
from core.breakdowns import list_scene_cards, run_breakdown, update_shot
from core.projects import create_project
from core.scripts import save_version
from tests.ux.helpers import app

SCENES = "\n".join(f"INT. ROOM {i} - DAY\n\nMAYA waits by door {i}.\n\nMAYA\nLine {i}, then another line.\n"
                   for i in range(1, 7))


def test_long_storyboards_show_one_scene_at_a_time():
    p = create_project(name="Long", target_length_s=120)
    save_version(project_id=p.id, text=SCENES)
    run_breakdown(project_id=p.id)
    cards = list_scene_cards(project_id=p.id)
    assert sum(len(c.shots) for c in cards) > 8
    for c in cards:  # the storyboard needs nothing else to show its cards
        for s in c.shots:
            update_shot(shot_id=s.id, duration_s=2.0)
    at = app("storyboard", p.id)
    headings = [h.value for h in at.subheader]
    assert cards[0].scene.heading in headings and cards[1].scene.heading not in headings
    at.selectbox(key="sb_scene").set_value(1).run()
    headings = [h.value for h in at.subheader]
    assert cards[1].scene.heading in headings and cards[0].scene.heading not in headings
    at.selectbox(key="sb_scene").set_value(-1).run()
    assert all(c.scene.heading in [h.value for h in at.subheader] for c in cards)
