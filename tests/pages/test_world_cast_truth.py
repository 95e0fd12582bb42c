"""World & Cast shows what is stored: actions that change a character (voices for everyone, style
cards for everyone) refresh the cards' widgets, so a later Save or Preview never writes the old
value back; confirmations are toasts that outlive the rerun; the art style starts on a preset;
a card keeps its open state when its title changes; model pickers mark providers without keys."""
from core import cast
from core.generation.prompts import ART_STYLES
from core.breakdowns import run_breakdown
from core.projects import create_project, get_project
from core.scripts import save_version

from tests.pages.helpers import app

SCRIPT = """INT. MARKET - NIGHT

JONAH weaves through the stalls. MIRA follows.

JONAH
Keep up.

MIRA
I am keeping up.
"""


def _project():
    p = create_project(name="Night Market", target_length_s=20)
    save_version(project_id=p.id, text=SCRIPT, source="pasted")
    run_breakdown(project_id=p.id)
    return p


def _ok(at):
    assert not at.exception, [e.message for e in at.exception]


def _toasts(at) -> list[str]:
    return [t.value for t in at.toast]


def test_voice_picker_follows_give_every_character_a_voice_and_preview_keeps_it():
    p = _project()
    cast.update_character(project_id=p.id, character_id="jonah", voice_provider="local", voice_id="")
    at = app("world_cast", p.id)
    _ok(at)
    before = at.selectbox(key="voice_jonah").value  # nothing stored: the picker shows the first voice
    at.button(key="assign_voices").click().run()
    _ok(at)
    stored = cast.get_character(project_id=p.id, character_id="jonah").voice_id
    assert stored, "every character got a voice"
    assert at.selectbox(key="voice_jonah").value == stored, "the card shows the voice just assigned"
    assert any("Assigned" in t for t in _toasts(at)), "the confirmation is a toast"
    # Preview saves the picker's value: it must be the stored one, not the stale one from before.
    at.button(key="preview_jonah").click().run()
    _ok(at)
    assert cast.get_character(project_id=p.id, character_id="jonah").voice_id == stored
    assert before is not None


def test_voice_changed_elsewhere_shows_on_the_card():
    p = _project()
    at = app("world_cast", p.id)
    at.button(key="assign_voices").click().run()
    choices = at.selectbox(key="voice_jonah").options
    other = next(v for v in at.selectbox(key="voice_jonah").options if v != at.selectbox(key="voice_jonah").value)
    assert choices
    # Another door (the API, another tab) changes the voice; the next draw shows it.
    ids = [v.voice_id for v in cast.voice_choices(provider="local")]
    new = next(i for i in ids if i != cast.get_character(project_id=p.id, character_id="jonah").voice_id)
    cast.update_character(project_id=p.id, character_id="jonah", voice_id=new)
    at.run()
    _ok(at)
    assert at.selectbox(key="voice_jonah").value == new
    assert other


def test_written_style_cards_show_at_once_and_save_card_keeps_them():
    p = _project()
    at = app("world_cast", p.id)
    assert at.text_area(key="card_jonah").value == ""
    at.button(key="write_cards").click().run()
    _ok(at)
    written = cast.get_character(project_id=p.id, character_id="jonah").style_card
    assert written, "the writer filled the card"
    assert at.text_area(key="card_jonah").value == written, "the box shows the new card without a reload"
    at.text_input(key="tokens_jonah").input("red scarf").run()
    at.button(key="save_card_jonah").click().run()
    _ok(at)
    jonah = cast.get_character(project_id=p.id, character_id="jonah")
    assert jonah.style_card == written, "Save card did not wipe the written card"
    assert jonah.style_tokens == "red scarf"
    assert any("Saved" in t for t in _toasts(at))


def test_an_unsaved_edit_survives_other_clicks():
    p = _project()
    at = app("world_cast", p.id)
    at.text_area(key="card_mira").input("tall, green coat").run()
    at.button(key="assign_voices").click().run()  # changes Mira's voice, not her card
    _ok(at)
    assert at.text_area(key="card_mira").value == "tall, green coat"


def test_art_style_starts_on_a_preset_and_world_saved_is_a_toast():
    p = _project()
    assert get_project(project_id=p.id).art_style == ""
    at = app("world_cast", p.id)
    assert at.selectbox(key="art_style").value == list(ART_STYLES)[0]
    assert at.text_input(key="art_style_free").disabled
    at.button(key="save_world").click().run()
    _ok(at)
    assert get_project(project_id=p.id).art_style == list(ART_STYLES)[0]
    assert "World saved." in _toasts(at)


def test_card_keeps_its_state_when_its_title_changes():
    p = _project()
    at = app("world_cast", p.id)
    box = next(e for e in at.expander if "JONAH" in e.label.upper())
    assert "not set" in box.label or "voice" in box.label
    at.button(key="assign_voices").click().run()
    _ok(at)
    labels = [e.label for e in at.expander]
    assert any("JONAH" in lbl.upper() and "not set" not in lbl for lbl in labels)
    jonah = cast.get_character(project_id=p.id, character_id="jonah").voice_id
    assert any("JONAH" in lbl.upper() and cast.voice_label(voice_id=jonah) in lbl and jonah not in lbl
               for lbl in labels), "the card names the voice as the picker does, not by its id"
    # The expander is keyed: its identity does not depend on the title that just changed.
    assert any(getattr(e, "key", None) == "card_box_jonah" or "card_box_jonah" in str(e.proto.id)
               for e in at.expander)


def test_model_pickers_mark_providers_without_keys(monkeypatch):
    for var in ("GOOGLE_API_KEY", "REPLICATE_API_TOKEN", "GOOGLE_CLOUD_PROJECT"):
        monkeypatch.delenv(var, raising=False)
    p = _project()
    at = app("world_cast", p.id)
    picker = at.selectbox(key="world_video")
    labels = [picker.format_func(o) if hasattr(picker, "format_func") else o for o in picker.options]
    text = "\n".join(str(x) for x in labels)
    assert "needs REPLICATE_API_TOKEN" in text, text
    assert not str(labels[0]).startswith("🔒"), "the default is a configured provider"
