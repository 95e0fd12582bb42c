"""Version summaries and diffs for the Script page."""
from __future__ import annotations

from core.story.versions import diff_scripts, summarize_script


def test_summary_names_title_scenes_speakers_words(corpus_text):
    s = summarize_script(text=corpus_text("big_fish.fountain"))
    assert s.startswith("Big Fish") and "190 scenes" in s and "48 speaking characters" in s
    p = summarize_script(text=corpus_text("gift_of_the_magi_gutenberg.txt"))
    assert p.startswith("The Gift of the Magi") and "prose" in p and "3 speaking characters" in p
    assert summarize_script(text="INT. A - DAY\n\nBOB\nHi.\n").startswith("INT. A - DAY — 1 scene, 1 speaking character")
    assert summarize_script(text="  ") == "Empty script"


def test_diff_lines():
    lines = diff_scripts(old="INT. A - DAY\r\n\r\nBOB\r\nHi.\r\n", new="INT. A - DAY\n\nBOB\nHello.\n")
    assert "-Hi." in lines and "+Hello." in lines and lines[0].startswith("---")
    assert diff_scripts(old="x\r\n", new="x\n") == []
