"""A :class:`Capability`: what one model accepts for one operation, built from a schema file."""
from __future__ import annotations

import math
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from core.errors import InvalidCombination, InvalidInput, UnsupportedCapability
from core.media.info import probe
from core.registry.fields import FieldSpec, field_specs, input_schema_from_openapi, resolve_input_schema
from core.registry.options import build_options_model, violations_from_error
from core.registry.roles import infer_roles
from core.registry.rules import bind_rules, check_rules, form_constraints, FormConstraints, present
from core.registry.schema_file import PriceBy, SchemaFile


def _price_params(by: PriceBy) -> list[str]:
    """Return every parameter a (possibly nested) ``PriceBy`` reads."""
    params = [by.param]
    for value in by.values.values():
        if isinstance(value, PriceBy):
            params.extend(_price_params(value))
    return params


def _price_rate(by: PriceBy, params: dict[str, Any], default: float) -> float | None:
    """Return the USD rate ``by`` gives for ``params``: ``default`` when a value is not listed,
    None when the file lists the value with an unknown (null) price."""
    value = params.get(by.param)
    keys = [str(value).lower() if isinstance(value, bool) else str(value), str(value)]
    key = next((k for k in keys if k in by.values), None)
    if key is None:
        return default
    found = by.values[key]
    if found is None:
        return None
    if isinstance(found, PriceBy):
        return _price_rate(found, params, default)
    return float(found)


class Capability:
    """One model + operation: its fields, roles, rules and pricing.

    Built by :meth:`from_schema_file`; immutable in use. ``input_schema`` is resolved (enums
    inline), ``roles`` maps role -> parameter name, ``rules`` are the file's rule dicts.
    """

    def __init__(self, *, spec: SchemaFile, path: Path | None = None):
        self.spec = spec
        self.path = path
        self.provider: str = spec.provider
        self.model: str = spec.model
        self.version: str | None = spec.version
        self.sdk_method: str | None = spec.sdk_method
        self.auth: str | None = spec.auth
        self.media_type: str = spec.media_type
        self.operation: str = spec.operation
        self.title: str = spec.title
        self.docs: list[str] = list(spec.docs)
        self.checked: str = spec.checked
        # Set by the registry for schemas read from a provider: when, and what changed last.
        self.fetched_at: str | None = None
        self.schema_note: str | None = None
        self.roles_corrected: list[str] = []  # roles the user corrected (core.registry.role_overrides)
        self.uncorrected: "Capability | None" = None  # the same model before those corrections
        self.retired: str | None = spec.retired
        self.replacement: str | None = spec.replacement
        if spec.openapi_schema is not None:
            self.input_schema = input_schema_from_openapi(spec.openapi_schema)
            # Provider schemas carry no roles: infer, then let the file's explicit roles win
            # (an explicit null removes an inferred role).
            roles = infer_roles(self.input_schema["properties"], media_type=spec.media_type)
        else:
            self.input_schema = resolve_input_schema(spec.input_schema or {})
            roles = {}
        for role, param in spec.roles.items():
            if param is None:
                roles.pop(role, None)
            else:
                roles[role] = param
        props = self.input_schema["properties"]
        for role, param in roles.items():
            if param not in props:
                raise InvalidInput(f"role {role!r} names {param!r}, which is not a parameter", field=role)
        self.roles: dict[str, str] = roles
        self.rules: list[dict[str, Any]] = [r.model_dump(by_alias=True, exclude_none=True) for r in spec.rules]
        self._bound_rules = bind_rules(spec.rules, roles=roles, properties=props)
        if spec.pricing is not None and spec.pricing.by is not None:
            for by_param in _price_params(spec.pricing.by):
                if by_param not in props:
                    raise InvalidInput(f"pricing.by.param {by_param!r} is not a parameter", field="pricing")
        self.pricing: dict[str, Any] | None = spec.pricing.model_dump(exclude_none=True) if spec.pricing else None
        self._fields = field_specs(self.input_schema, roles=roles)

    @classmethod
    def from_schema_file(cls, spec: SchemaFile, *, path: Path | None = None) -> "Capability":
        """Return the capability of a validated schema file; raises ``InvalidInput`` naming the file."""
        try:
            return cls(spec=spec, path=path)
        except InvalidInput as exc:
            where = f"schema file {path}" if path else f"{spec.provider}/{spec.model}"
            raise InvalidInput(f"{where}: {exc.message}", field=exc.field) from exc

    def __repr__(self) -> str:
        return f"Capability({self.provider}/{self.model}:{self.operation})"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.provider, self.model, self.operation)

    def fields(self) -> list[FieldSpec]:
        """Return the fields in display order (``x-order``, then file order)."""
        return list(self._fields)

    def field(self, name: str) -> FieldSpec | None:
        """Return the field called ``name``, or None."""
        return next((f for f in self._fields if f.name == name), None)

    def field_for_role(self, role: str) -> str | None:
        """Return the parameter that plays ``role``, or None when the model has no such role."""
        return self.roles.get(role)

    def require_role(self, role: str) -> str:
        """Return the parameter that plays ``role``.

        Raises ``UnsupportedCapability`` naming the model and the role when it has none.
        """
        param = self.roles.get(role)
        if param is None:
            have = ", ".join(sorted(self.roles)) or "none"
            raise UnsupportedCapability(
                f"{self.provider}/{self.model} ({self.operation}) has no {role} input (its roles: {have})",
                field=role,
            )
        return param

    @cached_property
    def options_model(self) -> type[BaseModel]:
        """The pydantic model (``extra="forbid"``) of this capability's parameters."""
        return build_options_model(name=f"{self.provider}_{self.model}_{self.operation}", specs=self._fields)

    def defaults(self) -> dict[str, Any]:
        """Return ``{param: default}`` for the parameters that have a default."""
        return {f.name: f.default for f in self._fields if f.default is not None}

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        """Return ``params`` checked and completed with defaults (None values dropped).

        Raises ``UnsupportedCapability`` for a retired model (naming its replacement) and
        ``InvalidCombination`` carrying every problem at once: unknown fields, wrong types,
        out-of-range or non-enum values, missing required fields and broken rules.
        """
        self.check_not_retired()
        if not isinstance(params, dict):
            raise InvalidInput("params must be a JSON object", field="params")
        violations = []
        validated: dict[str, Any] = {}
        try:
            validated = self.options_model.model_validate(params).model_dump()
        except ValidationError as exc:
            violations.extend(violations_from_error(exc, specs=self._fields, model=self.model))
        merged = {**self.defaults(), **{k: v for k, v in params.items() if k in self.input_schema["properties"]}}
        violations.extend(check_rules(rules=self._bound_rules, params=merged))
        if violations:
            raise InvalidCombination(violations, model=f"{self.provider}/{self.model}")
        return {k: v for k, v in validated.items() if v is not None}

    def check_input_files(self, files: dict[str, Any]) -> dict[str, float]:
        """Check input files against their field's documented limits before anything is sent.

        A file field may say ``x-max-bytes``, ``x-min-duration-s`` and ``x-max-duration-s`` (Veo
        extension inputs 1-30 s, ElevenLabs voice changer under 5 minutes). ``files`` maps a
        parameter to a path or a list of paths. Returns ``{param: seconds}`` of every limited
        field and of the ``audio`` role (its length prices lip sync and voice changing; for a list,
        the longest). Raises InvalidInput naming the field and the limit.
        """
        props = self.input_schema["properties"]
        audio = self.roles.get("audio")
        lengths: dict[str, float] = {}
        for name, value in files.items():
            prop = props.get(name) or {}
            limits = {k: prop[k] for k in ("x-max-bytes", "x-min-duration-s", "x-max-duration-s") if k in prop}
            if not limits and name != audio:
                continue
            for path in (value if isinstance(value, (list, tuple)) else [value]):
                path = Path(path)
                size = path.stat().st_size
                if "x-max-bytes" in limits and size > limits["x-max-bytes"]:
                    raise InvalidInput(f"{name}: the file is {size / 1e6:.1f} MB; {self.model} takes at most "
                                       f"{limits['x-max-bytes'] / 1e6:.0f} MB", field=name)
                seconds = probe(path=path).duration_s
                low, high = limits.get("x-min-duration-s"), limits.get("x-max-duration-s")
                if (low is not None and seconds < low) or (high is not None and seconds > high):
                    span = (f"{low:g}-{high:g} s" if low is not None and high is not None
                            else f"at most {high:g} s" if high is not None else f"at least {low:g} s")
                    raise InvalidInput(f"{name}: the file lasts {seconds:.1f} s; {self.model} takes {span}"
                                       + (" (split longer audio into parts)" if name == audio else ""), field=name)
                lengths[name] = max(lengths.get(name, 0.0), seconds)
        return lengths

    def check_not_retired(self) -> None:
        """Raise ``UnsupportedCapability`` (field ``model``) naming the replacement when the
        provider retired this model; return None otherwise."""
        if self.retired:
            raise UnsupportedCapability(
                f"{self.provider}/{self.model} was retired by {self.provider} on {self.retired}; "
                f"use {self.provider}/{self.replacement} instead", field="model")

    def violations(self, params: dict[str, Any]) -> list:
        """Return every ``RuleViolation`` of ``params`` (empty when valid); never raises for them."""
        try:
            self.validate(params)
        except InvalidCombination as exc:
            return list(exc.violations)
        return []

    def form_constraints(self, params: dict[str, Any]) -> FormConstraints:
        """Return the fields to disable or narrow given the values entered so far."""
        merged = {**self.defaults(), **params}
        return form_constraints(rules=self._bound_rules, params=merged)

    def estimate_cost(self, params: dict[str, Any], *, duration_s: float | None = None) -> float | None:
        """Return the estimated USD cost of ``params``, or None when unknown.

        None when the file has no pricing, or when the price is per second and neither the
        duration role nor ``duration_s`` (e.g. the driving audio's length) gives the seconds.
        0.0 when the file says ``"free": true`` (the local provider).
        """
        if self.pricing is None:
            return 0.0 if self.spec.free else None
        p = self.spec.pricing
        assert p is not None
        merged = {**self.defaults(), **params}
        rate = p.usd if p.by is None else _price_rate(p.by, merged, p.usd)
        if rate is None:
            return None
        if p.unit in ("second", "minute"):
            seconds = duration_s
            dur_param = self.roles.get("duration")
            if seconds is None and dur_param and present(merged.get(dur_param)):
                try:
                    seconds = float(merged[dur_param])
                except (TypeError, ValueError):
                    return None
            if seconds is None:
                return None
            units = math.ceil(seconds) if p.unit == "second" else seconds / 60.0
        elif p.unit == "character":
            text_param = self.roles.get("text")
            units = len(str(merged.get(text_param) or "")) if text_param else 0
        elif p.unit == "image":
            units = int(merged.get("num_outputs") or merged.get("number_of_images") or 1)
        else:
            units = 1
        if p.min_units is not None:
            units = max(units, p.min_units)
        return round(units * rate, 4)
