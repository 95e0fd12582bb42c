"""Capability registry: what each model accepts, from the files in ``provider_schemas/``.

    from core.registry import get_registry
    cap = get_registry().get(provider="google", model="veo-3.1-generate-001")
    params = get_registry().validate(provider="google", model="veo-3.1-generate-001", params={...})
"""
from core.registry.capability import Capability
from core.registry.fields import FieldSpec
from core.registry.raw_schema import capability_from_openapi, capability_json, load_capability_from_schema_file
from core.registry.registry import Registry, get_registry, reset_registry
from core.registry.rules import FormConstraints, present

__all__ = [
    "Capability", "FieldSpec", "FormConstraints", "Registry", "capability_from_openapi", "capability_json",
    "get_registry", "load_capability_from_schema_file", "present", "reset_registry",
]
