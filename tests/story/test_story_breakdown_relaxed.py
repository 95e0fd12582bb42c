"""Hand-typed scripts often put action right under the heading; they still split into scenes."""
from core.story.breakdown import breakdown_script

TIGHT = """INT. KITCHEN - NIGHT
Maya enters with a letter.

MAYA
It came back.

EXT. STREET - DAY
Tom runs.

TOM
Wait!
"""


def test_headings_without_blank_line_after_are_read_when_no_strict_heading_exists():
    b = breakdown_script(text=TIGHT, target_length_s=30)
    assert [s.heading for s in b.scenes] == ["INT. KITCHEN - NIGHT", "EXT. STREET - DAY"]
    assert {c.name for c in b.characters} == {"MAYA", "TOM"}
    assert any("blank line" in n for n in b.notes)


def test_strict_scripts_are_not_relaxed():
    strict = TIGHT.replace("NIGHT\n", "NIGHT\n\n").replace("DAY\n", "DAY\n\n")
    b = breakdown_script(text=strict, target_length_s=30)
    assert len(b.scenes) == 2 and not any("blank line" in n for n in b.notes)


def test_lowercase_prose_line_starting_with_int_is_not_a_heading():
    b = breakdown_script(text="Interior decorators came.\nInt the end it rained.\n\nMAYA\nHi.\n", target_length_s=15)
    assert all(not s.from_heading for s in b.scenes)


def test_action_keeps_later_sentences_and_offscreen_voices_are_not_in_frame():
    script = ("EXT. CLIFF - DAWN\n\nWind howls. TOM holds up a bottle with a letter inside.\n\n"
              "MAYA\nWhat is it?\n\nTOM (O.S.)\nUp here!\n")
    b = breakdown_script(text=script, target_length_s=20)
    shots = b.scenes[0].shots
    assert "bottle" in shots[0].action
    spoken = [s for s in shots if any(d.character == "TOM" for d in s.dialogue)]
    assert spoken and all("TOM" not in s.characters or "bottle" in s.action for s in spoken)
