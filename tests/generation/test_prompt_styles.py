"""The prompt builder expands an art-style preset for keyframes and clips as it does for portraits."""
from core.generation.prompts import ART_STYLES, build_keyframe_prompt, build_video_prompt, portrait_prompt
from core.models import Character, Project, Scene, Shot


def _world(style: str):
    project = Project(id=1, name="p", art_style=style)
    scene = Scene(id=1, project_id=1, order=0, heading="INT. KITCHEN - NIGHT", location="KITCHEN", int_ext="INT",
                  time_of_day="NIGHT")
    shot = Shot(id=1, project_id=1, scene_id=1, order=0, shot_type="wide", action="Maya pours tea.",
                characters=["MAYA"])
    maya = Character(project_id=1, character_id="maya", name="MAYA", description="red coat")
    return project, scene, shot, maya


def test_preset_words_reach_keyframe_clip_and_portrait_prompts():
    project, scene, shot, maya = _world("Anime")
    words = ART_STYLES["Anime"]
    key = build_keyframe_prompt(project=project, scene=scene, shot=shot, cast=[maya]).prompt
    clip = build_video_prompt(project=project, scene=scene, shot=shot, cast=[maya]).prompt
    portrait = portrait_prompt(project=project, character=maya)
    for prompt in (key, clip, portrait):
        assert prompt.startswith(f"{words} style."), prompt


def test_free_text_style_is_used_as_written():
    project, scene, shot, maya = _world("charcoal sketch")
    assert build_keyframe_prompt(project=project, scene=scene, shot=shot, cast=[maya]).prompt.startswith(
        "charcoal sketch style.")


def test_a_description_taken_from_the_action_is_not_said_twice():
    project, scene, shot, _ = _world("Anime")
    shot.action = "MAYA waits by door 1."
    # The breakdown describes a character by the sentences that name them; here that is the action itself.
    maya = Character(project_id=1, character_id="maya", name="MAYA",
                     description="MAYA waits by door 1.; MAYA (30s), a tired nurse in scrubs.")
    prompt = build_keyframe_prompt(project=project, scene=scene, shot=shot, cast=[maya]).prompt
    assert prompt.count("waits by door 1") == 1, prompt
    assert "MAYA: (30s), a tired nurse in scrubs" in prompt, prompt
    # A description the action does not repeat is kept whole.
    other = build_keyframe_prompt(project=project, scene=scene, shot=shot,
                                  cast=[Character(project_id=1, character_id="m", name="MAYA", description="red coat")]).prompt
    assert "MAYA: red coat" in other, other
