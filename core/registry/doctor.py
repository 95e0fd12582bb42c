"""The doctor's list of shipped models, from the registry: which settings each model needs, which
are retired and what replaces them. ``run_doctor`` is what the CLI command and the Providers panel call."""
from __future__ import annotations

from core.providers import required_settings
from core.providers.doctor import ProviderReport, ShippedModel, check_all
from core.registry.registry import get_registry


def shipped_models() -> dict[str, list[ShippedModel]]:
    """Return ``{provider: [ShippedModel]}`` for every schema file, retired ones included."""
    grouped: dict[tuple[str, str], ShippedModel] = {}
    for cap in get_registry().list(include_retired=True):
        key = (cap.provider, cap.model)
        if key in grouped:
            grouped[key].operations.append(cap.operation)
            continue
        text = cap.field_for_role("text")
        prop = cap.input_schema["properties"].get(text or "") or {}
        grouped[key] = ShippedModel(model=cap.model, operations=[cap.operation], needs=required_settings(cap=cap),
                                    retired=cap.retired, replacement=cap.replacement,
                                    text_limit=prop.get("maxLength"))
    out: dict[str, list[ShippedModel]] = {}
    for (provider, _), model in sorted(grouped.items()):
        out.setdefault(provider, []).append(model)
    return out


def run_doctor() -> list[ProviderReport]:
    """Check every provider that has credentials and return one report per provider.

    Never raises for a refused key or an unreachable provider (those are the answers).
    """
    return check_all(shipped=shipped_models())
