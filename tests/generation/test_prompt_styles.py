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
