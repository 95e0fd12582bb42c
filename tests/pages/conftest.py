"""Fixtures for the UX tests: a fresh data dir (database + media) per test, no provider keys."""
import pytest


@pytest.fixture(autouse=True)
def data_dir(data_dir):
    """The shared fresh data dir (tests/conftest.py), for every test here."""
    return data_dir
