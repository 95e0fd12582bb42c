"""Breakdown behaviour: shot vocabulary, timing to target, odd scripts, API shape, CLI."""
from __future__ import annotations

import argparse
import json

import pytest

from core.commands import breakdown as breakdown_command
from core.errors import InvalidInput
from core.story.breakdown import breakdown_script
from core.story.models import SHOT_TYPES
from core.story.scenes import parse_heading
from core.story.shots import fit_to_target

SCRIPT = """Title: Two Rooms

EXT. CITY BRIDGE - DAWN

Fog rolls over the river. MAYA runs across the bridge.

INT. MAYA'S FLAT - NIGHT

Maya picks up the letter from the table.

MAYA
(whispering)
Please don't be true.

JONAH
It's true. I'm sorry.

He slides the photograph across the table.

MAYA
Then why did you wait three years to tell me anything at all about it?

JONAH
Because I was afraid of losing you, and I still am.
"""


def test_shots_use_the_fixed_vocabulary_and_vary():
    bd = breakdown_script(text=SCRIPT, target_length_s=40)
    shots = [sh for sc in bd.scenes for sh in sc.shots]
    assert all(sh.shot_type in SHOT_TYPES for sh in shots)
    assert bd.scenes[0].shots[0].shot_type in ("establishing", "extreme wide")
    assert bd.scenes[1].shots[0].shot_type == "wide"
    assert "insert" in [sh.shot_type for sh in bd.scenes[1].shots]
    exchange = [sh for sh in bd.scenes[1].shots if len({d.character for d in sh.dialogue}) == 2]
    assert exchange and exchange[0].shot_type in ("over-the-shoulder", "two-shot")
    assert len({sh.shot_type for sh in shots}) >= 3
    assert abs(bd.total_duration_s - 40) < 1
    assert all(1.5 <= sh.duration_s <= 12 for sh in shots)
    lines = [d for sh in shots for d in sh.dialogue]
    assert lines[0].parenthetical == "(whispering)" and lines[0].character == "MAYA"
    assert bd.characters[0].name == "MAYA" and bd.characters[0].first_scene == 1
    assert any("MAYA runs" in d for d in bd.characters[0].description)


def test_heading_parts():
    assert parse_heading("INT.  WILL'S BEDROOM - NIGHT (1973)") == ("INT", "WILL'S BEDROOM", "NIGHT")
    assert parse_heading("EXT. LIBRARY--DAY") == ("EXT", "LIBRARY", "DAY")
    assert parse_heading("INT./EXT. CAR, MOVING - CONTINUOUS") == ("INT/EXT", "CAR - MOVING", "CONTINUOUS")
    assert parse_heading("KITCHEN") == ("", "KITCHEN", "")


def test_fit_to_target_clamps_and_hits_target():
    out = fit_to_target([1, 1, 1, 30], 20)
    assert all(1.5 <= d <= 12 for d in out) and abs(sum(out) - 20) < 0.05
    assert fit_to_target([5, 5], 100) == [12, 12]  # cannot exceed the clamp
    assert fit_to_target([5, 5, 5], 1) == [1.5, 1.5, 1.5]


def test_script_without_headings_gives_one_sensible_scene():
    text = "Anna waits at the window.\n\nANNA\nHe's not coming.\n\nBEN\nGive him a minute.\n"
    bd = breakdown_script(text=text, target_length_s=20)
    assert len(bd.scenes) == 1 and not bd.scenes[0].from_heading
    assert {c.name for c in bd.characters} == {"ANNA", "BEN"}
    assert abs(bd.total_duration_s - 20) < 0.5
    assert any("No scene headings" in n for n in bd.notes)


def test_plain_action_without_anything_else():
    bd = breakdown_script(text="A dog sleeps in the sun.", target_length_s=10)
    assert len(bd.scenes) == 1 and bd.scenes[0].shots and bd.characters == []


def test_long_target_for_short_script_uses_more_shots():
    short = breakdown_script(text=SCRIPT, target_length_s=20)
    long = breakdown_script(text=SCRIPT, target_length_s=90)
    assert long.shot_count > short.shot_count or long.total_duration_s > 60


def test_bad_inputs():
    with pytest.raises(InvalidInput) as err:
        breakdown_script(text=SCRIPT, target_length_s=0)
    assert err.value.field == "target_length_s"
    with pytest.raises(InvalidInput) as err:
        breakdown_script(text=SCRIPT, mode="poem")
    assert err.value.field == "mode"
    with pytest.raises(InvalidInput):
        breakdown_script(text="  ")


def test_api_json_shape():
    data = breakdown_script(text=SCRIPT, target_length_s=30).to_api_json()
    json.dumps(data)
    assert set(data) >= {"scenes", "characters"}
    assert data["scenes"][0]["heading"] == "EXT. CITY BRIDGE - DAWN"
    shot = data["scenes"][0]["shots"][0]
    assert set(shot) >= {"shot_type", "action", "dialogue", "characters", "duration_s"}


def _run_cli(argv):
    parser = argparse.ArgumentParser()
    breakdown_command.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_prints_json(tmp_path, capsys):
    path = tmp_path / "s.fountain"
    path.write_text(SCRIPT, encoding="utf-8")
    assert _run_cli(["breakdown", str(path), "--target-length", "30"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["heading"] for s in data["scenes"]] == ["EXT. CITY BRIDGE - DAWN", "INT. MAYA'S FLAT - NIGHT"]
    assert data["total_duration_s"] == pytest.approx(30, abs=0.5)


def test_cli_unreadable_and_binary_files_exit_2(tmp_path, capsys):
    assert _run_cli(["breakdown", str(tmp_path / "missing.fountain")]) == 2
    assert "cannot read" in capsys.readouterr().err
    bad = tmp_path / "bin.txt"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    assert _run_cli(["breakdown", str(bad)]) == 2
    assert "script_file" in capsys.readouterr().err
