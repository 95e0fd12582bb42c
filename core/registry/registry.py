"""The process-wide capability registry: every file under ``provider_schemas/``, loaded once,
plus the models a provider can describe on demand (any Replicate ``owner/name[:version]``).

A provider listed in ``core.providers.MODEL_SOURCES`` publishes its models' schemas: a model with no file is fetched
the first time it is asked for and kept in the data dir; a shipped file's schema is refreshed
from the provider when its credential is set (the file's roles, rules and pricing stay), with a
note when the schema changed. The user's role corrections (``core.registry.role_overrides``) are
applied to every lookup. On any refresh error the kept or shipped schema stays in use.
"""
from __future__ import annotations

import functools
import logging
import re
import threading
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.errors import InvalidInput, StoryreelError, UnsupportedCapability
from core.providers import model_sources
from core.registry import role_overrides
from core.registry.capability import Capability
from core.registry.roles import infer_media_type
from core.registry.raw_schema import capability_json
from core.registry.schema_file import SchemaFile, read_schema_file
from core.settings import REPO_ROOT

log = logging.getLogger(__name__)

SCHEMA_DIR = REPO_ROOT / "provider_schemas"



@functools.cache
def _sources() -> dict[str, Any]:
    """provider -> its source of models beyond the files (``core.providers.MODEL_SOURCES``)."""
    return model_sources()


def _spec(data: dict, *, where: str) -> SchemaFile:
    try:
        return SchemaFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors())
        raise InvalidInput(f"{where}: {problems}", field="model") from exc


class Registry:
    """All capabilities, keyed by (provider, model, operation)."""

    def __init__(self, capabilities: list[Capability]):
        self._caps: dict[tuple[str, str, str], Capability] = {}
        self._lock = threading.Lock()
        self._derived: dict[tuple, tuple[Any, Capability]] = {}
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
        """Return the capability of ``provider``/``model``, as the user's role corrections leave it.

        A model with no file, of a provider that publishes schemas (Replicate: ``owner/name`` or
        ``owner/name:version``), is fetched on first use and kept; a kept schema older than a day
        is re-fetched when the provider's credential is set; a shipped file's schema is
        refreshed the same way. Raises ``UnsupportedCapability`` naming what exists instead,
        ``MissingCredentials`` naming the setting for a model never fetched, ``ProviderError``
        when the first fetch fails.
        """
        source = _sources().get(provider)
        try:
            cap = self._file_get(provider=provider, model=model, operation=operation)
        except UnsupportedCapability:
            if source is None or operation not in (None, "generate") or not source.accepts(model):
                raise
            return self._with_overrides(self._dynamic(source, model, fetch=True))
        if source is not None and cap.spec.openapi_schema is not None:
            cap = self._refreshed(source, cap, fetch=source.configured())
        return self._with_overrides(cap)

    def _file_get(self, *, provider: str, model: str, operation: str | None = None) -> Capability:
        """Return the capability of ``provider``/``model`` from the shipped files.

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
             operation: str | None = None, include_retired: bool = False) -> list[Capability]:
        """Return the capabilities matching every filter given, sorted by provider, model, operation.

        Retired models (schema file ``retired``) are left out unless ``include_retired``: pickers
        built on this list never offer them, while ``get`` still finds them for old assets.
        Besides the shipped files: every model a source keeps (fetched before, in this data dir),
        and shipped schemas as last refreshed. Never fetches.
        """
        caps = list(self._caps.values())
        for name, source in _sources().items():
            if provider not in (None, name):
                continue
            shipped = {c.model for c in caps if c.provider == name}
            caps = [self._refreshed(source, c, fetch=False) if c.provider == name and c.spec.openapi_schema else c
                    for c in caps]
            for ref in source.kept():
                if ref in shipped:
                    continue
                try:
                    caps.append(self._dynamic(source, ref, fetch=False))
                except StoryreelError as exc:
                    log.warning("kept %s model %s left out: %s", name, ref, exc.message)
        return sorted(
            (self._with_overrides(c) for c in caps
             if (media_type is None or c.media_type == media_type)
             and (provider is None or c.provider == provider)
             and (operation is None or c.operation == operation)
             and (include_retired or not c.retired)),
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

    def refresh(self, *, provider: str, model: str, operation: str | None = None) -> Capability:
        """Re-read a model's schema from its provider now, and return the capability.

        A shipped model keeps its file's roles, rules and pricing; without the provider's
        credential, or on any error, it stays as it was (the error is logged, never the token).
        A model with no file is fetched (roles inferred). Raises ``UnsupportedCapability`` when the
        provider publishes no schemas and the model is unknown, ``MissingCredentials`` for a
        model never fetched without the credential, ``ProviderError`` when that fetch fails.
        """
        source = _sources().get(provider)
        try:
            current: Capability | None = self._file_get(provider=provider, model=model, operation=operation)
        except UnsupportedCapability:
            current = None
        if source is None:
            if current is None:
                raise UnsupportedCapability(f"{provider} schemas cannot be refreshed and {model} is unknown", field="model")
            return self._with_overrides(current)
        if current is None:
            source.lookup(model, refresh=True)
            return self.get(provider=provider, model=model, operation=operation)
        if source.configured() and current.spec.openapi_schema is not None:
            try:
                source.lookup(model, refresh=True, baseline=current.spec.openapi_schema)
            except StoryreelError as exc:
                log.warning("schema refresh of %s/%s failed, using the file: %s", provider, model, _scrub(exc.message))
        return self.get(provider=provider, model=model, operation=operation)

    # ---- model sources: providers that describe any of their models on demand --------------------
    def sources(self) -> list[str]:
        """Return the providers whose models can be fetched beyond the shipped files (sorted)."""
        return sorted(_sources())

    def _source(self, provider: str) -> Any:
        source = _sources().get(provider)
        if source is None:
            raise UnsupportedCapability(f"{provider} offers no model search (sources: {', '.join(_sources())})",
                                        field="provider")
        return source

    def source_setting(self, provider: str) -> str:
        """Return the setting a source needs to read schemas and search (e.g. ``REPLICATE_API_TOKEN``)."""
        return self._source(provider).setting

    def source_configured(self, provider: str) -> bool:
        """True when the source's setting is set."""
        return self._source(provider).configured()

    def suggested_collections(self, *, provider: str) -> tuple[str, ...]:
        """Return the collections a model search offers first (e.g. ``text-to-video``)."""
        return tuple(self._source(provider).suggested_collections)

    def search_models(self, *, provider: str, query: str) -> dict:
        """Search a source: ``{"models": [{"ref", "description", "run_count", "is_official", "tags", "url"}],
        "collections": [...]}``. Raises InvalidInput, MissingCredentials, ProviderError."""
        return self._source(provider).search(query)

    def collection_models(self, *, provider: str, slug: str) -> dict:
        """Return one collection of a source: ``{"slug", "name", "description", "models": [...]}``."""
        return self._source(provider).collection(slug)

    def correct_roles(self, *, provider: str, model: str, roles: dict[str, str | None]) -> Capability:
        """Save the user's corrections of a model's file roles (start/end frame, references, audio)
        and return the corrected capability; ``{}`` forgets them.

        Raises InvalidInput naming the role when a parameter does not exist or is not a file
        input, or the role cannot be corrected; what ``get`` raises for an unknown model.
        """
        cap = self._with_overrides(self.get(provider=provider, model=model), roles={})
        for role, param in roles.items():
            if role not in role_overrides.EDITABLE_ROLES:
                raise InvalidInput(f"the {role} role cannot be corrected (only {', '.join(role_overrides.EDITABLE_ROLES)})",
                                   field=role)
            if param is None:
                continue
            spec = cap.field(param)
            if spec is None:
                raise InvalidInput(f"{cap.model} has no field {param!r} (its fields: "
                                   f"{', '.join(f.name for f in cap.fields())})", field=role)
            if not (spec.is_uri or spec.is_uri_list):
                raise InvalidInput(f"{param!r} of {cap.model} is not a file input, so it cannot be the {role}", field=role)
        _apply_roles(cap, roles)  # the file's rules must still bind: raises InvalidInput naming the rule
        role_overrides.set_overrides(provider=cap.provider, model=cap.model, roles=roles)
        return self.get(provider=provider, model=model)

    # ---- derived capabilities (memoised: pages ask many times per run) -------------------------
    def _memo(self, key: tuple, base: Any, build) -> Capability:
        with self._lock:
            found = self._derived.get(key)
        if found is not None and found[0] is base:
            return found[1]
        cap = build()
        with self._lock:
            if len(self._derived) > 512:
                self._derived.clear()
            self._derived[key] = (base, cap)
        return cap

    def _dynamic(self, source: Any, model: str, *, fetch: bool) -> Capability:
        """The capability of a model the source keeps (fetching it when allowed and due)."""
        record = source.lookup(model, fetch_allowed=fetch)
        if record is None:
            raise UnsupportedCapability(f"{source.provider} model {model!r} has not been fetched", field="model")

        def build() -> Capability:
            media_type = infer_media_type(source.properties(record))
            data = source.capability_data(record, shipped=None, media_type=media_type)
            cap = Capability.from_schema_file(_spec(data, where=f"{source.provider}/{record.ref}"))
            return _stamped(cap, record, source)

        return self._memo(("dynamic", source.provider, record.ref), record, build)

    def _refreshed(self, source: Any, cap: Capability, *, fetch: bool) -> Capability:
        """A shipped capability with its schema as last fetched (the file's when never fetched)."""
        try:
            record = source.lookup(cap.model, fetch_allowed=fetch, baseline=cap.spec.openapi_schema)
        except StoryreelError as exc:
            log.warning("schema refresh of %s/%s failed, using the file: %s", cap.provider, cap.model,
                        _scrub(exc.message))
            return cap
        if record is None:
            return cap

        def build() -> Capability:
            shipped = cap.spec.model_dump(by_alias=True, exclude_none=True)
            data = source.capability_data(record, shipped=shipped, media_type=cap.media_type)
            try:
                return _stamped(Capability.from_schema_file(_spec(data, where=str(cap.path)), path=cap.path), record, source)
            except InvalidInput as exc:
                log.warning("the fetched schema of %s/%s does not fit its file (%s); the file serves",
                            cap.provider, cap.model, exc.message)
                kept = _stamped(Capability(spec=cap.spec, path=cap.path), record, source)
                kept.schema_note = (f"{kept.schema_note or 'the schema changed'} — the shipped file no longer fits "
                                    "it, so the shipped schema is used")
                return kept

        return self._memo(("refreshed", cap.key), record, build)

    def _with_overrides(self, cap: Capability, *, roles: dict | None = None) -> Capability:
        """``cap`` with the user's role corrections applied (itself when there are none).

        ``roles={}`` returns ``cap`` as it is without corrections (the base of a new correction).
        """
        if roles is None:
            roles = role_overrides.get_overrides(provider=cap.provider, model=cap.model)
        if not roles:
            return getattr(cap, "uncorrected", None) or cap

        def build() -> Capability:
            try:
                return _apply_roles(cap, roles)
            except InvalidInput as exc:
                log.warning("role corrections of %s/%s no longer fit its schema: %s", cap.provider, cap.model, exc.message)
                return cap

        return self._memo(("roles", cap.key, role_overrides.stamp()), cap, build)


def _apply_roles(cap: Capability, roles: dict[str, str | None]) -> Capability:
    """Return a copy of ``cap`` with ``roles`` set over its own; raises InvalidInput when they do not fit."""
    data = cap.spec.model_dump(by_alias=True, exclude_none=True)
    data["roles"] = {**data.get("roles", {}), **roles}
    fixed = Capability.from_schema_file(_spec(data, where=f"{cap.provider}/{cap.model}"), path=cap.path)
    fixed.fetched_at, fixed.schema_note, fixed.roles_corrected = cap.fetched_at, cap.schema_note, sorted(roles)
    fixed.uncorrected = cap
    return fixed


def _stamped(cap: Capability, record: Any, source: Any) -> Capability:
    """Mark ``cap`` with its record's fetch date and the note of its last schema change."""
    cap.fetched_at = record.fetched_at
    cap.schema_note = source.note(record)
    return cap


def _scrub(text: str) -> str:
    """Remove anything token-shaped from an error text before logging it."""
    return re.sub(r"(r8_[A-Za-z0-9]+|Bearer\s+\S+|Token\s+\S+)", "[redacted]", text)


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
