"""The Voice Studio page under AppTest: everything except the live WebRTC stream (that is in
tests/e2e) — uploads, refusals, rename, delete, convert, dialogue-line targets, spool recovery."""
import pytest
from streamlit.testing.v1 import AppTest

from core.media_assets import asset_path
from core.recording import SpoolWriter, list_takes, list_versions_of, orphaned_spools, save_take
from tests.conftest import settle



@pytest.fixture
def studio(app_entry):
    """``studio(project_id)`` opens the Voice Studio through the app's navigation (sidebar included)."""

    def open_(project_id=None) -> AppTest:
        at = AppTest.from_file(str(app_entry), default_timeout=60)
        if project_id is not None:
            at.session_state["project_id"] = project_id
        at.run()
        at.switch_page("pages/voice_studio.py").run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return open_


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [i.value for i in at.info] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [e.value for e in at.error] + [s.value for s in at.success]
    return "\n".join(str(p) for p in parts)


def upload(at, name, data, mime="audio/wav"):
    at.file_uploader(key="voice_rec_upload").upload(name, data, mime)
    at.run()
    at.button(key="voice_rec_save_upload").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_where_webrtc_cannot_start_the_page_says_so_and_offers_upload(project, studio):
    at = studio(project.id)  # AppTest has no browser session, so the WebRTC component cannot start
    assert "recorder could not start" in texts(at) and "Upload a recording instead" in texts(at)
    assert at.file_uploader(key="voice_rec_upload") is not None


def test_without_project_points_to_start(studio):
    at = studio()
    assert "Start" in texts(at) and not at.file_uploader


def test_upload_a_wav_take_for_the_chosen_character(project, sig, studio):
    at = studio(project.id)
    assert at.selectbox(key="vs_character").value == "maya"
    at.selectbox(key="vs_character").set_value("tom").run()
    upload(at, "tom-line.wav", sig.wav_bytes(sig.speechlike(1.0)))
    [take] = list_takes(project_id=project.id)
    assert take.character_id == "tom" and take.label == "tom-line" and take.duration_s == pytest.approx(1.0)
    assert "Saved **tom-line**" in texts(at)
    assert any("tom-line" in m.value for m in at.markdown), "the take is listed"


def test_mislabelled_non_audio_upload_is_refused_with_a_clear_message(project, studio):
    at = studio(project.id)
    upload(at, "line.wav", b"\x89PNG\r\n\x1a\n" + bytes(200), mime="audio/wav")
    [err] = at.error
    assert "line.wav is not an audio file" in err.value and "image/png" in err.value and "(field: Audio)" in err.value
    assert list_takes(project_id=project.id) == []


def test_rename_and_delete_from_the_takes_panel(project, sig, studio):
    take = save_take(project_id=project.id, audio=sig.speechlike(0.6), sample_rate=48000, character_id="maya")
    path = asset_path(media_id=take.media_id)
    at = studio(project.id)
    at.text_input(key=f"label_{take.media_id}").set_value("Maya — whisper")
    at.button(key=f"rename_{take.media_id}").click().run()
    assert list_takes(project_id=project.id)[0].label == "Maya — whisper"
    assert any("Maya — whisper" in m.value for m in at.markdown)

    at.text_input(key=f"label_{take.media_id}").set_value("   ")
    at.button(key=f"rename_{take.media_id}").click().run()
    assert "a take needs a name" in texts(at)

    at.button(key=f"delete_{take.media_id}").click().run()
    assert list_takes(project_id=project.id) == [] and not path.exists()
    assert "No takes yet" in texts(at)


def test_convert_a_take_to_the_characters_voice_keeps_the_take(project, sig, studio):
    take = save_take(project_id=project.id, audio=sig.speechlike(1.0, f0=120), sample_rate=48000,
                     character_id="maya")
    at = studio(project.id)
    assert at.selectbox(key=f"voice_for_{take.media_id}").value == "maya"
    at.button(key=f"convert_{take.media_id}").click().run()
    assert not at.exception and not at.error, texts(at)
    assert "Converting" in texts(at)
    settle(at, project.id)
    assert not at.exception and not at.error, texts(at)
    [voice] = list_versions_of(media_id=take.media_id)
    assert voice.type == "voice" and voice.character_id == "maya" and voice.parent_id == take.media_id
    data = asset_path(media_id=voice.media_id).read_bytes()
    assert data[:4] == b"RIFF" and data != asset_path(media_id=take.media_id).read_bytes()
    assert voice.duration_s == pytest.approx(1.0, abs=0.05)
    assert [t.media_id for t in list_takes(project_id=project.id)] == [take.media_id], "the original is kept"
    assert "↳" in texts(at), "the conversion shows under its take"


def test_a_take_for_a_dialogue_line_carries_shot_and_line(project, sig, studio):
    at = studio(project.id)
    at.radio(key="vs_mode").set_value("A dialogue line").run()
    line = at.selectbox(key="vs_line")
    labels = list(line.options)  # the shown labels
    assert any("TOM: Up here!" in lbl for lbl in labels), labels
    line.select_index(next(i for i, lbl in enumerate(labels) if "TOM" in lbl)).run()
    upload(at, "tom.wav", sig.wav_bytes(sig.speechlike(0.8)))
    [take] = list_takes(project_id=project.id)
    assert take.shot_id is not None and take.extra["line_index"] is not None and take.character_id == "tom"


def test_page_offers_an_orphaned_spool_and_recovers_it(project, sig, studio):
    kept = save_take(project_id=project.id, audio=sig.speechlike(0.5), sample_rate=48000, character_id="maya")
    with SpoolWriter(project_id=project.id, owner="reloaded-page", key="voice_rec", sample_rate=48000,
                     character_id="maya") as w:
        w.append(sig.speechlike(1.2), 48000)
    at = studio(project.id)
    assert "unfinished recording of **1.2 s**" in texts(at)
    at.button(key=f"recover_{w.path.stem}").click().run()
    assert not at.exception
    takes = list_takes(project_id=project.id)
    assert len(takes) == 2 and kept.media_id in {t.media_id for t in takes}
    assert orphaned_spools(project_id=project.id, current_owner="x") == []
    assert "unfinished recording" not in texts(at)


def test_page_discards_an_orphaned_spool(project, sig, studio):
    with SpoolWriter(project_id=project.id, owner="reloaded-page", key="voice_rec", sample_rate=48000) as w:
        w.append(sig.speechlike(0.9), 48000)
    at = studio(project.id)
    at.button(key=f"discard_{w.path.stem}").click().run()
    assert not w.path.exists() and list_takes(project_id=project.id) == []
    assert "unfinished recording" not in texts(at)


def test_bad_ice_server_setting_is_shown_not_raised(project, monkeypatch, studio):
    from core.settings import get_settings

    monkeypatch.setenv("STORYREEL_ICE_SERVERS", "stun:not-json")
    get_settings.cache_clear()
    at = studio(project.id)
    assert "STORYREEL_ICE_SERVERS" in texts(at)
    assert at.file_uploader, "the upload path stays available"
