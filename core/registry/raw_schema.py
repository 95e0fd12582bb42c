"""Capabilities as JSON and from raw provider schema files: the API.md capability shape, a
capability for a Replicate ``openapi_schema`` never seen before (roles inferred), and the
``capabilities --schema-file`` reader."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.errors import InvalidInput
from core.registry.capability import Capability
from core.registry.fields import input_schema_from_openapi
from core.registry.roles import infer_media_type
from core.registry.schema_file import SchemaFile, read_schema_file


def capability_json(cap: Capability) -> dict[str, Any]:
    """Return the API.md capability JSON: media_type, fields, roles, rules (plus identity and pricing)."""
    return {
        "provider": cap.provider,
        "model": cap.model,
        "operation": cap.operation,
        "title": cap.title,
        "media_type": cap.media_type,
        "fields": [
            {"name": f.name, "type": f.type, "required": f.required, "default": f.default, "enum": f.enum,
             "minimum": f.minimum, "maximum": f.maximum, "role": f.role, "format": f.format,
             "description": f.description}
            for f in cap.fields()
        ],
        "roles": dict(cap.roles),
        "rules": cap.rules,
        "pricing": cap.pricing,
        "version": cap.version,
        "fetched_at": cap.fetched_at,
        "schema_changes": cap.schema_note,
        "roles_corrected": list(cap.roles_corrected),
        "docs": cap.docs,
        "retired": cap.retired,
        "replacement": cap.replacement,
    }


def capability_from_openapi(*, openapi: dict[str, Any], provider: str, model: str,
                            media_type: str | None = None, title: str | None = None,
                            docs: list[str] | None = None) -> Capability:
    """Return a capability for a provider ``openapi_schema`` never seen before (roles inferred)."""
    props = input_schema_from_openapi(openapi)["properties"]
    spec = SchemaFile(
        provider=provider, model=model, media_type=media_type or infer_media_type(props), operation="generate",
        title=title or model, docs=docs or [f"https://replicate.com/{model}"], checked="fetched",
        openapi_schema=openapi,
    )
    return Capability.from_schema_file(spec)


def load_capability_from_schema_file(path: str | Path) -> Capability:
    """Return a capability from a raw provider schema file.

    Accepts a raw Replicate ``openapi_schema``, a model JSON holding one under
    ``openapi_schema`` or ``latest_version.openapi_schema``, or a Storyreel capability file.
    The model name comes from the JSON (``model`` or ``owner``/``name``) or the file name
    (``owner__name.json``). Raises ``InvalidInput`` naming the file when none of these fits.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"schema file {path}: cannot read JSON: {exc}", field=str(path)) from exc
    if not isinstance(data, dict):
        raise InvalidInput(f"schema file {path}: expected a JSON object", field=str(path))
    if "media_type" in data and "provider" in data:
        return Capability.from_schema_file(read_schema_file(path), path=path)
    if isinstance(data.get("openapi_schema"), dict):
        openapi = data["openapi_schema"]
    elif isinstance((data.get("latest_version") or {}).get("openapi_schema"), dict):
        openapi = data["latest_version"]["openapi_schema"]
    elif "components" in data:
        openapi = data
    else:
        raise InvalidInput(
            f"schema file {path}: no openapi_schema, latest_version.openapi_schema or components.schemas.Input",
            field=str(path))
    if isinstance(data.get("model"), str):
        model = data["model"]
    elif data.get("owner") and data.get("name"):
        model = f"{data['owner']}/{data['name']}"
    else:
        model = path.stem.replace("__", "/")
    try:
        return capability_from_openapi(openapi=openapi, provider="replicate", model=model, docs=[str(path)])
    except InvalidInput as exc:
        raise InvalidInput(f"schema file {path}: {exc.message}", field=str(path)) from exc
