"""Fixtures for the local media engine tests: a temp data dir and small shared media."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    from core.settings import get_settings

    monkeypatch.setenv("STORYREEL_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def png_array(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(np.int16)


@pytest.fixture(scope="session")
def speech():
    """One piper synthesis shared by several tests (the model load is the slow part)."""
    from core.providers.local.tts import synthesize

    return synthesize(text="Where were you last night, Tom? I waited, and waited.", voice="local-joe")
