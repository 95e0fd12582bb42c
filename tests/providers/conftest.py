"""Fixtures for adapter, jobs and cache tests: the google emulator with the real SDK aimed at it and a
fast job runner (the temp ``data_dir`` is the shared one of tests/conftest.py)."""
from __future__ import annotations

import pytest

from tests.conftest import GOOGLE_KEY, VERTEX_TOKEN  # noqa: F401 (re-exported for the tests)
from tests.conftest import make_runner as _fast_runner

RETRIES = 3  # the job runners here retry three times


@pytest.fixture
def google_emu(data_dir, serve_google):
    """The google emulator on loopback, with settings aimed at it; yields its GoogleState."""
    with serve_google(job_seconds=0.2, timeout_s=1.0) as state:
        yield state


def make_runner(**overrides):
    """A fast runner (tests/conftest.py) that retries ``RETRIES`` times, like the ``runner`` fixture here."""
    return _fast_runner(**{"max_retries": RETRIES, **overrides})


@pytest.fixture
def runner_retries() -> int:
    """The shared ``runner`` fixture (tests/conftest.py) retries ``RETRIES`` times here."""
    return RETRIES


@pytest.fixture
def png_file(tmp_path):
    """A small PNG on disk."""
    from tests.emulators.media import seeded_png

    path = tmp_path / "frame.png"
    path.write_bytes(seeded_png(width=64, height=36, seed="frame"))
    return path
