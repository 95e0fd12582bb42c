"""Subtitle cues: reading-speed limits, SRT/VTT round trip, burn-in drawing."""
import numpy as np
import pytest

from core.errors import InvalidInput
from core.timeline.cues import SpokenLine, burn_cue, cue_overlay, cues_from_words, parse_subtitles, to_srt, to_vtt, wrap_text


def _words(text, start=0.0, per_word=0.18):
    out, t = [], start
    for w in text.split():
        out.append((w, round(t, 3), round(t + per_word, 3)))
        t += per_word + 0.02
    return out


LONG = ("The lighthouse keeper counted the ships every night, but tonight one of them had no lights at all, "
        "and it was heading straight for the rocks below the cliff where nobody would hear it break.")


def test_cues_respect_reading_limits():
    lines = [SpokenLine(speaker="ANNA", offset_s=1.0, words=_words(LONG)),
             SpokenLine(speaker="BEN", offset_s=12.0, words=_words("Ok."))]
    cues = cues_from_words(lines=lines, film_end_s=20.0)
    assert len(cues) >= 4
    joined = " ".join(c.text.replace("\n", " ") for c in cues if c.speaker == "ANNA")
    assert joined == LONG  # no word lost or duplicated
    for a, b in zip(cues, cues[1:]):
        assert a.end_s <= b.start_s + 1e-9
    for c in cues:
        rows = c.text.split("\n")
        assert len(rows) <= 2 and all(len(r) <= 42 for r in rows)
        assert c.end_s - c.start_s >= 1.0 - 1e-9 or c is cues[-1]
        assert c.end_s <= 20.0
    short = cues[-1]
    assert short.text == "Ok." and short.end_s - short.start_s >= 1.0
    # Reading speed: cues followed by a gap get time to be read at ≈17 chars/s.
    assert max(len(c.text) / (c.end_s - c.start_s) for c in cues) < 30


def test_wrap_is_balanced():
    rows = wrap_text(text="I was at the harbour, watching the ships come in.")
    assert len(rows) == 2 and abs(len(rows[0]) - len(rows[1])) < 12
    assert wrap_text(text="Short line.") == ["Short line."]


def test_srt_and_vtt_round_trip():
    cues = cues_from_words(lines=[SpokenLine(speaker="ANNA", offset_s=61.5, words=_words(LONG))])
    for text in (to_srt(cues), to_vtt(cues)):
        back = parse_subtitles(text)
        assert [c.text for c in back] == [c.text for c in cues]
        assert [c.start_s for c in back] == pytest.approx([c.start_s for c in cues], abs=0.001)
        assert [c.end_s for c in back] == pytest.approx([c.end_s for c in cues], abs=0.001)
    assert to_srt(cues).startswith("1\n00:01:01,500 --> ")
    assert to_vtt(cues).startswith("WEBVTT") and "<v ANNA>" in to_vtt(cues)
    assert parse_subtitles(to_vtt(cues))[0].speaker == "ANNA"
    with pytest.raises(InvalidInput):
        parse_subtitles("1\n00:00:01 --> soon\nhello\n")


@pytest.mark.parametrize("size", [(320, 180), (180, 320), (1280, 720), (720, 1280)])
def test_burned_cue_fits_and_sits_low(size):
    w, h = size
    text = "I was at the harbour, watching the\nships come in over the dark water."
    rgba, x, y = cue_overlay(text, w, h)
    assert x >= 0 and x + rgba.shape[1] <= w and y + rgba.shape[0] <= h
    assert y > h // 2
    frame = np.full((h, w, 3), 128, np.uint8)
    out = burn_cue(frame=frame.copy(), text=text)
    changed = np.argwhere((out != 128).any(axis=2))
    assert changed.size and changed[:, 0].min() > h // 2
    assert (out == 255).all(axis=2).sum() > 50  # white text pixels present
