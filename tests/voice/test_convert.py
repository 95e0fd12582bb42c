"""Converting takes: route choice (ElevenLabs only with a key and an ElevenLabs voice), the result
linked to its take, the take kept, and clear errors."""
import numpy as np
import pytest
import soundfile as sf

from core.errors import InvalidInput, NotFound
from core.media_assets import asset_path
from core.models import Character
from core.recording import convert_take, list_takes, list_versions_of, save_take
from core.recording.convert import conversion_route
from core.settings import get_settings


def test_route_is_local_without_a_key_or_without_an_elevenlabs_voice(monkeypatch):
    maya = Character(project_id=1, character_id="maya", name="Maya", voice_provider="elevenlabs", voice_id="EXAVITQu")
    assert conversion_route(character=maya) == ("local", "v2v")
    monkeypatch.setenv("ELEVENLABS_API_KEY", "test-key")
    get_settings.cache_clear()
    assert conversion_route(character=maya) == ("elevenlabs", "eleven_multilingual_sts_v2")
    local_voice = Character(project_id=1, character_id="tom", name="Tom", voice_provider="local", voice_id="")
    assert conversion_route(character=local_voice) == ("local", "v2v")


def test_convert_links_result_to_take_and_keeps_length(project, sig):
    take = save_take(project_id=project.id, audio=sig.speechlike(1.2, f0=110), sample_rate=48000,
                     character_id="tom", shot_id=None, line_index=None, label="low")
    voice = convert_take(project_id=project.id, media_id=take.media_id)
    assert voice.parent_id == take.media_id and voice.character_id == "tom" and voice.type == "voice"
    assert voice.extra["from_take"] == take.media_id and "local" in voice.extra["route"]
    data, sr = sf.read(str(asset_path(media_id=voice.media_id)))
    assert len(data) / sr == pytest.approx(1.2, abs=0.05) and sig.rms_dbfs(data) > -35
    original, _ = sf.read(str(asset_path(media_id=take.media_id)))
    assert not np.array_equal(original[: len(data)], data[: len(original)]), "the voice changed"
    assert [v.media_id for v in list_versions_of(media_id=take.media_id)] == [voice.media_id]
    assert [t.media_id for t in list_takes(project_id=project.id)] == [take.media_id]


def test_convert_needs_a_character(project, sig):
    take = save_take(project_id=project.id, audio=sig.speechlike(0.5), sample_rate=48000)
    with pytest.raises(InvalidInput) as err:
        convert_take(project_id=project.id, media_id=take.media_id)
    assert err.value.field == "character_id"
    with pytest.raises(NotFound) as err:
        convert_take(project_id=project.id, media_id=take.media_id, character_id="nobody")
    assert err.value.field == "character_id"
