"""Recording sections on World & Cast (per character) and Edit (per dialogue line) under AppTest:
the WebRTC component cannot start here, so the upload path is what is driven (the live stream is
covered in tests/e2e)."""
import pytest
from streamlit.testing.v1 import AppTest

from core.breakdowns import list_shots
from core.recording import list_takes, list_versions_of
from core.timeline.store import list_items, project_timeline
from tests.conftest import settle


def open_page(app_entry, page: str, project_id: int) -> AppTest:
    at = AppTest.from_file(str(app_entry), default_timeout=90)
    at.session_state["project_id"] = project_id
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [i.value for i in at.info] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [e.value for e in at.error] + [s.value for s in at.success]
    return "\n".join(str(p) for p in parts)


def ok(at) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def upload(at, key, name, data):
    at.file_uploader(key=f"{key}_upload").upload(name, data, "audio/wav")
    at.run()
    at.button(key=f"{key}_save_upload").click()
    at.run()
    ok(at)


def tom_line(project_id):
    for shot in list_shots(project_id=project_id):
        for i, d in enumerate(shot.dialogue or []):
            if d["character"] == "TOM":
                return shot.id, i, d["text"]
    raise AssertionError("no TOM line")


def test_world_cast_has_a_recorder_per_character_with_the_upload_path(project, sig, app_entry):
    at = open_page(app_entry, "world_cast", project.id)
    assert sum("Record a voice sample" in m.value for m in at.markdown) == 2, "one section per character"
    assert texts(at).count("recorder could not start") == 2 and "Upload a recording instead" in texts(at)
    for cid in ("maya", "tom"):
        assert at.file_uploader(key=f"cast_rec_{cid}_upload") is not None
    upload(at, "cast_rec_tom", "tom-sample.wav", sig.wav_bytes(sig.speechlike(1.0, f0=110)))
    [take] = list_takes(project_id=project.id)
    assert take.character_id == "tom" and take.shot_id is None and take.label == "tom-sample"
    assert at.selectbox(key=f"voice_for_{take.media_id}").value == "tom"
    at.button(key=f"convert_{take.media_id}").click().run()  # queued: the worker links the result
    ok(at)
    assert "Converting **tom-sample** to" in texts(at)
    settle(at, project.id)
    ok(at)
    [voice] = list_versions_of(media_id=take.media_id)
    assert voice.character_id == "tom" and voice.parent_id == take.media_id
    assert list_items(project_id=project.id, track="voice") == [], "a voice sample is not placed anywhere"


def tts_row(project_id, sig, shot_id, i, text):
    """A voice-over row as ``core.generation.voiceover.generate_voiceover`` stores it (synthetic speech: fast)."""
    from core.media_assets import create_asset
    from core.timeline.store import add_item

    words = [{"word": w, "start_s": n * 0.25, "end_s": n * 0.25 + 0.2} for n, w in enumerate(text.split())]
    asset = create_asset(type="voice", project_id=project_id, data=sig.wav_bytes(sig.speechlike(1.3, f0=180)),
                         mime="audio/wav", provider="local", model="tts", operation="tts", shot_id=shot_id,
                         duration_s=1.3, extra={"words": words})
    return add_item(project_id=project_id, track="voice", media_id=asset.media_id, shot_id=shot_id, text=text,
                    duration_s=1.3, extra={"line": i, "character": "TOM", "words": words, "voice_id": "local-x"})


def test_edit_convert_a_lines_take_places_it_at_the_line_and_undo_restores_tts(edit_project, sig, app_entry):
    p = edit_project
    shot_id, i, text = tom_line(p.id)
    tts = tts_row(p.id, sig, shot_id, i, text)
    at = open_page(app_entry, "edit", p.id)
    at.selectbox(key="rec_line").set_value(f"{shot_id}:{i}").run()
    ok(at)
    key = f"line_rec_{shot_id}_{i}"
    assert "recorder could not start" in texts(at) and at.file_uploader(key=f"{key}_upload") is not None
    upload(at, key, "tom-reads.wav", sig.wav_bytes(sig.speechlike(1.4, f0=150)))
    [take] = list_takes(project_id=p.id)
    assert (take.shot_id, take.extra["line_index"], take.character_id) == (shot_id, i, "tom")

    at.button(key=f"convert_{take.media_id}").click().run()  # queued: the worker places the result
    ok(at)
    assert "placed on the timeline at its line as soon as it is ready" in texts(at)
    settle(at, p.id)
    ok(at)
    [voice] = list_versions_of(media_id=take.media_id)
    [row] = list_items(project_id=p.id, track="voice")
    assert row.media_id == voice.media_id and (row.shot_id, row.extra["line"]) == (shot_id, i)
    assert row.extra["word_timing"] == "derived" and [w["word"] for w in row.extra["words"]] == text.split()
    cues = project_timeline(project_id=p.id).timeline.cues
    assert [c.text.replace("\n", " ") for c in cues] == [text]
    assert "the converted take" in texts(at)
    assert [t.media_id for t in list_takes(project_id=p.id)] == [take.media_id], "the take is kept"

    at.button(key=f"use_tts_{shot_id}_{i}").click().run()  # undo: the TTS version again
    ok(at)
    [row] = list_items(project_id=p.id, track="voice")
    assert row.media_id == tts.media_id and row.extra == tts.extra
    assert "the text-to-voice version" in texts(at)
    at.button(key=f"use_version_{voice.media_id}").click().run()  # and back to the conversion
    ok(at)
    assert [r.media_id for r in list_items(project_id=p.id, track="voice")] == [voice.media_id]


def test_edit_take_used_on_the_timeline_cannot_be_deleted(edit_project, sig, app_entry):
    p = edit_project
    shot_id, i, _ = tom_line(p.id)
    at = open_page(app_entry, "edit", p.id)
    at.selectbox(key="rec_line").set_value(f"{shot_id}:{i}").run()
    key = f"line_rec_{shot_id}_{i}"
    upload(at, key, "tom-raw.wav", sig.wav_bytes(sig.speechlike(0.9)))
    [take] = list_takes(project_id=p.id)
    at.button(key=f"use_take_{take.media_id}").click().run()
    ok(at)
    assert [r.media_id for r in list_items(project_id=p.id, track="voice")] == [take.media_id]
    assert "as recorded" in texts(at)
    at.button(key=f"delete_{take.media_id}").click().run()
    assert not at.exception
    [err] = at.error
    assert "This take is on the timeline" in err.value and "(field: Media id)" in err.value
    assert list_takes(project_id=p.id), "the take is still there"
    at.button(key=f"unplace_{shot_id}_{i}").click().run()
    ok(at)
    assert list_items(project_id=p.id, track="voice") == []
    at.button(key=f"delete_{take.media_id}").click().run()
    ok(at)
    assert list_takes(project_id=p.id) == []
