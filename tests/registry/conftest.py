"""Registry tests: a temp data dir, no provider keys, a fresh registry per test."""
import pytest

from core.registry import reset_registry
from core.settings import get_settings


@pytest.fixture(autouse=True)
def registry_env(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYREEL_DATA_DIR", str(tmp_path / "data"))
    for key in ("REPLICATE_API_TOKEN", "GOOGLE_API_KEY", "ELEVENLABS_API_KEY", "WAVESPEED_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    get_settings.cache_clear()
    reset_registry()
    yield tmp_path
    reset_registry()
    get_settings.cache_clear()
