"""Fixtures for render tests: small synthetic projects (320×180, a few seconds) in temp dirs,
and probes that inspect outputs with the ffmpeg binary, independently of core.render.engine."""
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
import soundfile as sf

from core.settings import get_settings
from tests.conftest import ffmpeg_probe

_spec = importlib.util.spec_from_file_location("render_synth_media", Path(__file__).with_name("synth_media.py"))
synth = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synth)

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
LINES = ["Where were you last night?", "I was at the harbour, watching the ships come in.",
         "Don't lie to me!", "Fine. I followed the lights over the water."]


@pytest.fixture(autouse=True)
def render_data_dir(tmp_path, monkeypatch):
    """Point the data dir at a temp dir for each render test (restored afterwards, so other test
    folders never see it)."""
    monkeypatch.setenv("STORYREEL_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def project(tmp_path_factory):
    """A 4-shot project (2 keyframes with camera moves, 2 clips), voice lines, music, one SFX.

    Returns dict(dir, shots, voice_lines, music, sfx) — the inputs of build_timeline."""
    from core.timeline.build import MusicBed, SfxCue, ShotMedia, VoiceLine

    d = tmp_path_factory.mktemp("render_media")
    shots, lines = [], []
    for i, text in enumerate(LINES):
        if i % 2:
            shots.append(ShotMedia(shot_id=f"s{i}", duration_s=2.0, clip_path=synth.clip(
                d / f"c{i}.mp4", width=320, height=180, seconds=2.0, fps=24, seed=i)))
        else:
            shots.append(ShotMedia(shot_id=f"s{i}", duration_s=2.0, camera_move=("zoom_in", "pan_left")[i // 2],
                                   keyframe_path=synth.keyframe(d / f"k{i}.png", width=320, height=180, seed=i)))
        path, words = synth.voice_line(d / f"v{i}.wav", text=text, seed=i, word_s=0.22)
        lines.append(VoiceLine(shot_id=f"s{i}", path=path, words=words, speaker="BEN" if i % 2 else "ANNA", text=text))
    return {"dir": d, "shots": shots, "voice_lines": lines,
            "music": MusicBed(path=synth.music_bed(d / "music.wav", seconds=4.0)),
            "sfx": [SfxCue(shot_id="s2", path=synth.sfx(d / "knock.wav"), offset_s=0.1)]}


@pytest.fixture(scope="session")
def timeline(project):
    from core.timeline.build import build_timeline

    return build_timeline(shots=project["shots"], voice_lines=project["voice_lines"], music=project["music"],
                          sfx=project["sfx"], fps=24, short_side=180)


def probe(path) -> dict:
    return ffmpeg_probe(path)


def count_frames(path: str | Path) -> int:
    """Decode the video stream and count frames (ffmpeg's null muxer)."""
    out = subprocess.run([FFMPEG, "-hide_banner", "-i", str(path), "-map", "0:v:0", "-f", "null", "-"],
                         capture_output=True, text=True).stderr
    return int(re.findall(r"frame=\s*(\d+)", out)[-1])


def decode_audio(path: str | Path, rate: int = 48000) -> np.ndarray:
    """Decode a file's audio to float32 (n, 2) via a WAV written by ffmpeg."""
    wav = Path(str(path) + ".probe.wav")
    subprocess.run([FFMPEG, "-loglevel", "error", "-y", "-i", str(path), "-vn", "-ac", "2", "-ar", str(rate),
                    "-c:a", "pcm_f32le", str(wav)], check=True)
    data, _ = sf.read(str(wav), dtype="float32", always_2d=True)
    wav.unlink()
    return data


def frame_at(path: str | Path, t: float) -> np.ndarray:
    """Decode one RGB frame at time t. The PNG is kept beside the video, or in $STORYREEL_LOOK_DIR
    when set (e.g. /tmp/look) so that a human can look at the frames a test checked."""
    look = Path(os.environ.get("STORYREEL_LOOK_DIR") or Path(path).parent)
    look.mkdir(parents=True, exist_ok=True)
    png = look / f"{Path(path).stem}_{t:.1f}.png"
    subprocess.run([FFMPEG, "-loglevel", "error", "-y", "-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1",
                    str(png)], check=True)
    import cv2
    return cv2.imread(str(png))[..., ::-1]


def ebur128(path: str | Path) -> tuple[float, float]:
    """Return (integrated LUFS, true peak dBTP) from ffmpeg's ebur128 filter."""
    out = subprocess.run([FFMPEG, "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
                          "-af", "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True).stderr
    summary = out[out.rindex("Summary:"):]
    lufs = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary)[1])
    peak = float(re.search(r"Peak:\s+(-?[\d.inf]+) dBFS", summary)[1])
    return lufs, peak


def read_json(path):
    return json.loads(Path(path).read_text())


@pytest.fixture(scope="session")
def tools():
    """The probe helpers above, for tests (conftest modules are not importable in importlib mode)."""
    from types import SimpleNamespace

    return SimpleNamespace(probe=probe, count_frames=count_frames, decode_audio=decode_audio, frame_at=frame_at,
                           ebur128=ebur128, synth=synth)
