"""``python -m core film`` end to end, offline, on a 2-scene script: the MP4 and its SRT/VTT are
probed, and every shot, voice, music and effect asset came from the local provider."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import select

ROOT = Path(__file__).resolve().parents[2]


def test_film_command_end_to_end(tmp_path, data_dir, tools):
    script = tmp_path / "letter.fountain"
    script.write_text(tools.script)
    out = tmp_path / "out" / "letter.mp4"
    env = dict(os.environ, STORYREEL_DATA_DIR=str(data_dir))
    proc = subprocess.run([sys.executable, "-m", "core", "film", str(script), "--out", str(out), "--aspect", "16:9",
                           "--genre", "thriller", "--subtitles", "burn", "--captions", "words", "--short-side", "360", "--target-length", "15"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    for step in ("breakdown", "cast", "keyframe", "voice line", "clip", "music", "sfx", "render"):
        assert any(step in ln for ln in lines[:-1]), f"no progress line for {step}"
    summary = json.loads(lines[-1])
    assert summary["out"] == str(out.resolve()) and summary["shots"] >= 3 and summary["voice_lines"] == 2
    assert summary["scenes"] == 2 and summary["characters"] == 2
    assert summary["srt"] == str(out.with_suffix(".srt")) and summary["vtt"] == str(out.with_suffix(".vtt"))

    info = tools.probe(out)
    assert info["video"][:3] == ("h264", 640, 360) and info["audio"][0] == "aac"
    frames = tools.count_frames(out)
    assert abs(frames / 24 - summary["duration_s"]) <= summary["shots"] / 24
    assert tools.ebur128(out) == pytest.approx(-14.0, abs=1.0)
    from core.timeline.cues import parse_subtitles

    for ext in ("srt", "vtt"):
        cues = parse_subtitles(out.with_suffix(f".{ext}").read_text())
        assert len(cues) >= 2 and all(0 <= c.start_s < c.end_s <= frames / 24 + 0.05 for c in cues)
    cue = parse_subtitles(out.with_suffix(".srt").read_text())[0]
    frame = tools.frame_png(out, (cue.start_s + cue.end_s) / 2, "cli_burned_cue")
    quiet = tools.frame_png(out, 0.5, "cli_first_shot")  # the first shot has no dialogue: no cue

    def white_above_caption_band(img):  # the local clips draw their own caption in the last ~7 %
        h = img.shape[0]
        return int((img[int(h * 0.78):int(h * 0.92)].min(axis=2) > 225).sum())

    assert white_above_caption_band(frame) > 150 > white_above_caption_band(quiet), "burned-in cue is visible"

    # Provenance: every generated thing came from the local provider.
    from core.db import session
    from core.models import MediaAsset, Shot

    with session() as s:
        shots = s.exec(select(Shot).where(Shot.project_id == summary["project_id"])).all()
        assets = {a.media_id: a for a in s.exec(select(MediaAsset).where(MediaAsset.project_id == summary["project_id"]))}
    assert shots and all(sh.keyframe_media_id and sh.clip_media_id for sh in shots)
    for sh in shots:
        key, clip = assets[sh.keyframe_media_id], assets[sh.clip_media_id]
        assert (key.provider, key.model, key.type) == ("local", "keyframe", "image")
        assert (clip.provider, clip.model, clip.type) == ("local", "animate", "video")
        assert clip.start_frame_used == sh.keyframe_media_id
        assert clip.duration_s == pytest.approx(sh.duration_s, abs=0.1), "clips are made at their shot's length"
    by_type = {t: [a for a in assets.values() if a.type == t] for t in ("voice", "music", "sfx", "render")}
    assert len(by_type["voice"]) == 2 and all(a.provider == "local" and a.extra.get("words") for a in by_type["voice"])
    assert by_type["music"] and all(a.provider == "local" and a.input_params["mood"] == "tense" for a in by_type["music"])
    assert by_type["sfx"] and all(a.provider == "local" for a in by_type["sfx"])
    assert {a.input_params["effect"] for a in by_type["sfx"]} >= {"door", "wind"}
    assert len(by_type["render"]) == 1 and by_type["render"][0].input_params["subtitles"] == "burn"
    assert by_type["render"][0].input_params["captions"] == "words" and summary["captions"] == "words"
    # The two speakers got different voices.
    assert len({a.input_params["voice"] for a in by_type["voice"]}) == 2
    audio = tools.decode_audio(out)
    assert np.abs(audio).max() > 0.1


def test_film_rejects_an_unknown_caption_style_before_any_work(tmp_path, data_dir):
    from core.errors import InvalidInput
    from core.film import make_film
    from core.projects import list_projects

    with pytest.raises(InvalidInput) as exc:
        make_film(script_path=str(tmp_path / "none.fountain"), out_path=str(tmp_path / "x.mp4"), captions="neon")
    assert exc.value.field == "captions" and not list_projects()
