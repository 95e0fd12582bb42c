"""With GOOGLE_API_KEY the Breakdown step can use Gemini's structured breakdown — a text capability run
as a job, through the emulator with the real SDK; without the key the mode is not offered."""
from core.breakdowns import breakdown_modes, list_scene_cards, run_breakdown
from core.projects import create_project
from core.scripts import save_version


def test_gemini_mode_only_with_a_key_and_stores_its_scenes(serve_google):
    assert breakdown_modes() == ["auto", "fountain", "prose"]  # no remote text model set up
    p = create_project(name="Gemini", target_length_s=30)
    save_version(project_id=p.id, text="INT. KITCHEN - NIGHT\n\nMaya pours tea.\n\nMAYA\nIt came back.\n")
    with serve_google(job_seconds=0.1, api_key=True) as state:
        remote = [m for m in breakdown_modes() if m.startswith("google/")]
        assert remote, breakdown_modes()
        cards = run_breakdown(project_id=p.id, mode=remote[0])
        calls = [c for c in state.calls if c["route"] == "generate"]
    assert calls and calls[-1]["body"]["generationConfig"]["responseMimeType"] == "application/json"
    assert cards and cards[0].scene.heading and all(c.shots for c in cards)
    assert [c.scene.id for c in list_scene_cards(project_id=p.id)] == [c.scene.id for c in cards]
