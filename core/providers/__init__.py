"""The one mapping of provider name → adapter module. Adding a provider is adding a module here
plus its schema files; ``tests`` walk this mapping. Modules are imported lazily so that a missing
optional SDK only affects its own provider."""
from __future__ import annotations

import importlib
from typing import Any

from core.errors import UnsupportedCapability
from core.providers.base import Adapter
from core.credentials import has_settings

ADAPTER_MODULES: dict[str, str] = {
    "local": "core.providers.local.adapter",
    "google": "core.providers.google",
    "replicate": "core.providers.replicate",
    "elevenlabs": "core.providers.elevenlabs",
    "wavespeed": "core.providers.wavespeed",
}


# Providers that publish their models' schemas, so any model of theirs can be used by name:
# provider → "module:attribute" of its model source (accepts, configured, kept, lookup, …).
MODEL_SOURCES: dict[str, str] = {
    "replicate": "core.providers.replicate_models:SOURCE",
}


def model_sources() -> dict[str, Any]:
    """Return {provider: model source} for the providers that publish model schemas."""
    out = {}
    for name, target in MODEL_SOURCES.items():
        module, attr = target.split(":")
        out[name] = getattr(importlib.import_module(module), attr)
    return out


def get_adapter(name: str) -> Adapter:
    """Return the adapter instance (module attribute ``ADAPTER``) for a provider; raises UnsupportedCapability."""
    module = ADAPTER_MODULES.get(name)
    if module is None:
        raise UnsupportedCapability(f"Unknown provider {name!r}; known: {', '.join(ADAPTER_MODULES)}.", field="provider")
    return importlib.import_module(module).ADAPTER


def required_settings(*, cap) -> tuple[str, ...]:
    """Return the settings (API.md names) a capability's provider needs before a call: the
    adapter's per-capability answer where it has one (google: Vertex vs API key), else its
    ``credential_settings``."""
    adapter = get_adapter(cap.provider)
    if hasattr(adapter, "required_settings"):
        return tuple(adapter.required_settings(cap=cap))
    return tuple(getattr(adapter, "credential_settings", ()))


def is_configured(*, cap) -> bool:
    """True when every setting the capability's provider needs is set (local: always)."""

    return has_settings(settings=required_settings(cap=cap))
