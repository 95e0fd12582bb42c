"""Takes on the timeline: a line's take (or its conversion) replaces the line's voice row, with the
provider's word timings or ones derived from the line text; undo brings back the TTS version."""
import pytest

from core.breakdowns import list_shots
from core.errors import InvalidInput
from core.recording import delete_take, list_takes, list_versions_of, save_take
from core.recording.line_takes import (
    convert_for_line, derived_words, line_voice, place_on_line, remove_from_line, speech_span, use_tts_version,
)
from core.timeline.store import list_items, project_timeline


def _line(project_id):
    """(shot id, line index, text) of TOM's line."""
    for shot in list_shots(project_id=project_id):
        for i, d in enumerate(shot.dialogue or []):
            if d["character"] == "TOM":
                return shot.id, i, d["text"]
    raise AssertionError("no TOM line")


def _tts_row(project_id, sig, shot_id, i, text):
    """A voice-over row as ``core.generation.voiceover.generate_voiceover`` stores it (synthetic speech: fast)."""
    from core.media_assets import create_asset
    from core.timeline.store import add_item

    words = [{"word": w, "start_s": n * 0.25, "end_s": n * 0.25 + 0.2} for n, w in enumerate(text.split())]
    asset = create_asset(type="voice", project_id=project_id, data=sig.wav_bytes(sig.speechlike(1.3, f0=180)),
                         mime="audio/wav", provider="local", model="tts", operation="tts", shot_id=shot_id,
                         duration_s=1.3, extra={"words": words})
    return add_item(project_id=project_id, track="voice", media_id=asset.media_id, shot_id=shot_id, text=text,
                    duration_s=1.3, gain_db=-2.0,
                    extra={"line": i, "character": "TOM", "words": words, "voice_id": "local-x"})


def _padded(sig, seconds, lead=0.3, tail=0.4):
    import numpy as np

    return np.concatenate([np.zeros(int(lead * 48000)), sig.speechlike(seconds), np.zeros(int(tail * 48000))])


def test_derived_words_keep_the_text_and_fill_the_span_in_order():
    words = derived_words(text="Up here! Bring the light.", start_s=0.3, end_s=1.8)
    assert [w["word"] for w in words] == ["Up", "here!", "Bring", "the", "light."]
    assert words[0]["start_s"] == pytest.approx(0.3) and words[-1]["end_s"] == pytest.approx(1.8)
    assert all(a["end_s"] <= b["start_s"] for a, b in zip(words, words[1:]))
    assert words[2]["start_s"] - words[1]["end_s"] > words[3]["start_s"] - words[2]["end_s"], "pause after '!'"
    assert words[2]["end_s"] - words[2]["start_s"] > words[3]["end_s"] - words[3]["start_s"], "longer word, longer"
    with pytest.raises(InvalidInput):
        derived_words(text="  ", start_s=0, end_s=1)


def test_speech_span_skips_leading_and_trailing_silence(sig):
    start, end = speech_span(samples=_padded(sig, 1.0), sample_rate=48000)
    assert start == pytest.approx(0.3, abs=0.03) and end == pytest.approx(1.3, abs=0.03)


def test_placing_a_take_replaces_the_tts_row_and_undo_restores_it(edit_project, sig):
    p = edit_project
    shot_id, i, text = _line(p.id)
    tts_row = _tts_row(p.id, sig, shot_id, i, text)
    take = save_take(project_id=p.id, audio=_padded(sig, 1.2), sample_rate=48000, character_id="tom",
                     shot_id=shot_id, line_index=i, label="mine")
    row = place_on_line(project_id=p.id, media_id=take.media_id)
    rows = [r for r in list_items(project_id=p.id, track="voice") if r.shot_id == shot_id and r.extra["line"] == i]
    assert [r.media_id for r in rows] == [take.media_id], "one voice row for the line, now the take"
    assert row.text == text and row.extra["source"] == "take" and row.extra["word_timing"] == "derived"
    assert [w["word"] for w in row.extra["words"]] == text.split()
    assert row.extra["words"][0]["start_s"] == pytest.approx(0.3, abs=0.05)
    assert row.extra["tts"]["media_id"] == tts_row.media_id
    assert row.gain_db == -2.0, "the line's level is kept"

    with pytest.raises(InvalidInput) as err:
        delete_take(media_id=take.media_id)
    assert "on the timeline" in err.value.message and list_takes(project_id=p.id)

    back = use_tts_version(project_id=p.id, shot_id=shot_id, line_index=i)
    assert back.media_id == tts_row.media_id and back.extra == tts_row.extra and back.gain_db == -2.0
    assert line_voice(project_id=p.id, shot_id=shot_id, line_index=i).source == "tts"
    delete_take(media_id=take.media_id)  # no longer used: deleting is allowed


def test_convert_for_line_places_the_conversion_with_subtitles_from_the_line(edit_project, sig):
    p = edit_project
    shot_id, i, text = _line(p.id)
    take = save_take(project_id=p.id, audio=_padded(sig, 1.0), sample_rate=48000, shot_id=shot_id, line_index=i)
    voice, row = convert_for_line(project_id=p.id, media_id=take.media_id)  # character from the line
    assert voice.parent_id == take.media_id and voice.character_id == "tom"
    assert [v.media_id for v in list_versions_of(media_id=take.media_id)] == [voice.media_id]
    assert row.media_id == voice.media_id and row.extra["source"] == "conversion"
    assert row.extra["take_id"] == take.media_id and "tts" not in row.extra
    tl = project_timeline(project_id=p.id).timeline
    assert [c.text.replace("\n", " ") for c in tl.cues] == [text]
    [item] = tl.audio("voice")
    assert item.path.endswith(voice.file_path.rsplit("/", 1)[-1])
    assert remove_from_line(project_id=p.id, shot_id=shot_id, line_index=i) == 1
    assert list_items(project_id=p.id, track="voice") == []
    assert [t.media_id for t in list_takes(project_id=p.id)] == [take.media_id], "the take is kept"


def test_provider_word_timings_are_kept(edit_project, sig):
    from core.media_assets import update_asset

    p = edit_project
    shot_id, i, text = _line(p.id)
    take = save_take(project_id=p.id, audio=sig.speechlike(1.0), sample_rate=48000, shot_id=shot_id, line_index=i)
    given = [{"word": w, "start_s": n * 0.2, "end_s": n * 0.2 + 0.15} for n, w in enumerate(text.split())]
    update_asset(media_id=take.media_id, extra={**take.extra, "words": given})
    row = place_on_line(project_id=p.id, media_id=take.media_id)
    assert row.extra["words"] == given and row.extra["word_timing"] == "provider"


def test_refusals_name_the_problem(edit_project, sig):
    p = edit_project
    loose = save_take(project_id=p.id, audio=sig.speechlike(0.5), sample_rate=48000, character_id="maya")
    with pytest.raises(InvalidInput) as err:
        place_on_line(project_id=p.id, media_id=loose.media_id)
    assert err.value.field == "media_id" and "no dialogue line" in err.value.message
    with pytest.raises(InvalidInput) as err:
        convert_for_line(project_id=p.id, media_id=loose.media_id)
    assert err.value.field == "media_id"
    shot_id, i, _ = _line(p.id)
    with pytest.raises(InvalidInput) as err:
        place_on_line(project_id=p.id, media_id=loose.media_id, shot_id=shot_id, line_index=9)
    assert err.value.field == "line_index"
    with pytest.raises(InvalidInput) as err:
        use_tts_version(project_id=p.id, shot_id=shot_id, line_index=i)
    assert "no text-to-voice version" in err.value.message
