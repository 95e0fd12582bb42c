"""Resolving provider keys: argument, then settings (environment / secrets.toml).

Keys are returned only to the adapter that sends them; they are never stored in the database,
asset metadata, job requests, logs or error messages. ``redact`` scrubs any known key out of a
text before it is logged or shown.
"""
from __future__ import annotations

from core.errors import MissingCredentials
from core.settings import get_settings

# Every secret-bearing setting of API.md; scrubbed from any text shown or logged.
SECRET_SETTINGS = (
    "GOOGLE_API_KEY", "GOOGLE_VERTEX_ACCESS_TOKEN", "REPLICATE_API_TOKEN",
    "ELEVENLABS_API_KEY", "WAVESPEED_API_KEY", "STORYREEL_API_TOKEN",
)


def get_setting(*, setting: str) -> str | None:
    """Return a setting's value as plain text (secrets unwrapped), or None when unset or empty."""
    value = getattr(get_settings(), setting.lower(), None)
    if value is None:
        return None
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    value = str(value)
    return value or None


def require_setting(*, provider: str, setting: str, explicit: str | None = None) -> str:
    """Return ``explicit`` if given, else the setting's value; raises MissingCredentials naming the setting."""
    value = explicit or get_setting(setting=setting)
    if not value:
        raise MissingCredentials(provider, setting)
    return value


def has_settings(*, settings: tuple[str, ...]) -> bool:
    """True when every named setting has a value."""
    return all(get_setting(setting=s) for s in settings)


def redact(text: str) -> str:
    """Return ``text`` with every configured secret replaced by ``***``."""
    for name in SECRET_SETTINGS:
        value = get_setting(setting=name)
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text
