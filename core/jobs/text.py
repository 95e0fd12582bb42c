"""Text capabilities (script writing, breakdown) run as jobs like every other generation.

A text model is any registry capability with ``media_type`` "text" and the operation asked for
("script", "breakdown"). The studio uses the first one that is set up and not retired, preferring a
provider's model over the offline local one; its JSON answer is stored as an asset (so a paid call
is never lost) and returned as a dict.
"""
from __future__ import annotations

import json
from typing import Any

from core.errors import InvalidInput, ProviderError
from core.jobs.service import run_sync
from core.media_assets import asset_path
from core.providers import get_adapter, is_configured
from core.registry import Capability, get_registry



def is_offline(cap: Capability) -> bool:
    """True for a model run in-process by the studio itself (the local provider), which needs no
    key and costs nothing: it is the fallback, not the first choice."""
    return bool(getattr(get_adapter(cap.provider), "in_process", False))


def text_models(*, operation: str, configured_only: bool = True) -> list[Capability]:
    """Return the text capabilities for ``operation``: providers' models first (registry order),
    the local model last; only those set up now unless ``configured_only`` is False."""
    caps = [c for c in get_registry().list(media_type="text", operation=operation) if not getattr(c, "retired", None)]
    if configured_only:
        caps = [c for c in caps if is_configured(cap=c)]
    return sorted(caps, key=is_offline)


def text_model(*, operation: str, name: str | None = None) -> Capability:
    """Return the capability to use: ``name`` ("provider/model" or a provider name) when given and set
    up, else the first of :func:`text_models`. Raises InvalidInput naming ``name`` when it is not usable."""
    caps = text_models(operation=operation)
    if name:
        for c in caps:
            if name in (f"{c.provider}/{c.model}", c.provider, c.model):
                return c
        raise InvalidInput(f"{name!r} cannot {operation} now (unknown, retired or not set up)", field="model")
    return caps[0]


def run_text(*, operation: str, params: dict[str, Any], name: str | None = None,
             project_id: int | None = None) -> tuple[Capability, dict]:
    """Run the text model for ``operation`` as a job and return (capability, its JSON answer).

    Raises InvalidInput (unknown model), MissingCredentials, ProviderError (failed job or an answer
    that is not a JSON object)."""
    cap = text_model(operation=operation, name=name)
    # Text models differ in their optional knobs (seed, temperature): send only what this one has.
    params = {k: v for k, v in params.items() if v is not None and cap.field(k) is not None}
    job = run_sync(provider=cap.provider, model=cap.model, operation=operation, params=params, project_id=project_id)
    if job.status != "succeeded" or not job.result_media_id:
        raise ProviderError(f"{cap.title or cap.model} could not {operation}: {job.error or job.status}",
                            provider=cap.provider, retryable=bool(job.error_retryable))
    try:
        data = json.loads(asset_path(media_id=job.result_media_id).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ProviderError(f"{cap.model} answered something that is not JSON", provider=cap.provider) from exc
    if not isinstance(data, dict):
        raise ProviderError(f"{cap.model} answered {type(data).__name__}, not a JSON object", provider=cap.provider)
    return cap, data
