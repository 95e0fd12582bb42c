"""Fountain syntax details the parser must honour."""
from __future__ import annotations

from core.story.fountain import normalise_cue, parse_fountain, remove_boneyard, remove_notes


def kinds(text):
    return [(e.kind, e.text) for e in parse_fountain(text).elements]


def test_cue_normalisation():
    assert normalise_cue("EDWARD (V.O.)(CONT'D)") == "EDWARD"
    assert normalise_cue("@McCABE") == "McCABE"
    assert normalise_cue("BRICK ^") == "BRICK"
    assert normalise_cue("EVE (cont'd)") == "EVE"


def test_nested_boneyard_and_multiline_notes_are_removed():
    assert remove_boneyard("a /* x /* y */ z */b") == "a b"
    assert remove_boneyard("keep /* never closed") == "keep /* never closed"
    assert remove_notes("A[[ inline]]. B\n[[whole\n\nnote]]\nC") == "A. B\nC"


def test_elements_of_a_small_script():
    text = ("Title: Test\nAuthor: Me\n\n# Act One\n\n= a synopsis\n\n.FORCED\n\n!INT. NOT A HEADING\n\n"
            "EXT. ROAD #12#\n\n> CENTER <\n\nBOB\n(softly)\nHi.\n~la la\n\nCUT TO:\n\n> FADE OUT\n\n===\n\n"
            "..not a heading\n")
    sp = parse_fountain(text)
    assert sp.title == "Test"
    got = [(e.kind, e.text) for e in sp.elements]
    assert got == [("section", "Act One"), ("synopsis", "a synopsis"), ("scene_heading", "FORCED"),
                   ("action", "INT. NOT A HEADING"), ("scene_heading", "EXT. ROAD"), ("centered", "CENTER"),
                   ("character", "BOB"), ("parenthetical", "(softly)"), ("dialogue", "Hi."), ("lyric", "la la"),
                   ("transition", "CUT TO:"), ("transition", "FADE OUT"), ("page_break", ""),
                   ("action", "..not a heading")]
    assert [e.scene_number for e in sp.elements if e.kind == "scene_heading"] == [None, "12"]


def test_heading_needs_blank_lines_and_all_caps_action_is_not_a_cue():
    got = kinds("INT. HOUSE - DAY\nEXT. HOUSE - DAY\n\nA RIVER.\n\nON WILL\n\nTHE END.\n")
    assert all(k == "action" for k, _ in got)


def test_two_space_line_keeps_dialogue_and_dual_flag():
    sp = parse_fountain("ADAM\nOne.\n  \nTwo.\n\nEVE ^\nThree.\n")
    dialogue = [e.text for e in sp.elements if e.kind == "dialogue"]
    assert dialogue == ["One.\n\nTwo.", "Three."]
    assert [e.dual for e in sp.elements if e.kind == "character"] == [False, True]
