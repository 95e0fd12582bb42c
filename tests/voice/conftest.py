"""Fixtures for the voice-take tests: a fresh data dir per test, a project with a broken-down
script, and speech-like test audio made here (no files are shipped)."""
import io

import numpy as np
import pytest
import soundfile as sf

from core import db
from core.settings import get_settings

SCRIPT = """Title: The Lighthouse

INT. LIGHTHOUSE - NIGHT

MAYA climbs the spiral stairs with a lantern.

MAYA
Someone has been here.

TOM (O.S.)
Up here! Bring the light.
"""


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Point STORYREEL_DATA_DIR at a temp folder; no provider keys are set."""
    monkeypatch.setenv("STORYREEL_DATA_DIR", str(tmp_path / "data"))
    for key in ("GOOGLE_API_KEY", "REPLICATE_API_TOKEN", "ELEVENLABS_API_KEY", "WAVESPEED_API_KEY",
                "DATABASE_URL", "STORYREEL_ICE_SERVERS"):
        monkeypatch.delenv(key, raising=False)
    get_settings.cache_clear()
    db.reset_engines()
    yield tmp_path / "data"
    db.reset_engines()
    get_settings.cache_clear()


@pytest.fixture
def project():
    """A project with the script above broken down (characters maya and tom, two dialogue lines)."""
    from core.breakdowns import run_breakdown
    from core.projects import create_project
    from core.scripts import save_version

    p = create_project(name="Voice test")
    save_version(project_id=p.id, text=SCRIPT, source="pasted")
    run_breakdown(project_id=p.id)
    return p


def speechlike(seconds: float = 1.5, rate: int = 48000, f0: float = 140.0) -> np.ndarray:
    """A voiced, syllable-modulated harmonic signal (float, mono) — speech-like enough for tests."""
    t = np.arange(int(seconds * rate)) / rate
    pitch = f0 * (1 + 0.05 * np.sin(2 * np.pi * 3 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    voice = sum(np.sin(k * phase) / k for k in range(1, 8))
    syllables = 0.55 + 0.45 * np.sin(2 * np.pi * 4 * t) ** 2
    return 0.25 * voice * syllables / np.max(np.abs(voice))


def wav_bytes(samples: np.ndarray, rate: int = 48000, subtype: str = "PCM_16") -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, rate, format="WAV", subtype=subtype)
    return buf.getvalue()


def rms_dbfs(samples: np.ndarray) -> float:
    return 20 * np.log10(max(float(np.sqrt(np.mean(np.asarray(samples, float) ** 2))), 1e-9))


@pytest.fixture
def sig():
    """The signal helpers above, for test modules (conftest is not importable in importlib mode)."""
    from types import SimpleNamespace

    return SimpleNamespace(speechlike=speechlike, wav_bytes=wav_bytes, rms_dbfs=rms_dbfs)


@pytest.fixture(scope="session")
def app_entry(tmp_path_factory):
    """Path of an app entry that lists the Voice Studio: app.py itself once it does; until then a
    copy beside a symlink to pages/ with the page added to the navigation."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    text = (root / "app.py").read_text()
    if "voice_studio" in text:
        return root / "app.py"
    page = 'st.Page("pages/voice_studio.py", title="Voice Studio", icon="🎙️")'
    if re.search(r'"Tools":\s*\[', text):
        text = re.sub(r'("Tools":\s*\[)', lambda m: m.group(1) + page + ", ", text, count=1)
    else:
        text = text.replace("PAGES = {", 'PAGES = {\n    "Voice": [' + page + "],", 1)
    work = tmp_path_factory.mktemp("app")
    (work / "pages").symlink_to(root / "pages")
    (work / "app.py").write_text(text)
    return work / "app.py"


@pytest.fixture
def edit_project(project, tmp_path):
    """The project above with a synthetic keyframe per shot (so the Edit step opens)."""
    from PIL import Image

    from core.breakdowns import list_shots, update_shot
    from core.media_assets import create_asset

    for n, shot in enumerate(list_shots(project_id=project.id)):
        path = tmp_path / f"key{n}.png"
        Image.new("RGB", (320, 180), (40 + 60 * n, 80, 120)).save(path)
        a = create_asset(type="image", project_id=project.id, data=path.read_bytes(), mime="image/png",
                         provider="test", shot_id=shot.id)
        update_shot(shot_id=shot.id, keyframe_media_id=a.media_id, duration_s=1.5)
    return project
