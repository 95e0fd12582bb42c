"""The one mapping of provider name → adapter module. Adding a provider is adding a module here
plus its schema files; ``tests`` walk this mapping. Modules are imported lazily so that a missing
optional SDK only affects its own provider."""
from __future__ import annotations

import importlib

from core.errors import UnsupportedCapability
from core.providers.base import Adapter

ADAPTER_MODULES: dict[str, str] = {
    "local": "core.providers.local",
    "google": "core.providers.google",
    "replicate": "core.providers.replicate",
    "elevenlabs": "core.providers.elevenlabs",
    "wavespeed": "core.providers.wavespeed",
}


def get_adapter(name: str) -> Adapter:
    """Return the adapter instance (module attribute ``ADAPTER``) for a provider; raises UnsupportedCapability."""
    module = ADAPTER_MODULES.get(name)
    if module is None:
        raise UnsupportedCapability(f"Unknown provider {name!r}; known: {', '.join(ADAPTER_MODULES)}.", field="provider")
    return importlib.import_module(module).ADAPTER
