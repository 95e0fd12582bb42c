"""Settings: API keys, provider base URLs and directories, read from the environment or
``.streamlit/secrets.toml`` (same names as ``../shared/API.md``).

Keys are ``SecretStr`` so that printing or logging a Settings object never shows them.
"""
from __future__ import annotations

import ipaddress
import os
import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = REPO_ROOT / ".streamlit" / "secrets.toml"


def _secrets_toml() -> dict:
    """Return top-level keys of .streamlit/secrets.toml, or {} when absent or unreadable."""
    try:
        with SECRETS_FILE.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return {k.lower(): v for k, v in data.items() if not isinstance(v, dict) and v not in ("", None)}


def secrets_section(*, name: str) -> dict:
    """Return the ``[name]`` table of .streamlit/secrets.toml (e.g. ``auth`` for OpenID Connect), or {}."""
    try:
        with SECRETS_FILE.open("rb") as fh:
            value = tomllib.load(fh).get(name)
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


class Settings(BaseSettings):
    """Every setting of API.md. Environment variables win over secrets.toml."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    storyreel_data_dir: Path = REPO_ROOT / "data"
    database_url: str | None = None
    google_api_key: SecretStr | None = None
    google_cloud_project: str | None = None
    google_cloud_location: str = "us-central1"
    google_vertex_access_token: SecretStr | None = None
    replicate_api_token: SecretStr | None = None
    elevenlabs_api_key: SecretStr | None = None
    wavespeed_api_key: SecretStr | None = None
    google_genai_base_url: str | None = None
    replicate_base_url: str | None = None
    elevenlabs_base_url: str | None = None
    wavespeed_base_url: str | None = None
    storyreel_api_token: SecretStr | None = None
    # "on" makes every page and API route need a signed-in user (core.accounts).
    storyreel_auth: str = ""
    # Where the API is reached from outside (share links); unset: the address a request came to.
    storyreel_public_url: str | None = None
    # Key that signs share links; unset: a random key kept in the data dir (share_key, mode 600).
    storyreel_share_key: SecretStr | None = None
    # ICE servers for the browser recorder; empty works on one machine, deployments behind NAT add STUN/TURN.
    storyreel_ice_servers: str = ""
    # Largest upload the API and the app accept, checked before anything is stored.
    storyreel_max_upload_mb: float = 50.0
    # The job queue (core/jobs/queue.py): "sqlite" (a file in the data dir), "redis://…" or "postgresql://…".
    storyreel_queue_url: str = "sqlite"
    # Job workers the app and `python -m core serve` run in-process (0: leave the work to `python -m core worker`).
    storyreel_workers: int = 2
    # How long a worker's claim on a job lasts without renewal; a dead worker's jobs are taken over after it.
    storyreel_job_lease_s: float = 30.0
    # Seconds the offline provider waits before each generation, so it paces like a paid one: demos of
    # a board filling in shot by shot, and tests of pages that must stay live while work runs.
    storyreel_local_latency_s: float = 0.0
    # Where media lives (core/media/store.py): unset = the data dir; "s3://bucket/prefix" = an S3 bucket
    # (credentials from boto3's usual places: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws, a role),
    # kept locally as a read-through cache in the data dir.
    storyreel_media_url: str = ""
    # An S3-compatible endpoint (MinIO, R2, …) for s3:// media; unset: AWS.
    storyreel_s3_endpoint_url: str | None = None
    # Host names the API answers to (comma-separated; "*" any, ".example.com" a domain and its
    # subdomains; empty: loopback names only) and proxies whose forwarded headers are believed
    # (comma-separated IPs or networks; empty: none).
    storyreel_allowed_hosts: str = ""
    storyreel_trusted_proxies: str = ""

    @property
    def data_dir(self) -> Path:
        return Path(self.storyreel_data_dir)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'storyreel.db'}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def loopback_ip(value: str) -> bool:
    """True for an IP address on this machine's loopback: 127.0.0.0/8, ::1 and IPv4-mapped
    ``::ffff:127.x.y.z``. Anything that is not an IP address (a unix socket, "unknown") is False."""
    try:
        ip = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def is_loopback_host(host: str) -> bool:
    """True for a loopback bind address or name: ``localhost``, 127.0.0.0/8, ::1, ``::ffff:127.0.0.1``."""
    return host.strip().lower().strip("[]") in LOOPBACK_NAMES or loopback_ip(host)


def _auth_on() -> bool:
    # The same reading as core.accounts.service.auth_enabled (that layer sits above this module).
    return str(get_settings().storyreel_auth).strip().lower() in ("on", "1", "true", "yes")


def app_exposure_problem(*, address: str | None) -> str | None:
    """Return why the studio must not serve on ``address`` (Streamlit's ``server.address``; None or
    empty means every interface), or None when it may: beyond loopback it needs STORYREEL_AUTH=on."""
    if address and is_loopback_host(address):
        return None
    if _auth_on():
        return None
    where = address or "every network interface"
    return (f"Storyreel refuses to serve on {where}: the studio has no sign-in yet there, so anyone on the network "
            "could spend your provider keys and delete projects. Serve it on this machine only "
            "(server.address = \"127.0.0.1\" in .streamlit/config.toml, the default), or turn sign-in on with "
            "STORYREEL_AUTH=on.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide Settings (env first, then secrets.toml, then defaults).

    Tests that change the environment call ``get_settings.cache_clear()``.
    """
    file_values = {k: v for k, v in _secrets_toml().items() if k.upper() not in os.environ}
    settings = Settings(**file_values)
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError:  # reported with the setting's name by core.storage.check_data_dir
        pass
    return settings
