"""Word timings carry the punctuation written around each word, so subtitles read like the script."""
from core.providers.local.tts import _display_tokens, synthesize


def test_display_tokens_keep_punctuation():
    assert _display_tokens("Up here! Bring the light.") == ["Up", "here!", "Bring", "the", "light."]
    assert _display_tokens("“Wait,” she said—now?") == ["“Wait,”", "she", "said—", "now?"]


def test_spoken_words_keep_punctuation():
    res = synthesize(text="Up here! Bring the light.", voice="local-joe")
    assert [w.word for w in res.words] == ["Up", "here!", "Bring", "the", "light."]


def test_many_commas_in_one_sentence_are_timed():
    # Several comma pauses in a row once compared a pause (a pair) with a time and crashed.
    res = synthesize(text="Scorpio, The Boy Band, Sparrow, Point Blank Sniper, and the rest of them.", voice="local-joe")
    starts = [w.start_s for w in res.words]
    assert len(res.words) == 13 and starts == sorted(starts)
    assert all(w.end_s <= res.duration_s + 1e-6 for w in res.words)
