"""Fixtures for film tests: a fresh data dir per test, a broken-down project with keyframes and
voiced lines made quickly (synthetic stills and speech, local music and SFX), and ffmpeg probes
that inspect outputs independently of core.render.engine."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import imageio_ffmpeg
import numpy as np
import pytest
import soundfile as sf
from tests.conftest import ffmpeg_probe

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
SCRIPT = """Title: The Letter

INT. LIGHTHOUSE - NIGHT

MAYA knocks on the door of the lamp room.

MAYA
Someone has been here.

EXT. CLIFF - DAWN

Wind howls over the cliff. TOM holds up a bottle.

TOM
It's addressed to you!
"""


@pytest.fixture(autouse=True)
def data_dir(data_dir):
    """The shared fresh data dir (tests/conftest.py): no provider keys; fresh runner and caches."""
    return data_dir


def _keyframe_png(path: Path, seed: int, size=(640, 360)) -> bytes:
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    w, h = size
    y = np.linspace(0, 1, h)[:, None, None]
    top, bottom = rng.integers(30, 220, 3), rng.integers(30, 220, 3)
    img = Image.fromarray((top * (1 - y) + bottom * y).astype(np.uint8).repeat(w, axis=1))
    d = ImageDraw.Draw(img)
    d.rectangle([w // 3, h // 2, w // 3 + 40, h - 20], fill=(20, 20, 20))
    d.text((20, 20), f"SHOT {seed}", fill=(255, 255, 255))
    img.save(path)
    return path.read_bytes()


def speech(path: Path, *, text: str, seed: int, rate: int = 24000) -> tuple[str, list[dict]]:
    """Speech-like audio (harmonics of 120–200 Hz, all below 1.6 kHz) with word timings."""
    rng = np.random.default_rng(seed)
    f0, t, chunks, words = rng.uniform(120, 200), 0.0, [], []
    for w in text.split():
        dur = 0.12 + 0.05 * len(w)
        tt = np.arange(int(dur * rate)) / rate
        sig = sum(np.sin(2 * np.pi * k * f0 * tt) / k for k in range(1, 8)) * np.hanning(len(tt)) ** 0.3 * 0.3
        chunks += [sig, np.zeros(int(0.08 * rate))]
        words.append({"word": w, "start_s": round(t, 3), "end_s": round(t + dur, 3)})
        t += dur + 0.08
    sf.write(str(path), np.concatenate(chunks).astype(np.float32), rate)
    return str(path), words


def make_project(tmp: Path, *, aspect_ratio: str = "16:9", voices: bool = True, target_length_s: int = 15):
    """A project from SCRIPT: breakdown, a synthetic keyframe per shot, and (``voices``) each
    dialogue block voiced with synthetic speech placed as a voice row. Returns the project."""
    from core.breakdowns import list_shots, run_breakdown, update_shot
    from core.media_assets import create_asset
    from core.projects import create_project
    from core.scripts import save_version
    from core.timeline.store import add_item

    p = create_project(name="Letter", aspect_ratio=aspect_ratio, target_length_s=target_length_s, genre="mystery")
    save_version(project_id=p.id, text=SCRIPT)
    run_breakdown(project_id=p.id)
    for n, shot in enumerate(list_shots(project_id=p.id)):
        png = _keyframe_png(tmp / f"k{n}.png", seed=n)
        a = create_asset(type="image", project_id=p.id, data=png, mime="image/png", provider="test", shot_id=shot.id)
        update_shot(shot_id=shot.id, keyframe_media_id=a.media_id, duration_s=1.5)
        for i, d in enumerate(shot.dialogue or []):
            if not voices:
                continue
            path, words = speech(tmp / f"v{n}_{i}.wav", text=d["text"], seed=n * 10 + i)
            v = create_asset(type="voice", project_id=p.id, src_path=Path(path), mime="audio/wav", provider="test",
                             shot_id=shot.id, extra={"words": words}, duration_s=sf.info(path).duration)
            add_item(project_id=p.id, track="voice", media_id=v.media_id, shot_id=shot.id, text=d["text"],
                     duration_s=sf.info(path).duration, extra={"line": i, "character": d["character"], "words": words})
    return p


def probe(path) -> dict:
    return ffmpeg_probe(path)


def count_frames(path) -> int:
    out = subprocess.run([FFMPEG, "-hide_banner", "-i", str(path), "-map", "0:v:0", "-f", "null", "-"],
                         capture_output=True, text=True).stderr
    return int(re.findall(r"frame=\s*(\d+)", out)[-1])


def decode_audio(path, rate: int = 48000) -> np.ndarray:
    """The file's audio as mono float32 at ``rate`` (decoded by ffmpeg)."""
    raw = subprocess.run([FFMPEG, "-loglevel", "error", "-i", str(path), "-vn", "-ac", "1", "-ar", str(rate),
                          "-f", "f32le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.float32)


def ebur128(path) -> float:
    """Integrated loudness (LUFS) by ffmpeg's ebur128 filter."""
    out = subprocess.run([FFMPEG, "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
                          "-af", "ebur128", "-f", "null", "-"], capture_output=True, text=True).stderr
    return float(re.search(r"I:\s+(-?[\d.]+) LUFS", out[out.rindex("Summary:"):])[1])


def frame_png(path, t: float, name: str) -> np.ndarray:
    """Pull one frame at ``t`` as a PNG under /tmp/look_film (for a human to look at); returns RGB."""
    look = Path("/tmp/look_film")
    look.mkdir(exist_ok=True)
    png = look / f"{name}_{t:.1f}.png"
    subprocess.run([FFMPEG, "-loglevel", "error", "-y", "-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1",
                    str(png)], check=True)
    from PIL import Image

    return np.asarray(Image.open(png).convert("RGB"))


@pytest.fixture
def tools():
    """The helpers above (conftest modules are not importable in importlib mode)."""
    return SimpleNamespace(make_project=make_project, probe=probe, count_frames=count_frames, speech=speech,
                           decode_audio=decode_audio, ebur128=ebur128, frame_png=frame_png, script=SCRIPT)
