"""JSON Schema handling: resolve a provider's input schema and describe each field.

Replicate (Cog) schemas give enums in two shapes — inline (``{"enum": [...], "type": ...}``) and
by reference (``{"allOf": [{"$ref": "#/components/schemas/x"}], "default": ...}``). Both are
resolved here to one inline shape, so nothing downstream has to know which it was.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from core.errors import InvalidInput

_SCALAR_TYPES = {"string", "integer", "number", "boolean", "array"}


@dataclass(frozen=True)
class FieldSpec:
    """One input parameter as the form and validation see it."""

    name: str
    type: str | None  # string | integer | number | boolean | array | None (unknown shape)
    required: bool
    default: Any = None
    enum: list[Any] | None = None
    minimum: float | None = None
    maximum: float | None = None
    role: str | None = None
    format: str | None = None
    description: str = ""
    x_order: int | None = None
    items: dict[str, Any] | None = None
    title: str = ""
    nullable: bool = False
    deprecated: bool = False
    secret: bool = False
    x_ui: str | None = None
    max_items: int | None = None
    min_items: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_uri(self) -> bool:
        """True for a single file input (``format: uri`` string)."""
        return self.type == "string" and self.format == "uri"

    @property
    def is_uri_list(self) -> bool:
        """True for a list of file inputs."""
        return self.type == "array" and (self.items or {}).get("format") == "uri"

    @property
    def label(self) -> str:
        """Human label: the schema title unless it is just the lower-case name (Cog enums)."""
        if self.title and self.title != self.name:
            return self.title
        return self.name.replace("_", " ").capitalize()


def _resolve_ref(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``#/a/b`` JSON pointer inside ``root``."""
    if not ref.startswith("#/"):
        raise InvalidInput(f"unsupported $ref {ref!r} (only local #/ references)", field=ref)
    node: Any = root
    for part in ref[2:].split("/"):
        if not isinstance(node, dict) or part not in node:
            raise InvalidInput(f"$ref {ref!r} points nowhere", field=ref)
        node = node[part]
    return node


def resolve_property(prop: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Return ``prop`` with ``$ref``/``allOf`` merged in; the property's own keys win.

    Cog puts ``default``/``description``/``x-order`` beside the ``allOf`` and the enum in the
    referenced component, so the component is the base and the sibling keys override it.
    """
    out: dict[str, Any] = {}
    for part in prop.get("allOf", []) or []:
        if isinstance(part, dict):
            out.update(resolve_property(_resolve_ref(part["$ref"], root) if "$ref" in part else part, root))
    if "$ref" in prop:
        out.update(resolve_property(_resolve_ref(prop["$ref"], root), root))
    for key, value in prop.items():
        if key in ("allOf", "$ref"):
            continue
        out[key] = copy.deepcopy(value)
    if isinstance(out.get("items"), dict):
        items = resolve_property(out["items"], root)
        if items.get("anyOf") == []:  # Cog emits an empty anyOf on uri items; it says nothing
            items.pop("anyOf")
        out["items"] = items
    if "type" not in out and out.get("enum"):
        out["type"] = _type_of_values(out["enum"])
    return out


def _type_of_values(values: list[Any]) -> str | None:
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "number"
    if all(isinstance(v, str) for v in values):
        return "string"
    return None


def input_schema_from_openapi(openapi: dict[str, Any]) -> dict[str, Any]:
    """Return the resolved ``components.schemas.Input`` of a Cog/Replicate ``openapi_schema``.

    Raises ``InvalidInput`` when the document has no Input schema.
    """
    try:
        raw_input = openapi["components"]["schemas"]["Input"]
    except (KeyError, TypeError) as exc:
        raise InvalidInput("openapi_schema has no components.schemas.Input", field="openapi_schema") from exc
    return resolve_input_schema(raw_input, root=openapi)


def resolve_input_schema(schema: dict[str, Any], *, root: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return an object schema whose every property is resolved (enums inline)."""
    root = root if root is not None else schema
    props = schema.get("properties")
    if not isinstance(props, dict):
        raise InvalidInput("input schema has no properties object", field="input_schema.properties")
    resolved = {name: resolve_property(p if isinstance(p, dict) else {}, root) for name, p in props.items()}
    out = {k: copy.deepcopy(v) for k, v in schema.items() if k != "properties"}
    out["type"] = "object"
    out["properties"] = resolved
    out["required"] = list(schema.get("required", []) or [])
    for name in out["required"]:
        if name not in resolved:
            raise InvalidInput(f"required field {name!r} is not among the properties", field=name)
    return out


def field_specs(input_schema: dict[str, Any], *, roles: dict[str, str]) -> list[FieldSpec]:
    """Return one :class:`FieldSpec` per property, sorted by ``x-order`` then file order.

    Properties without ``x-order`` keep their file order after the ordered ones, as the
    replicate docs advise.
    """
    role_of = {param: role for role, param in roles.items()}
    required = set(input_schema.get("required", []))
    indexed: list[tuple[int, FieldSpec]] = []
    for index, (name, prop) in enumerate(input_schema["properties"].items()):
        ftype = prop.get("type")
        if isinstance(ftype, list):  # ["string", "null"] style
            non_null = [t for t in ftype if t != "null"]
            ftype = non_null[0] if len(non_null) == 1 else None
        if ftype is not None and ftype not in _SCALAR_TYPES:
            ftype = None if ftype != "object" else "object"
        indexed.append((index, FieldSpec(
                name=name,
                type=ftype,
                required=name in required,
                default=prop.get("default"),
                enum=list(prop["enum"]) if isinstance(prop.get("enum"), list) else None,
                minimum=prop.get("minimum"),
                maximum=prop.get("maximum"),
                role=role_of.get(name),
                format=prop.get("format"),
                description=prop.get("description", "") or "",
                x_order=prop.get("x-order"),
                items=prop.get("items") if isinstance(prop.get("items"), dict) else None,
                title=prop.get("title", "") or "",
                nullable=bool(prop.get("nullable")),
                deprecated=bool(prop.get("deprecated")),
                secret=bool(prop.get("x-cog-secret")) or prop.get("format") == "password",
                x_ui=prop.get("x-ui"),
                max_items=prop.get("maxItems"),
                min_items=prop.get("minItems"),
                raw=prop,
            )))
    big = 10**9
    indexed.sort(key=lambda pair: (pair[1].x_order if isinstance(pair[1].x_order, int) else big, pair[0]))
    return [spec for _, spec in indexed]
