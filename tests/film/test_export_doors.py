"""Timeline export for editing programs through its doors: ``POST /export/timeline`` (a job whose result
is the zip) and ``python -m core export``; the zips read back with OpenTimelineIO match the project's
timeline and every media reference resolves."""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import opentimelineio as otio

from core.render.handoff import clip_name
from core.render.service import wait_render
from core.timeline.store import project_timeline

ROOT = Path(__file__).resolve().parents[2]


def _picture(tl):
    """Shots and title cards in film order (the picture track's clips)."""
    return sorted([*tl.video, *tl.titles], key=lambda i: i.start_s)


def _read_back(zip_path: Path, out: Path, adapter: str):
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(out)
        doc = next(n for n in z.namelist() if "/" not in n and not n.endswith(".srt"))
    back = otio.adapters.read_from_file(str(out / doc), adapter_name=adapter)
    refs = [c.media_reference.target_url for t in back.tracks for c in t.find_clips()]
    assert refs and all((out / r).is_file() for r in refs), refs
    return back


def test_api_export_job_gives_a_zip_that_reads_back(tmp_path, tools):
    from fastapi.testclient import TestClient

    from core.api.app import app
    from core.media_assets import asset_path

    p = tools.make_project(tmp_path)
    # A loopback caller on a loopback name (the exposure rules refuse Starlette's default "testclient").
    with TestClient(app, client=("127.0.0.1", 50000), base_url="http://127.0.0.1") as client:
        r = client.post("/export/timeline", json={"project_id": p.id, "format": "fcpxml"})
        assert r.status_code == 202, r.text
        job = wait_render(job_id=r.json()["job_id"], timeout_s=120)
        assert job.status == "succeeded", job.error
        view = client.get(f"/jobs/{job.id}").json()
        zip_bytes = client.get(view["result"]["url"]).content
        bad = client.post("/export/timeline", json={"project_id": p.id, "format": "aaf"})
        assert bad.status_code == 422
    zip_path = asset_path(media_id=view["result"]["media_id"])
    assert zip_path.read_bytes() == zip_bytes
    back = _read_back(zip_path, tmp_path / "x", "fcp_xml")
    tl = project_timeline(project_id=p.id).timeline
    video = back.video_tracks()[0].find_clips()
    items = _picture(tl)
    assert [c.name for c in video] == [clip_name(v) for v in items]
    assert [c.source_range.duration.to_frames() for c in video] == [round(v.duration_s * tl.fps) for v in items]
    voice = [c.name for t in back.audio_tracks() for c in t.find_clips() if c.name.startswith("voice:")]
    assert sorted(voice) == sorted(a.item_id for a in tl.audio("voice")) and voice


def test_cli_export_writes_the_zip(tmp_path, data_dir, tools):
    p = tools.make_project(tmp_path)
    out = tmp_path / "out" / "film.zip"
    env = dict(os.environ, STORYREEL_DATA_DIR=str(data_dir))
    proc = subprocess.run([sys.executable, "-m", "core", "export", str(p.id), "--format", "edl", "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["out"] == str(out) and summary["format"] == "edl"
    assert summary["track_files"] and all(f.endswith(".edl") for f in summary["track_files"])  # one list per sound track
    back = _read_back(out, tmp_path / "x", "cmx_3600")
    tl = project_timeline(project_id=p.id).timeline
    assert [c.name for c in back.tracks[0].find_clips()] == [clip_name(v) for v in _picture(tl)]
    bad = subprocess.run([sys.executable, "-m", "core", "export", "999999", "--out", str(tmp_path / "n.zip")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "error" in bad.stderr and not (tmp_path / "n.zip").exists()


def test_api_film_render_takes_the_caption_style(tmp_path, tools):
    from fastapi.testclient import TestClient

    from core.api.app import app
    from core.jobs.runner import load_job

    p = tools.make_project(tmp_path)
    with TestClient(app, client=("127.0.0.1", 50000), base_url="http://127.0.0.1") as client:
        r = client.post("/render/film", json={"project_id": p.id, "subtitles": "burn", "captions": "words"})
        assert r.status_code == 202, r.text
        assert client.post("/render/film", json={"project_id": p.id, "captions": "neon"}).status_code == 422
    job = wait_render(job_id=r.json()["job_id"], timeout_s=180)
    assert job.status == "succeeded", job.error
    assert load_job(job.id).request["settings"]["captions"] == "words"
