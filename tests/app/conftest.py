"""Fixtures for app and core-service tests: a fresh data dir (database + media) per test."""
import pytest

from core import db
from core.settings import get_settings


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Point STORYREEL_DATA_DIR at a temp folder; no provider keys are set."""
    monkeypatch.setenv("STORYREEL_DATA_DIR", str(tmp_path / "data"))
    for key in ("GOOGLE_API_KEY", "REPLICATE_API_TOKEN", "ELEVENLABS_API_KEY", "WAVESPEED_API_KEY",
                "DATABASE_URL", "GOOGLE_CLOUD_PROJECT", "GOOGLE_VERTEX_ACCESS_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    get_settings.cache_clear()
    db.reset_engines()
    yield tmp_path / "data"
    db.reset_engines()
    get_settings.cache_clear()
