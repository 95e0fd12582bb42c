"""Turning "what a shot needs" into one model's parameters, by capability role (DESIGN §3, §5).

Pure over a :class:`~core.registry.Capability`: no database, no provider calls. Generation asks
this module where prompt parts, character references and frames go, so that every model gets
what its schema declares — the local keyframe gets ``shot_type``/``location``/…, Veo gets only
``prompt`` — without any provider-specific branch.

Character rules (seed §4/§6 step 3):
- reference images go only into the ``reference_images`` role (trimmed to the model's limit),
  never into a start or end frame;
- when references and frames cannot go together under the model's rules, frames win and the
  characters' appearance goes in through the prompt;
- without a reference role, appearance goes in through the prompt only;
- style tokens are appended to the prompt whenever the model takes one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.models import Character, Shot
from core.generation.prompts import character_line
from core.registry import Capability, present
from core.errors import InvalidInput

# Roles that prompt parts may fill (PromptParts.parts key == role name).
PART_ROLES = ("shot_type", "location", "time_of_day", "characters", "character_styles", "caption",
              "camera_move", "aspect_ratio", "duration", "set", "interior", "subject", "crowd", "speaking")
FRAME_ROLES = ("start_frame", "end_frame")


@dataclass
class Plan:
    """What one generation will send: plain ``params``, file ``inputs`` (param -> media id or list),
    and ``notes`` saying what was left out and why (shown on the card, never silent)."""

    provider: str
    model: str
    operation: str
    params: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def all_params(self) -> dict[str, Any]:
        """Return params and inputs together (what validation sees)."""
        return {**self.params, **self.inputs}

    def role_map(self, cap: Capability) -> dict[str, Any]:
        """Return ``{role: value}`` for the frame and reference roles (for display and tests)."""
        out: dict[str, Any] = {}
        for role in ("start_frame", "end_frame", "reference_images"):
            name = cap.field_for_role(role)
            if name and present(self.inputs.get(name)):
                out[role] = {"param": name, "value": self.inputs[name]}
        return out


def strip_media_prefix(value: Any) -> Any:
    """Return a media reference without the form's ``media:`` prefix (lists too)."""
    if isinstance(value, (list, tuple)):
        return [strip_media_prefix(v) for v in value]
    if isinstance(value, str) and value.startswith("media:"):
        return value[len("media:"):]
    return value


def split_params(*, cap: Capability, params: dict[str, Any]) -> tuple[dict, dict]:
    """Return (plain params, file inputs) of ``params`` by the capability's file fields."""
    files = {f.name for f in cap.fields() if f.is_uri or f.is_uri_list}
    plain, inputs = {}, {}
    for k, v in (params or {}).items():
        if v in (None, "", []):
            continue
        (inputs if k in files else plain)[k] = strip_media_prefix(v) if k in files else v
    return plain, inputs


def _fit(spec: Any, value: Any) -> Any:
    """Return ``value`` made acceptable to a field (nearest enum number, clamped range), or None."""
    if spec.enum:
        if value in spec.enum:
            return value
        nums = [e for e in spec.enum if isinstance(e, (int, float)) and not isinstance(e, bool)]
        if nums and isinstance(value, (int, float)):
            return min(nums, key=lambda e: (abs(e - value), -e))
        if isinstance(value, (int, float)):  # enum of strings like "4" / "8"
            try:
                as_num = {float(e): e for e in spec.enum}
            except (TypeError, ValueError):
                return None
            return as_num[min(as_num, key=lambda e: abs(e - float(value)))]
        return None
    if spec.type in ("integer", "number") and isinstance(value, (int, float)):
        v = float(value)
        if spec.minimum is not None:
            v = max(v, float(spec.minimum))
        if spec.maximum is not None:
            v = min(v, float(spec.maximum))
        return int(round(v)) if spec.type == "integer" else v
    if spec.type == "array" and not isinstance(value, list):
        return None
    if spec.type == "string" and not isinstance(value, str):
        return None
    return value


def fill_parts(*, cap: Capability, plan: Plan, prompt: str, parts: dict[str, Any]) -> None:
    """Put the prompt and each prompt part into the parameter playing its role, unless the caller
    already set that parameter. Parts a model has no role for are simply not sent (they are in
    the prompt text already)."""
    prompt_param = cap.field_for_role("prompt")
    if prompt_param and not present(plan.params.get(prompt_param)) and prompt:
        plan.params[prompt_param] = prompt
    for role in PART_ROLES:
        name = cap.field_for_role(role)
        if not name or present(plan.params.get(name)) or not present(parts.get(role)):
            continue
        spec = cap.field(name)
        value = _fit(spec, parts[role]) if spec is not None else None
        if value is not None:
            plan.params[name] = value


def _ref_violations(cap: Capability, trial: dict, ref_param: str) -> list:
    return [v for v in cap.violations(trial) if ref_param in v.fields]


def narrow_for(cap: Capability, trial: dict, plan: Plan) -> dict:
    """Adjust plain values the rules narrow because references are present (e.g. Veo: 8 s, 16:9)."""
    limits = cap.form_constraints(trial)
    changed = dict(trial)
    for name, (allowed, _note) in limits.allowed.items():
        if name in plan.inputs or not allowed:
            continue
        if changed.get(name) not in allowed:
            changed[name] = allowed[0]
    for name, (banned, _note) in limits.excluded.items():
        if changed.get(name) in banned:
            spec = cap.field(name)
            others = [e for e in (spec.enum if spec else []) or [] if e not in banned]
            if others:
                changed[name] = others[0]
            else:
                changed.pop(name, None)
    return changed


def add_characters(*, cap: Capability, plan: Plan, people: list[Character]) -> None:
    """Give ``people``'s reference images and appearance to the model, by role (module docstring).

    Reference images never go into a start or end frame; when they cannot go with the frames the
    plan already holds, the frames stay and appearance goes into the prompt instead.
    """
    refs: list[str] = []
    for c in people:
        refs += [r for r in (c.reference_images or []) if r not in refs]
    ref_param = cap.field_for_role("reference_images")
    frames = {cap.field_for_role(r) for r in FRAME_ROLES} - {None}
    used_refs = False
    if ref_param and refs and not present(plan.inputs.get(ref_param)):
        trial = {**plan.params, **plan.inputs, ref_param: list(refs)}
        # Trim to the model's own limit first (max_items rules, schema maxItems).
        spec = cap.field(ref_param)
        if spec is not None and spec.max_items:
            trial[ref_param] = trial[ref_param][: spec.max_items]
        while len(trial[ref_param]) > 1 and any(v.rule.startswith("max_items") for v in _ref_violations(cap, trial, ref_param)):
            trial[ref_param] = trial[ref_param][:-1]
        if spec is not None and spec.is_uri and not spec.is_uri_list:
            trial[ref_param] = trial[ref_param][0]  # a single-image identity input
        problems = _ref_violations(cap, trial, ref_param)
        if problems and not any(set(v.fields) & frames for v in problems):
            trial = narrow_for(cap, trial, plan)  # only value limits: adjust them to the references
            problems = _ref_violations(cap, trial, ref_param)
        if problems:
            why = "; ".join(v.message for v in problems)
            plan.notes.append(f"Character reference images not sent to {cap.model} ({why}); "
                              "their appearance goes in through the prompt instead.")
        else:
            for k, v in trial.items():
                if k == ref_param:
                    plan.inputs[k] = v
                elif k not in plan.inputs:
                    plan.params[k] = v
            used_refs = True
    elif refs and not ref_param:
        plan.notes.append(f"{cap.model} takes no reference images; the characters' appearance goes in "
                          "through the prompt.")
    prompt_param = cap.field_for_role("prompt")
    if not prompt_param or not people:
        return
    text = str(plan.params.get(prompt_param) or "")
    additions: list[str] = []
    for c in people:
        tokens = (c.style_tokens or "").strip()
        if used_refs:
            # The reference carries the look; tokens still pin the style.
            if tokens and tokens not in text:
                additions.append(tokens)
        else:
            line = character_line(c)
            if line not in text:
                if tokens and tokens in text:
                    line = line.replace(f", {tokens}", "")
                additions.append(line)
    if additions:
        plan.params[prompt_param] = (text.rstrip() + " " + ". ".join(additions) + ".").strip()


def guard_frames(*, cap: Capability, plan: Plan, people: list[Character]) -> None:
    """Refuse a plan that would put a character reference image into a start or end frame.

    Raises InvalidInput naming the frame parameter.
    """

    refs = {r for c in people for r in (c.reference_images or [])}
    for role in FRAME_ROLES:
        name = cap.field_for_role(role)
        if name and plan.inputs.get(name) in refs:
            raise InvalidInput(f"{name}: a character reference image cannot be the {role.replace('_', ' ')}; "
                               "reference images go only into the model's reference-image input", field=name)


def shot_choice(*, shot: Shot, kind: str) -> dict[str, Any]:
    """Return the shot's saved model choice for ``kind``: ``{"provider", "model", "params"}`` or {}.

    Stored in ``Shot.params`` as ``{"keyframe": {...}, "clip": {...}}``; ``Shot.provider``/``model``
    mirror the clip choice for readers of the card."""
    choice = (shot.params or {}).get(kind)
    return dict(choice) if isinstance(choice, dict) else {}
