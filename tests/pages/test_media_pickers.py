"""Media pickers list only media of the field's kind, named by shot or character, newest first,
one entry per distinct file, with thumbnails; uploads join the library; Media Lab speaks in field
titles and shows validated settings without raw JSON."""
import io
import time

from PIL import Image

from core.breakdowns import list_shots, run_breakdown, update_shot
from core.generation.library import field_kind, media_options, upload_media
from core.media_assets import create_asset
from core.projects import create_project
from core.scripts import save_version

from tests.pages.helpers import app

SCRIPT = """INT. LIGHTHOUSE - NIGHT

MAYA climbs the spiral stairs with a lantern.

MAYA
Someone has been here.

EXT. CLIFF - DAWN

Waves crash. TOM holds up a bottle.
"""


def _png(colour) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (640, 360), colour).save(buf, format="PNG")
    return buf.getvalue()


def _wav() -> bytes:
    import numpy as np
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, np.zeros(2400, dtype=np.float32), 24000, format="WAV")
    return buf.getvalue()


def _project():
    p = create_project(name="Pickers", target_length_s=20)
    save_version(project_id=p.id, text=SCRIPT, source="pasted")
    run_breakdown(project_id=p.id)
    for n, shot in enumerate(list_shots(project_id=p.id)):
        a = create_asset(type="image", project_id=p.id, data=_png((90 * n, 80, 160)), mime="image/png", shot_id=shot.id)
        update_shot(shot_id=shot.id, keyframe_media_id=a.media_id)
        time.sleep(0.01)
    # the same picture stored again (a cache hit, a re-import): listed once
    create_asset(type="image", project_id=p.id, data=_png((0, 80, 160)), mime="image/png",
                 shot_id=list_shots(project_id=p.id)[0].id)
    create_asset(type="voice", project_id=p.id, data=_wav(), mime="audio/wav", character_id="maya", label="MAYA take")
    create_asset(type="render", project_id=p.id, data=b"not a picture", mime="video/mp4")
    return p


def test_options_are_of_one_kind_named_newest_first_and_distinct():
    p = _project()
    images = media_options(project_id=p.id, kind="image")
    shots = list_shots(project_id=p.id)
    assert len(images) == len(shots), "one entry per distinct picture; no renders, no sounds"
    assert images[0].label.startswith(f"Shot 2.1") or images[0].label.startswith("Shot 1.1")
    assert all(o.label.startswith("Shot ") for o in images)
    assert all(o.thumb and Image.open(o.thumb).width <= 320 for o in images)
    audio = media_options(project_id=p.id, kind="audio")
    assert [o.label.split(" · ")[0] for o in audio] == ["MAYA"] or audio[0].label.startswith("MAYA")
    new = upload_media(project_id=p.id, kind="image", name="ref.png", data=_png((1, 2, 3)))
    assert media_options(project_id=p.id, kind="image")[0].media_id == new.media_id, "newest first"
    assert field_kind(name="last_frame", role="end_frame") == "image"
    assert field_kind(name="audio", role="audio") == "audio" and field_kind(name="video", role="video") == "video"


def test_media_lab_pickers_list_only_the_fields_kind():
    p = _project()
    at = app("media_lab", p.id)
    at.selectbox(key="lab_media_type").set_value("lipsync").run()
    assert "lipsync-image" in str(at.selectbox(key="lab_model_lipsync_local").value)  # image + audio fields
    assert not at.exception, [e.message for e in at.exception]
    pickers = {s.label: s for s in at.selectbox if s.label.rstrip(" *") in ("Image", "Audio")}
    assert pickers, [s.label for s in at.selectbox]
    for label, picker in pickers.items():
        names = [o for o in picker.options if o != "—"]
        if label.startswith("Image"):
            assert names and all(n.startswith("Shot ") for n in names), names
        else:
            assert names and all(n.startswith("MAYA") for n in names), names


def test_media_lab_validate_shows_titles_not_raw_json():
    p = create_project(name="Lab")
    at = app("media_lab", p.id)
    at.selectbox(key="lab_media_type").set_value("image").run()
    prompt = next(t for t in at.text_area if t.label.startswith("Prompt"))
    prompt.input("a red lighthouse at dawn").run()
    at.button(key="lab_validate").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.get("json"), "validated settings are listed, not dumped as JSON"
    listed = "\n".join(m.value for m in at.markdown)
    assert "**Prompt**" in listed and "_" not in listed.split("**Prompt**")[0][-3:]


def test_error_messages_name_fields_by_their_titles():
    from core.ui.errors import _humane, field_title

    assert field_title("reference_images") == "Reference images"
    assert field_title("last_frame", {"last_frame": "End frame"}) == "End frame"
    assert _humane("`reference_images` cannot be used with `image`",
                   {"reference_images": "Reference images"}) == "Reference images cannot be used with `image`"
