"""The process-wide capability registry: every file under ``provider_schemas/``, loaded once.

Replicate schemas can be refreshed from the API (``GET /v1/models/{owner}/{name}``) when a
token is configured; on any error the file's schema stays in use.
"""
from __future__ import annotations

import json
import logging
import re
import threading
from pathlib import Path
from typing import Any, Callable

from core.errors import InvalidInput, UnsupportedCapability
from core.registry.capability import Capability
from core.registry.roles import infer_media_type
from core.registry.schema_file import SchemaFile, read_schema_file
from core.settings import REPO_ROOT, get_settings

log = logging.getLogger(__name__)

SCHEMA_DIR = REPO_ROOT / "provider_schemas"


def _fetch_replicate_openapi(model: str, client: Any | None) -> dict[str, Any]:
    """Return ``latest_version.openapi_schema`` of a Replicate model through the replicate client.

    Raises whatever the client raises; the caller falls back to the file.
    """
    if client is None:
        import replicate  # deferred: only needed when refreshing

        settings = get_settings()
        token = settings.replicate_api_token.get_secret_value() if settings.replicate_api_token else None
        client = replicate.Client(api_token=token, base_url=settings.replicate_base_url)
    found = client.models.get(model)
    version = getattr(found, "latest_version", None)
    schema = getattr(version, "openapi_schema", None)
    if not isinstance(schema, dict):
        raise ValueError(f"{model} has no latest_version.openapi_schema")
    return schema


# provider -> (setting that enables refresh, fetcher). Adding a provider that publishes its
# schemas is one entry here.
_REFRESHERS: dict[str, tuple[str, Callable[[str, Any | None], dict[str, Any]]]] = {
    "replicate": ("replicate_api_token", _fetch_replicate_openapi),
}


class Registry:
    """All capabilities, keyed by (provider, model, operation)."""

    def __init__(self, capabilities: list[Capability]):
        self._caps: dict[tuple[str, str, str], Capability] = {}
        self._lock = threading.Lock()
        for cap in capabilities:
            if cap.key in self._caps:
                raise InvalidInput(
                    f"two schema files declare {cap.provider}/{cap.model} operation {cap.operation}: "
                    f"{self._caps[cap.key].path} and {cap.path}", field="model")
            self._caps[cap.key] = cap

    @classmethod
    def load(cls, directory: Path = SCHEMA_DIR) -> "Registry":
        """Load and validate every ``*.json`` under ``directory``.

        Raises ``InvalidInput`` naming the first malformed file and its problems.
        """
        caps = []
        for path in sorted(Path(directory).rglob("*.json")):
            caps.append(Capability.from_schema_file(read_schema_file(path), path=path))
        return cls(caps)

    def get(self, *, provider: str, model: str, operation: str | None = None) -> Capability:
        """Return the capability of ``provider``/``model``.

        ``operation`` may be left out when the model has one operation, or to mean
        ``generate`` when it has several (Veo 3.1 has generate and extend).

        ``model`` may carry the provider as a prefix (``local/keyframe`` for model ``keyframe``).
        Raises ``UnsupportedCapability`` naming what exists instead.
        """
        if model.startswith(provider + "/") and not any(
                c.provider == provider and c.model == model for c in self._caps.values()):
            model = model[len(provider) + 1:]
        matches = [c for c in self._caps.values() if c.provider == provider and c.model == model
                   and (operation is None or c.operation == operation)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            same_model = sorted(c.operation for c in self._caps.values() if c.provider == provider and c.model == model)
            if same_model:
                raise UnsupportedCapability(
                    f"{provider}/{model} has no operation {operation!r} (it has: {', '.join(same_model)})", field="operation")
            models = sorted({c.model for c in self._caps.values() if c.provider == provider})
            if models:
                raise UnsupportedCapability(
                    f"unknown model {model!r} for provider {provider} (known: {', '.join(models)})", field="model")
            raise UnsupportedCapability(
                f"unknown provider {provider!r} (known: {', '.join(self.providers())})", field="provider")
        # A model with generate and extend files: a bare lookup means generate.
        default = [c for c in matches if c.operation == "generate"]
        if operation is None and len(default) == 1:
            return default[0]
        ops = ", ".join(sorted(c.operation for c in matches))
        raise UnsupportedCapability(f"{provider}/{model} has several operations ({ops}); name one", field="operation")

    def list(self, *, media_type: str | None = None, provider: str | None = None,
             operation: str | None = None) -> list[Capability]:
        """Return the capabilities matching every filter given, sorted by provider, model, operation."""
        return sorted(
            (c for c in self._caps.values()
             if (media_type is None or c.media_type == media_type)
             and (provider is None or c.provider == provider)
             and (operation is None or c.operation == operation)),
            key=lambda c: c.key,
        )

    def providers(self) -> list[str]:
        """Return the provider names, sorted."""
        return sorted({c.provider for c in self._caps.values()})

    def media_types(self) -> list[str]:
        """Return the media types some capability produces, sorted."""
        return sorted({c.media_type for c in self._caps.values()})

    def validate(self, *, provider: str, model: str, params: dict[str, Any],
                 operation: str | None = None) -> dict[str, Any]:
        """Return ``params`` validated and completed with defaults.

        Raises ``UnsupportedCapability`` for an unknown model and ``InvalidCombination`` with
        every broken rule (type/range/enum/unknown-field problems included) at once.
        """
        return self.get(provider=provider, model=model, operation=operation).validate(params)

    def capability_json(self, cap: Capability) -> dict[str, Any]:
        """Return the API.md capability shape of ``cap``."""
        return capability_json(cap)

    def refresh(self, *, provider: str, model: str, operation: str | None = None,
                client: Any | None = None) -> Capability:
        """Re-read a model's schema from its provider, keeping the file's roles, rules and pricing.

        Without the provider's credential setting, or on any error, the current capability is
        returned unchanged (the error is logged, never the token). A model with no file gets
        roles inferred from its parameter names. ``client`` lets tests pass a client aimed at
        an emulator. Raises ``UnsupportedCapability`` when the provider cannot be refreshed and
        the model is unknown.
        """
        refresher = _REFRESHERS.get(provider)
        try:
            current: Capability | None = self.get(provider=provider, model=model, operation=operation)
        except UnsupportedCapability:
            current = None
        if refresher is None:
            if current is None:
                raise UnsupportedCapability(f"{provider} schemas cannot be refreshed and {model} is unknown", field="model")
            return current
        setting, fetch = refresher
        if client is None and getattr(get_settings(), setting, None) is None:
            if current is None:
                raise UnsupportedCapability(
                    f"{provider}/{model} is not in provider_schemas/ and {setting.upper()} is not set to fetch it",
                    setting=setting.upper())
            return current
        try:
            openapi = fetch(model, client)
            if current is not None:
                data = current.spec.model_dump(by_alias=True, exclude_none=True)
                data["openapi_schema"] = openapi
                data.pop("input_schema", None)
                fresh = Capability.from_schema_file(SchemaFile.model_validate(data), path=current.path)
            else:
                fresh = capability_from_openapi(openapi=openapi, provider=provider, model=model)
        except Exception as exc:  # noqa: BLE001 - any failure means "keep the file"
            log.warning("schema refresh of %s/%s failed, using the file: %s: %s",
                        provider, model, type(exc).__name__, _scrub(str(exc)))
            if current is None:
                raise UnsupportedCapability(f"could not fetch the schema of {provider}/{model}", field="model") from exc
            return current
        with self._lock:
            self._caps[fresh.key] = fresh
        return fresh


def _scrub(text: str) -> str:
    """Remove anything token-shaped from an error text before logging it."""
    return re.sub(r"(r8_[A-Za-z0-9]+|Bearer\s+\S+|Token\s+\S+)", "[redacted]", text)


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
        "docs": cap.docs,
    }


def capability_from_openapi(*, openapi: dict[str, Any], provider: str, model: str,
                            media_type: str | None = None, title: str | None = None,
                            docs: list[str] | None = None) -> Capability:
    """Return a capability for a provider ``openapi_schema`` never seen before (roles inferred)."""
    from core.registry.fields import input_schema_from_openapi

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


_registry: Registry | None = None
_registry_lock = threading.Lock()


def get_registry() -> Registry:
    """Return the process-wide registry, loading ``provider_schemas/`` on first use.

    Raises ``InvalidInput`` naming a malformed schema file.
    """
    global _registry
    with _registry_lock:
        if _registry is None:
            _registry = Registry.load()
        return _registry


def reset_registry() -> None:
    """Forget the loaded registry (tests; after adding a schema file)."""
    global _registry
    with _registry_lock:
        _registry = None
