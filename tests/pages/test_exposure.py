"""The studio's exposure (issue 16 point 1): loopback by default, refused beyond it without sign-in,
the upload box's limit equal to the app's, no Deploy button."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from streamlit import config as st_config

from core.settings import Settings, app_exposure_problem, get_settings
from tests.conftest import open_app

CONFIG = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())


def test_config_binds_loopback_with_the_apps_upload_limit_and_no_deploy_button():
    assert CONFIG["server"]["address"] == "127.0.0.1"
    assert CONFIG["server"]["maxUploadSize"] == Settings.model_fields["storyreel_max_upload_mb"].default == 50
    assert CONFIG["client"]["toolbarMode"] in ("viewer", "minimal")  # both hide Deploy (Streamlit docs)


@pytest.mark.parametrize("address", [None, "", "0.0.0.0", "::", "192.168.1.10", "studio.example"])
def test_beyond_loopback_needs_sign_in(monkeypatch, address):
    monkeypatch.delenv("STORYREEL_AUTH", raising=False)
    get_settings.cache_clear()
    problem = app_exposure_problem(address=address)
    assert problem and "STORYREEL_AUTH=on" in problem and "127.0.0.1" in problem
    monkeypatch.setenv("STORYREEL_AUTH", "on")
    get_settings.cache_clear()
    assert app_exposure_problem(address=address) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "localhost", "::1", "127.0.0.2", "::ffff:127.0.0.1"])
def test_loopback_addresses_are_served(address):
    assert app_exposure_problem(address=address) is None


def test_the_app_refuses_to_run_when_bound_beyond_loopback(monkeypatch):
    monkeypatch.delenv("STORYREEL_AUTH", raising=False)
    get_settings.cache_clear()
    old = st_config.get_option("server.address")
    st_config.set_option("server.address", "0.0.0.0")
    try:
        at = open_app(timeout=60)
    finally:
        st_config.set_option("server.address", old)
    assert [e.value for e in at.error] and "STORYREEL_AUTH=on" in at.error[0].value
    assert not at.selectbox and not at.button  # nothing of the studio is served


def test_the_app_names_the_setting_when_the_data_dir_is_unusable(monkeypatch):
    monkeypatch.setenv("STORYREEL_DATA_DIR", "/proc/storyreel-nowhere/data")
    get_settings.cache_clear()
    at = open_app(timeout=60)
    assert at.error and "STORYREEL_DATA_DIR" in at.error[0].value and "/proc/" not in at.error[0].value
