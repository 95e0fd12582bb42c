"""Fixtures for app and core-service tests: a fresh data dir (database + media) per test."""
import pytest


@pytest.fixture(autouse=True)
def data_dir(data_dir):
    """The shared fresh data dir (tests/conftest.py), for every test here."""
    return data_dir
