"""One pydantic options model per capability, built from its input schema (Cog's idea: one
schema drives both the form and validation), and the translation of pydantic's errors into
``RuleViolation``s that name the field in plain words.
"""
from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from core.errors import RuleViolation
from core.registry.fields import FieldSpec

_PY_TYPES: dict[str, Any] = {"string": str, "integer": int, "number": float, "boolean": bool}


def _annotation(spec: FieldSpec) -> Any:
    """Python type for one field; unknown shapes accept anything (the form flags them)."""
    if spec.enum:
        base: Any = Literal[tuple(spec.enum)]  # type: ignore[misc]
    elif spec.type in _PY_TYPES:
        base = _PY_TYPES[spec.type]
    elif spec.type == "array":
        item_type = (spec.items or {}).get("type")
        item_enum = (spec.items or {}).get("enum")
        inner: Any = Literal[tuple(item_enum)] if item_enum else _PY_TYPES.get(item_type, Any)  # type: ignore[misc]
        base = list[inner]
    else:
        base = Any
    return base


def build_options_model(*, name: str, specs: list[FieldSpec]) -> type[BaseModel]:
    """Return a pydantic model (``extra="forbid"``) with one field per spec.

    Required fields have no default; optional ones default to the schema default or None.
    Minimum/maximum become ``ge``/``le``; ``maxItems``/``minItems`` become list lengths.
    """
    fields: dict[str, Any] = {}
    for spec in specs:
        constraints: dict[str, Any] = {}
        if spec.type in ("integer", "number") and not spec.enum:
            if spec.minimum is not None:
                constraints["ge"] = spec.minimum
            if spec.maximum is not None:
                constraints["le"] = spec.maximum
        if spec.type == "string" and not spec.enum:
            if isinstance(spec.raw.get("maxLength"), int):
                constraints["max_length"] = spec.raw["maxLength"]
            if isinstance(spec.raw.get("minLength"), int):
                constraints["min_length"] = spec.raw["minLength"]
        if spec.type == "array":
            if spec.max_items is not None:
                constraints["max_length"] = spec.max_items
            if spec.min_items is not None:
                constraints["min_length"] = spec.min_items
        annotation = _annotation(spec)
        if spec.required:
            fields[spec.name] = (annotation, Field(..., description=spec.description, **constraints))
        else:
            fields[spec.name] = (Optional[annotation], Field(default=spec.default, description=spec.description, **constraints))
    safe = "".join(c if c.isalnum() else "_" for c in name)
    return create_model(  # type: ignore[call-overload]
        f"Options_{safe}", __config__=ConfigDict(extra="forbid", protected_namespaces=()), **fields
    )


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _fmt(values: Any) -> str:
    return ", ".join(str(v) for v in values)


def violations_from_error(exc: ValidationError, *, specs: list[FieldSpec], model: str) -> list[RuleViolation]:
    """Turn each pydantic error into a ``RuleViolation`` naming the field and the reason."""
    by_name = {s.name: s for s in specs}
    seen: set[tuple[str, str]] = set()
    out: list[RuleViolation] = []
    for err in exc.errors():
        loc = err.get("loc", ())
        name = str(loc[0]) if loc else "(params)"
        spec = by_name.get(name)
        kind = err.get("type", "")
        got = err.get("input")
        if kind == "missing":
            msg = f"{name} is required"
        elif kind == "extra_forbidden":
            msg = f"{name} is not a parameter of {model} (it takes: {_fmt(by_name)})"
        elif kind == "literal_error" and spec is not None:
            choices = spec.enum or (spec.items or {}).get("enum") or []
            msg = f"{name} must be one of {_fmt(choices)} (got {got!r})"
        elif kind in ("greater_than_equal", "less_than_equal") and spec is not None:
            lo = "" if spec.minimum is None else _num(spec.minimum)
            hi = "" if spec.maximum is None else _num(spec.maximum)
            msg = f"{name} must be between {lo or '-inf'} and {hi or 'inf'} (got {got!r})"
        elif kind in ("too_long", "string_too_long"):
            unit = "characters" if kind.startswith("string") else "items"
            msg = f"{name} takes at most {err.get('ctx', {}).get('max_length')} {unit}"
        elif kind in ("too_short", "string_too_short"):
            unit = "characters" if kind.startswith("string") else "items"
            msg = f"{name} needs at least {err.get('ctx', {}).get('min_length')} {unit}"
        else:
            where = ".".join(str(p) for p in loc)
            msg = f"{where}: {err.get('msg', 'invalid value')} (got {got!r})"
        key = (name, msg)
        if key in seen:  # Optional[...] unions repeat the same complaint per branch
            continue
        seen.add(key)
        out.append(RuleViolation((name,), msg, f"schema:{kind or 'invalid'}"))
    return out
