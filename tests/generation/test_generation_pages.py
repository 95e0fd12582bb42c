"""AppTest drives World & Cast and Storyboard: style cards, voices, a generated portrait kept as
reference, then keyframes and clips for every shot — with the local provider, and per shot
through the google (Veo 3.1) and replicate emulators."""
from __future__ import annotations


from core import cast
from core.breakdowns import list_shots
from core.generation.board import wait_batch
from core.generation.facade import set_shot_model
from core.media_assets import get_asset

from tests.conftest import open_app, settle


def _app(page: str, project_id: int):
    return open_app(page, project_id)


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_world_cast_page_style_voice_and_portrait(project):
    at = _app("world_cast", project.id)
    at.selectbox(key="art_style").select("Watercolor").run()
    at.button(key="save_world").click().run()
    _ok(at)
    from core.projects import get_project

    assert get_project(project_id=project.id).art_style == "Watercolor"
    at.button(key="assign_voices").click().run()
    tom = cast.get_character(project_id=project.id, character_id="tom")
    assert tom.voice_provider == "local" and tom.voice_id.startswith("local-")
    at.text_input(key="tokens_tom").input("green cap").run()
    at.button(key="save_card_tom").click().run()
    assert cast.get_character(project_id=project.id, character_id="tom").style_tokens == "green cap"
    at.button(key="portraits_tom").click().run()  # queued: the candidates show once the workers made them
    _ok(at)
    settle(at, project.id)
    keep = [b for b in at.button if (b.key or "").startswith("keep_tom_")]
    assert len(keep) == 2, "two portrait candidates shown"
    keep[0].click().run()
    _ok(at)
    refs = cast.get_character(project_id=project.id, character_id="tom").reference_images
    assert len(refs) == 1 and get_asset(media_id=refs[0]).character_id == "tom"
    at.button(key="preview_tom").click().run()
    _ok(at)
    settle(at, project.id)
    assert at.get("audio"), "the voice preview plays"


def test_storyboard_local_keyframes_and_clips_for_every_shot(project):
    """(g) Clicks only queue work: the batch button returns while its jobs still run, and the cards
    fill in as the workers finish them (the page is only redrawn, never clicked again)."""
    at = _app("storyboard", project.id)
    shots = list_shots(project_id=project.id)
    first = shots[0].id
    at.button(key=f"gen_kf_{first}").click().run()
    _ok(at)
    settle(at, project.id)
    at.button(key=f"gen_clip_{first}").click().run()
    _ok(at)
    settle(at, project.id)
    # The toggle is offered (local/animate has a start frame) except on the first shot.
    assert at.toggle(key=f"uselast_{first}").disabled
    at.selectbox(key="sb_pick").set_value(shots[1].id).run()  # open the shot's detail panel
    assert not at.toggle(key=f"uselast_{shots[1].id}").disabled
    at.button(key="batch_run").click().run()
    _ok(at)
    assert not all(s.clip_media_id for s in list_shots(project_id=project.id)), "the batch button waited"
    assert wait_batch(project_id=project.id, timeout_s=300), "the batch runs beside the page and ends"
    settle(at, project.id)
    _ok(at)
    assert any("Batch done" in t.value for t in at.toast)
    done = list_shots(project_id=project.id)
    assert all(s.keyframe_media_id and s.clip_media_id and s.status == "clip" for s in done)
    maya_ref = cast.get_character(project_id=project.id, character_id="maya").reference_images[0]
    for s in done:
        kf, clip = get_asset(media_id=s.keyframe_media_id), get_asset(media_id=s.clip_media_id)
        assert clip.start_frame_used == kf.media_id
        assert maya_ref not in (clip.start_frame_used, clip.end_frame_used, kf.start_frame_used)
        assert (maya_ref in kf.reference_images_used) == ("MAYA" in s.characters)
    assert len(at.get("video")) >= 1


def test_storyboard_through_emulators(project, google_emu, replicate_emu):
    shots = list_shots(project_id=project.id)
    a, b = shots[0], shots[1]
    set_shot_model(shot_id=a.id, kind="keyframe", provider="replicate", model="bytedance/seedream-4")
    set_shot_model(shot_id=a.id, kind="clip", provider="google", model="veo-3.1-generate-001")
    set_shot_model(shot_id=b.id, kind="clip", provider="replicate", model="bytedance/seedance-1-lite",
                   params={"duration": 2, "resolution": "480p"})
    at = _app("storyboard", project.id)
    for shot in (a, b):
        at.selectbox(key="sb_pick").set_value(shot.id).run()  # open the shot's detail panel
        at.button(key=f"gen_kf_{shot.id}").click().run()
        _ok(at)
        settle(at, project.id)
        at.button(key=f"gen_clip_{shot.id}").click().run()
        _ok(at)
        settle(at, project.id)
    a2, b2 = (next(s for s in list_shots(project_id=project.id) if s.id == x.id) for x in (a, b))
    assert get_asset(media_id=a2.keyframe_media_id).model == "bytedance/seedream-4"
    veo = get_asset(media_id=a2.clip_media_id)
    assert veo.model == "veo-3.1-generate-001" and veo.start_frame_used == a2.keyframe_media_id
    seed = get_asset(media_id=b2.clip_media_id)
    assert seed.model == "bytedance/seedance-1-lite" and seed.start_frame_used == b2.keyframe_media_id
    assert [c for c in google_emu.calls if c["route"] == "create"][-1]["body"]["instances"][0]["image"]
    assert replicate_emu.calls("create")[-1]["body"]["input"]["image"]
