"""The rule vocabulary of capability files, and its two readings.

``check_rules`` answers "which rules does this parameter set break?" (every one, at once), for
validation before any provider call. ``form_constraints`` answers "given what the user has
entered so far, which other fields must be disabled or narrowed?", for live form feedback.

Rules name roles (``start_frame``) or parameters (``last_frame_image``); :func:`bind_rules`
turns role names into the model's parameter names once, at load time, and fails on a name that
is neither.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.errors import InvalidInput, RuleViolation
from core.registry.schema_file import Condition, MaxItems, MinItems, NeverTogether, OneOfRequired, Requires, When


def present(value: Any) -> bool:
    """True when a value counts as given: not None, not an empty string or list."""
    if value is None:
        return False
    if isinstance(value, str) and not value.strip():
        return False
    if isinstance(value, (list, tuple, dict, set)) and not value:
        return False
    return True


def _term(name: str, *, roles: dict[str, str], properties: dict[str, Any], where: str) -> str:
    if name in roles:
        return roles[name]
    if name in properties:
        return name
    raise InvalidInput(f"{where}: {name!r} is neither a role of this model nor one of its parameters", field=name)


def bind_rules(rules: list[Any], *, roles: dict[str, str], properties: dict[str, Any]) -> list[Any]:
    """Return copies of ``rules`` with every role name replaced by its parameter name.

    Raises ``InvalidInput`` naming the rule and the unknown name.
    """
    bound = []
    for i, rule in enumerate(rules):
        where = f"rules[{i}] ({rule.rule})"
        t = lambda n: _term(n, roles=roles, properties=properties, where=where)  # noqa: E731
        if isinstance(rule, (NeverTogether, OneOfRequired)):
            bound.append(rule.model_copy(update={"fields": [t(f) for f in rule.fields]}))
        elif isinstance(rule, Requires):
            bound.append(rule.model_copy(update={"field": t(rule.field), "requires": [t(f) for f in rule.requires]}))
        elif isinstance(rule, When):
            bound.append(rule.model_copy(update={
                "if_": {t(k): c for k, c in rule.if_.items()},
                "then": {t(k): c for k, c in rule.then.items()},
            }))
        elif isinstance(rule, (MaxItems, MinItems)):
            bound.append(rule.model_copy(update={"field": t(rule.field)}))
        else:  # pragma: no cover - the discriminated union admits nothing else
            raise InvalidInput(f"{where}: unknown rule", field="rules")
    return bound


def rule_id(rule: Any) -> str:
    """A stable name for a rule: its ``id`` or ``kind:fields``."""
    if rule.id:
        return rule.id
    if isinstance(rule, (NeverTogether, OneOfRequired)):
        names = rule.fields
    elif isinstance(rule, Requires):
        names = [rule.field, *rule.requires]
    elif isinstance(rule, When):
        names = [*rule.if_, *rule.then]
    else:
        names = [rule.field]
    return f"{rule.rule}:{'+'.join(names)}"


def _fmt(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def _holds(cond: Condition, value: Any) -> bool:
    """Whether ``value`` satisfies ``cond``; value tests hold when the value is absent."""
    given = present(value)
    if cond.present is not None and given != cond.present:
        return False
    if not given:
        return True
    try:
        if cond.equals is not None and value != cond.equals:
            return False
        if cond.in_ is not None and value not in cond.in_:
            return False
        if cond.not_in is not None and value in cond.not_in:
            return False
        if cond.min is not None and float(value) < cond.min:
            return False
        if cond.max is not None and float(value) > cond.max:
            return False
    except (TypeError, ValueError):
        return False  # a value of the wrong type cannot satisfy a numeric test
    return True


def _describe(cond: Condition) -> str:
    parts = []
    if cond.present is True:
        parts.append("be given")
    if cond.present is False:
        parts.append("not be given")
    if cond.equals is not None:
        parts.append(f"be {cond.equals}")
    if cond.in_ is not None:
        parts.append(f"be one of {_fmt(cond.in_)}" if len(cond.in_) > 1 else f"be {_fmt(cond.in_)}")
    if cond.not_in is not None:
        parts.append(f"not be {_fmt(cond.not_in)}")
    if cond.min is not None:
        parts.append(f"be at least {cond.min:g}")
    if cond.max is not None:
        parts.append(f"be at most {cond.max:g}")
    return " and ".join(parts)


def _why(rule: Any) -> str:
    return f" ({rule.message})" if rule.message else ""


def check_rules(*, rules: list[Any], params: dict[str, Any]) -> list[RuleViolation]:
    """Return every violation of ``rules`` (already bound to parameter names) by ``params``.

    ``params`` should already hold defaults, so that rules about defaulted values apply.
    """
    out: list[RuleViolation] = []
    for rule in rules:
        rid = rule_id(rule)
        if isinstance(rule, NeverTogether):
            given = [f for f in rule.fields if present(params.get(f))]
            if len(given) > 1:
                out.append(RuleViolation(tuple(given), f"{' and '.join(given)} cannot be used together{_why(rule)}", rid))
        elif isinstance(rule, Requires):
            if present(params.get(rule.field)):
                missing = [f for f in rule.requires if not present(params.get(f))]
                if missing:
                    out.append(RuleViolation(
                        (rule.field, *missing),
                        f"{rule.field} requires {' and '.join(missing)}{_why(rule)}", rid))
        elif isinstance(rule, When):
            if all(_holds(c, params.get(k)) for k, c in rule.if_.items()):
                cause = " and ".join(
                    f"{k} is {_fmt(params.get(k))}" if c.present is None else (f"{k} is given" if c.present else f"{k} is not given")
                    for k, c in rule.if_.items())
                for k, c in rule.then.items():
                    if not _holds(c, params.get(k)):
                        got = f" (got {_fmt(params.get(k))})" if present(params.get(k)) else ""
                        out.append(RuleViolation(
                            (*rule.if_, k), f"{k} must {_describe(c)} when {cause}{got}{_why(rule)}", rid))
        elif isinstance(rule, MaxItems):
            value = params.get(rule.field)
            if isinstance(value, (list, tuple)) and len(value) > rule.max:
                out.append(RuleViolation(
                    (rule.field,), f"{rule.field} takes at most {rule.max} items (got {len(value)}){_why(rule)}", rid))
        elif isinstance(rule, MinItems):
            value = params.get(rule.field)
            if isinstance(value, (list, tuple)) and 0 < len(value) < rule.min:
                out.append(RuleViolation(
                    (rule.field,), f"{rule.field} needs at least {rule.min} items (got {len(value)}){_why(rule)}", rid))
        elif isinstance(rule, OneOfRequired):
            if not any(present(params.get(f)) for f in rule.fields):
                out.append(RuleViolation(
                    tuple(rule.fields), f"give at least one of {', '.join(rule.fields)}{_why(rule)}", rid))
    return out


@dataclass
class FormConstraints:
    """What the form must do to the fields, given the current values.

    ``disabled``: param -> reason (the form clears and disables it). ``allowed``: param ->
    (values still allowed, reason) for enum fields narrowed by a ``when`` rule; ``excluded``:
    param -> (values no longer allowed, reason).
    """

    disabled: dict[str, str] = field(default_factory=dict)
    allowed: dict[str, tuple[list[Any], str]] = field(default_factory=dict)
    excluded: dict[str, tuple[list[Any], str]] = field(default_factory=dict)


def form_constraints(*, rules: list[Any], params: dict[str, Any]) -> FormConstraints:
    """Return the fields to disable or narrow so that ``params`` cannot break ``rules``.

    In a ``never_together`` rule the field listed first keeps its value and disables the
    others (e.g. reference images on Veo 3.1 disable the start and end frame).
    """
    fc = FormConstraints()
    for rule in rules:
        if isinstance(rule, NeverTogether):
            given = [f for f in rule.fields if present(params.get(f)) and f not in fc.disabled]
            if given:
                keeper = given[0]
                for other in rule.fields:
                    if other != keeper and other not in fc.disabled:
                        fc.disabled[other] = f"not available while {keeper} is set{_why(rule)}"
        elif isinstance(rule, Requires):
            missing = [f for f in rule.requires if not present(params.get(f)) or f in fc.disabled]
            if missing and rule.field not in fc.disabled:
                fc.disabled[rule.field] = f"needs {' and '.join(missing)} first{_why(rule)}"
    for rule in rules:
        if isinstance(rule, When) and all(
            _holds(c, params.get(k)) and (c.present is not True or k not in fc.disabled) for k, c in rule.if_.items()
        ):
            cause = " and ".join(rule.if_)
            for k, c in rule.then.items():
                if c.present is False and k not in fc.disabled:
                    fc.disabled[k] = f"not available while {cause} is set{_why(rule)}"
                elif c.in_ is not None or c.equals is not None:
                    allowed = list(c.in_) if c.in_ is not None else [c.equals]
                    if k in fc.allowed:
                        allowed = [v for v in fc.allowed[k][0] if v in allowed]
                    fc.allowed[k] = (allowed, f"limited to {_fmt(allowed)} because of {cause}{_why(rule)}")
                elif c.not_in is not None:
                    banned = list(c.not_in) + (fc.excluded[k][0] if k in fc.excluded else [])
                    fc.excluded[k] = (banned, f"{_fmt(banned)} not available because of {cause}{_why(rule)}")
    return fc
