"""Fixtures for adapter, jobs and cache tests: the google emulator with the real SDK aimed at it and a
fast job runner (the temp ``data_dir`` is the shared one of tests/conftest.py)."""
from __future__ import annotations

import pytest

from tests.conftest import GOOGLE_KEY, VERTEX_TOKEN, installed_runner  # noqa: F401 (keys re-exported)
from tests.conftest import make_runner as _fast_runner


@pytest.fixture
def google_emu(data_dir, serve_google):
    """The google emulator on loopback, with settings aimed at it; yields its GoogleState."""
    with serve_google(job_seconds=0.2, timeout_s=1.0) as state:
        yield state


def make_runner(**overrides):
    """A fast runner (tests/conftest.py) that retries three times."""
    return _fast_runner(**{"max_retries": 3, **overrides})


@pytest.fixture
def runner(data_dir):
    """A fast runner installed as the process-wide one."""
    with installed_runner(make_runner()) as r:
        yield r


@pytest.fixture
def png_file(tmp_path):
    """A small PNG on disk."""
    from tests.emulators.media import seeded_png

    path = tmp_path / "frame.png"
    path.write_bytes(seeded_png(width=64, height=36, seed="frame"))
    return path
