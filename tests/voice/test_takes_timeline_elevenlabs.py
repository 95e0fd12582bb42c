"""A line's take converted through ElevenLabs speech-to-speech (the loopback emulator): the request
carries the character's voice_id and the recorded audio, and the MP3 it answers is placed at the
line with word timings derived from the text."""
import pytest

from core import cast
from core.breakdowns import list_shots
from core.media_assets import asset_path
from core.recording import save_take
from core.settings import get_settings
from core.recording.line_takes import convert_for_line
from core.timeline.store import list_items, project_timeline
from tests.emulators.server import serve

KEY = "sk_TESTKEY_eleven_voice_0123456789"


@pytest.fixture
def eleven(monkeypatch):
    from tests.emulators.elevenlabs import make_app

    emu = make_app(api_key=KEY)
    with serve(emu.app) as url:
        monkeypatch.setenv("ELEVENLABS_API_KEY", KEY)
        monkeypatch.setenv("ELEVENLABS_BASE_URL", url)
        get_settings.cache_clear()
        yield emu
    get_settings.cache_clear()


def test_line_take_through_elevenlabs_sts_lands_on_the_line(edit_project, sig, eleven):
    p = edit_project
    [(shot_id, i, text)] = [(s.id, n, d["text"]) for s in list_shots(project_id=p.id)
                            for n, d in enumerate(s.dialogue or []) if d["character"] == "TOM"]
    cast.update_character(project_id=p.id, character_id="tom", voice_provider="elevenlabs", voice_id="voice05")
    take = save_take(project_id=p.id, audio=sig.speechlike(1.1), sample_rate=48000, character_id="tom",
                     shot_id=shot_id, line_index=i)
    voice, row = convert_for_line(project_id=p.id, media_id=take.media_id)
    (call,) = eleven.calls("v2v")
    assert call["path"].endswith("/voice05"), "the character's voice is the target"
    assert call["body"]["audio"]["data"] == asset_path(media_id=take.media_id).read_bytes()
    assert voice.provider == "elevenlabs" and voice.parent_id == take.media_id
    assert [r.media_id for r in list_items(project_id=p.id, track="voice")] == [voice.media_id]
    assert row.extra["word_timing"] == "derived" and [w["word"] for w in row.extra["words"]] == text.split()
    assert [c.text.replace("\n", " ") for c in project_timeline(project_id=p.id).timeline.cues] == [text]
