"""Titles, transitions and camera moves read from scripts of our own (tests/data/h17)."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.story.breakdown import breakdown_script
from core.story.camera import CAMERA_MOVES, camera_move_for
from core.story.transitions import read_transition, title_line

DATA = Path(__file__).resolve().parents[1] / "data" / "h17"


def _shots(name: str, target: int = 60):
    bd = breakdown_script(text=(DATA / name).read_text(), target_length_s=target)
    return bd, [sh for sc in bd.scenes for sh in sc.shots]


@pytest.mark.parametrize("text,side,kind", [
    ("FADE IN:", "in", "fade"), ("FADE OUT.", "out", "fade"), ("FADE TO BLACK.", "out", "fade"),
    ("DISSOLVE TO:", "in", "dissolve"), ("CUT TO BLACK.", "out", "black"), ("SMASH CUT TO BLACK", "out", "black"),
    ("CUT TO:", "in", "cut"), ("Match dissolve to:", "in", "dissolve"),
])
def test_written_transitions(text, side, kind):
    tr = read_transition(text)
    assert (tr.side, tr.kind) == (side, kind)


def test_not_transitions_and_title_lines():
    assert read_transition("She fades into the crowd.") is None
    assert read_transition("The cut on his hand bleeds.") is None
    assert title_line("SUPER: SIX MONTHS LATER") == "SIX MONTHS LATER"
    assert title_line("Supervisor walks in.") is None


def test_titles_and_transitions_hang_on_the_right_shots():
    bd, shots = _shots("titles.fountain")
    # "FADE OUT." and "> THE END <" are not shots; the title page's title is not shown twice.
    assert not any("FADE" in sh.action or "THE END" in sh.action for sh in shots)
    assert shots[0].titles_before == ["BRICK & STEEL"] and shots[0].transition_in == "fade"
    office = bd.scenes[1].shots[0]
    assert office.transition_in == "dissolve"
    assert any(sh.titles_before == ["SIX MONTHS LATER"] for sh in bd.scenes[2].shots)
    assert shots[-1].transition_out == "fade" and shots[-1].titles_after == ["THE END"]
    plain = [sh for sh in shots[1:-1] if sh is not office]
    assert all(sh.transition_in == "cut" and sh.transition_out == "cut" for sh in plain)


def test_cut_to_black_and_dissolve_between_scenes():
    bd, shots = _shots("day_night.fountain")
    lamp_room = next(sc for sc in bd.scenes if "LIGHTHOUSE" in sc.heading)
    assert lamp_room.shots[0].transition_in == "dissolve"
    assert shots[-1].transition_out == "black"
    night_market, night_shots = _shots("night_market.fountain")
    assert night_shots[0].titles_before == ["Lanterns"] and night_shots[0].transition_in == "fade"
    assert night_shots[-1].titles_after == ["THE LANTERNS GO OUT, ONE BY ONE"]
    assert night_shots[-1].transition_out == "fade"


def test_camera_moves_vary_with_shot_type_and_action():
    moves = []
    for name in ("titles.fountain", "day_night.fountain", "night_market.fountain", "animals_props.fountain"):
        moves += [sh.camera_move for sh in _shots(name)[1]]
    assert set(moves) <= set(CAMERA_MOVES)
    assert len(set(moves)) >= 5, moves
    assert moves.count("push_in") < len(moves) / 2
    assert camera_move_for(shot_type="wide", action="Pia runs along the pier.", index=0) in ("truck_left",
                                                                                         "truck_right")
    assert camera_move_for(shot_type="establishing", action="The lighthouse tower on the cliff.", index=1) == "tilt_up"
    assert camera_move_for(shot_type="medium close-up", action="TOM speaks.", index=2, dialogue=True) == "static"
    assert camera_move_for(shot_type="close-up", action="Her face falls.", index=3, dialogue=False) == "push_in"
    assert camera_move_for(shot_type="wide", action="The street is empty.", index=4, last=True) == "pull_out"
