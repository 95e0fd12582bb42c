"""Word timings carry the punctuation written around each word, so subtitles read like the script."""
from core.local.tts import _display_tokens, synthesize


def test_display_tokens_keep_punctuation():
    assert _display_tokens("Up here! Bring the light.") == ["Up", "here!", "Bring", "the", "light."]
    assert _display_tokens("“Wait,” she said—now?") == ["“Wait,”", "she", "said—", "now?"]


def test_spoken_words_keep_punctuation():
    res = synthesize(text="Up here! Bring the light.", voice="local-joe")
    assert [w.word for w in res.words] == ["Up", "here!", "Bring", "the", "light."]
