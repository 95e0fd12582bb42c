"""Schema-driven forms: one capability in, Streamlit widgets out, params dict back.

Widgets follow the capability's ``x-order``. Rules give live feedback: before drawing, the
values entered so far are read from ``st.session_state`` and the registry says which fields
must be disabled (e.g. the start frame while Veo 3.1 reference images are set) or narrowed
(e.g. duration 8 s only); the form clears those fields and says why, never silently.
"""
from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Any

import streamlit as st

from core.generation.library import field_kind
from core.registry import Capability, FieldSpec, present
from core.settings import get_settings

# Roles a user looks for on every video/image form; when a model lacks one the form says so.
_STANDARD_ROLES = {
    "video": ("start_frame", "end_frame", "reference_images"),
    "image": ("reference_images",),
}
_ROLE_LABELS = {"start_frame": "Start frame", "end_frame": "End frame", "reference_images": "Reference images"}
_TEXTAREA_ROLES = {"prompt", "text", "negative_prompt"}
_NONE = "—"


def _wkey(key: str, cap: Capability, name: str) -> str:
    # The model is part of the key so that switching models never carries stale values over.
    return f"{key}::{cap.provider}/{cap.model}:{cap.operation}::{name}"


def _empty(spec: FieldSpec) -> Any:
    return [] if spec.type == "array" else None


def _initial(spec: FieldSpec, values: dict[str, Any]) -> Any:
    if spec.name in values:
        return values[spec.name]
    if spec.default is not None:
        return spec.default
    return _empty(spec)


def _save_upload(upload: Any) -> str:
    """Store an uploaded file under the cache dir, named by content hash; return its path."""
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:32]
    suffix = Path(upload.name).suffix.lower()[:8]
    folder = get_settings().cache_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}{suffix}"
    if not target.exists():
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(target)  # atomic: a half-written file never carries the final name
    return str(target)


def _help(spec: FieldSpec) -> str | None:
    bits = [spec.description] if spec.description else []
    if spec.role:
        bits.append(f"role: {spec.role}")
    return " · ".join(bits) or None


def _label(spec: FieldSpec) -> str:
    return spec.label + (" *" if spec.required else "")


def _inline_upload(spec: FieldSpec, wkey: str, kind: str, disabled: bool, on_upload, many: bool) -> tuple | None:
    """An upload beside a media picker: the new file joins the library and is picked at once.
    Returns the new (value, label, thumbnail) on the run it is uploaded."""
    types = {"image": ["png", "jpg", "jpeg", "webp"], "video": ["mp4", "mov", "webm"],
             "audio": ["wav", "mp3", "ogg", "flac", "m4a"]}[kind]
    up = st.file_uploader(f"…or upload a new {kind} for {spec.label}", type=types, key=wkey + "::inline",
                          disabled=disabled)
    done = st.session_state.setdefault(wkey + "::inline_done", set())
    if up is None or up.file_id in done:
        return None
    done.add(up.file_id)
    entry = tuple(on_upload(kind, up.name, up.getvalue()))
    if many:
        st.session_state[wkey] = [*(st.session_state.get(wkey) or []), entry[0]]
    else:
        st.session_state[wkey] = entry[0]
    return entry


def _render_uri(spec: FieldSpec, wkey: str, disabled: bool, choices, on_upload=None) -> Any:
    many = spec.is_uri_list
    current = st.session_state.get(wkey)
    thumbs: dict[str, str] = {}
    if isinstance(choices, dict):  # {kind: [(value, label, thumb)]}: only media of the field's kind
        kind = field_kind(name=spec.name, role=spec.role)
        entries = list(choices.get(kind) or [])
        if on_upload is not None:
            new = _inline_upload(spec, wkey, kind, disabled, on_upload, many)
            if new is not None:
                entries.insert(0, new)
            current = st.session_state.get(wkey)
        thumbs = {e[0]: e[2] for e in entries if len(e) > 2 and e[2]}
        choices = [(e[0], e[1]) for e in entries]
    if choices is not None:
        labels = dict(choices)
        known = [v for v, _ in choices]
        extra = [v for v in (current if many else [current]) or [] if v and v not in labels]
        options = known + extra  # keep a value given by the caller even if not in the library
        fmt = lambda v: labels.get(v, v) if v is not None else _NONE  # noqa: E731
        if many:
            if not isinstance(current, list):
                st.session_state[wkey] = []
            picked = st.multiselect(_label(spec), options, key=wkey, disabled=disabled, format_func=fmt,
                                    help=_help(spec))
        else:
            if current not in options:
                st.session_state[wkey] = None
            picked = st.selectbox(_label(spec), [None, *options], key=wkey, disabled=disabled, format_func=fmt,
                                  help=_help(spec))
        shown = [thumbs[v] for v in (picked if many else [picked]) or [] if v in thumbs]
        if shown:
            st.image(shown, width=96)
        return picked
    # No media library: upload files. A value passed in by the caller stays unless replaced.
    uploads = st.file_uploader(
        _label(spec), key=wkey + "::upload" + (":off" if disabled else ""), disabled=disabled,
        accept_multiple_files=many, help=_help(spec))
    if disabled:
        return _empty(spec)
    if many:
        if uploads:
            return [_save_upload(u) for u in uploads]
    elif uploads is not None:
        return _save_upload(uploads)
    if present(current):
        st.caption(f"Using {', '.join(current) if many else current}")
        return current
    return _empty(spec)


def _render_enum(spec: FieldSpec, wkey: str, disabled: bool, options: list[Any]) -> Any:
    optional = not spec.required and spec.default is None
    opts = ([None] if optional else []) + options
    if st.session_state.get(wkey) not in opts:
        st.session_state[wkey] = opts[0] if opts else None
    return st.selectbox(_label(spec), opts, key=wkey, disabled=disabled,
                        format_func=lambda v: _NONE if v is None else str(v), help=_help(spec))


def _render_number(spec: FieldSpec, wkey: str, disabled: bool) -> Any:
    is_int = spec.type == "integer"
    cast = int if is_int else float
    lo = None if spec.minimum is None else cast(spec.minimum)
    hi = None if spec.maximum is None else cast(spec.maximum)
    cur = st.session_state.get(wkey)
    if cur is not None:
        try:
            cur = cast(cur)
        except (TypeError, ValueError):
            cur = None
        if cur is not None and ((lo is not None and cur < lo) or (hi is not None and cur > hi)):
            cur = min(max(cur, lo if lo is not None else cur), hi if hi is not None else cur)
        st.session_state[wkey] = cur
    is_seed = spec.role == "seed" or spec.name == "seed"
    if is_seed:
        col_in, col_btn = st.columns([5, 1], vertical_alignment="bottom")
        with col_in:
            value = st.number_input(_label(spec), min_value=lo, max_value=hi, step=1, key=wkey,
                                    disabled=disabled, help=_help(spec), placeholder="random")
        with col_btn:
            top = min(hi if hi is not None else 2**31 - 1, 2**31 - 1)
            bottom = max(lo if lo is not None else 0, 0)

            def _roll() -> None:
                st.session_state[wkey] = random.randint(bottom, top)

            st.button("🎲", key=wkey + "::dice", on_click=_roll, disabled=disabled, help="Random seed")
        return value
    if lo is not None and hi is not None and cur is not None and (not is_int or hi - lo <= 1000):
        step = 1 if is_int else max((hi - lo) / 100.0, 0.01)
        return st.slider(_label(spec), min_value=lo, max_value=hi, step=step, key=wkey, disabled=disabled, help=_help(spec))
    return st.number_input(_label(spec), min_value=lo, max_value=hi, step=1 if is_int else None, key=wkey,
                           disabled=disabled, help=_help(spec), placeholder=_NONE)


def _render_field(spec: FieldSpec, wkey: str, *, disabled: bool, options: list[Any] | None,
                  choices, on_upload=None) -> Any:
    """Draw one widget and return its value; raises ValueError for a shape it cannot draw."""
    if spec.is_uri or spec.is_uri_list:
        return _render_uri(spec, wkey, disabled, choices, on_upload)
    if options is not None:
        return _render_enum(spec, wkey, disabled, options)
    if spec.type == "boolean":
        if spec.default is None and not spec.required:
            return _render_enum(spec, wkey, disabled, [True, False])
        if not isinstance(st.session_state.get(wkey), bool):
            st.session_state[wkey] = bool(spec.default)
        return st.toggle(_label(spec), key=wkey, disabled=disabled, help=_help(spec))
    if spec.type in ("integer", "number"):
        return _render_number(spec, wkey, disabled)
    if spec.type == "string":
        if st.session_state.get(wkey) is None:
            st.session_state[wkey] = ""
        kwargs = {"key": wkey, "disabled": disabled, "help": _help(spec)}
        if isinstance(spec.raw.get("maxLength"), int):
            kwargs["max_chars"] = spec.raw["maxLength"]
        if spec.x_ui == "textarea" or spec.role in _TEXTAREA_ROLES:
            return st.text_area(_label(spec), **kwargs)
        return st.text_input(_label(spec), type="password" if spec.secret else "default", **kwargs)
    if spec.type == "array" and (spec.items or {}).get("enum"):
        if not isinstance(st.session_state.get(wkey), list):
            st.session_state[wkey] = []
        return st.multiselect(_label(spec), spec.items["enum"], key=wkey, disabled=disabled, help=_help(spec))
    if spec.type == "array" and (spec.items or {}).get("type") in ("string", None):
        cur = st.session_state.get(wkey)
        if isinstance(cur, list):
            st.session_state[wkey] = ", ".join(map(str, cur))
        elif cur is None:
            st.session_state[wkey] = ""
        text = st.text_input(_label(spec) + " (comma-separated)", key=wkey, disabled=disabled, help=_help(spec))
        return [part.strip() for part in (text or "").split(",") if part.strip()]
    raise ValueError(f"type {spec.type!r}" + (f" of {spec.items.get('type')!r}" if spec.items else ""))


def _current_values(cap: Capability, key: str, values: dict[str, Any]) -> dict[str, Any]:
    """Seed widget state on first draw and return the values entered so far."""
    out: dict[str, Any] = {}
    for spec in cap.fields():
        wkey = _wkey(key, cap, spec.name)
        if wkey not in st.session_state:
            initial = _initial(spec, values)
            if spec.type == "array" and isinstance(initial, list) and not (spec.is_uri_list or (spec.items or {}).get("enum")):
                initial = ", ".join(map(str, initial))
            st.session_state[wkey] = initial
        value = st.session_state[wkey]
        if spec.type == "array" and isinstance(value, str):
            value = [p.strip() for p in value.split(",") if p.strip()]
        out[spec.name] = value
    return {k: v for k, v in out.items() if present(v) or isinstance(v, bool)}


def render_form(*, cap: Capability, key: str, values: dict | None = None,
                media_choices: list[tuple[str, str]] | dict | None = None, on_upload=None) -> dict:
    """Draw the form of ``cap`` and return the params entered (empty values left out).

    ``values`` pre-fills fields on first draw; ``media_choices`` — (value, label) pairs such as
    ``("media:12", "Keyframe shot 3")``, or per kind ("image", "video", "audio") lists of
    (value, label, thumbnail path) — turns file fields into pickers over the media library instead
    of uploaders (per kind: each field lists only its kind, with thumbnails). ``on_upload(kind,
    name, data) -> value`` adds an inline upload beside each picker. Fields the rules rule out are
    cleared and disabled with a warning.
    """
    values = dict(values or {})
    entered = _current_values(cap, key, values)
    limits = cap.form_constraints(entered)
    params: dict[str, Any] = {}
    hidden: list[str] = []
    for spec in cap.fields():
        if spec.deprecated:
            hidden.append(spec.name)
            continue
        wkey = _wkey(key, cap, spec.name)
        reason = limits.disabled.get(spec.name)
        options = list(spec.enum) if spec.enum else None
        note = None
        if options is not None and spec.name in limits.allowed:
            allowed, note = limits.allowed[spec.name]
            options = [o for o in options if o in allowed] or options
        if options is not None and spec.name in limits.excluded:
            banned, note = limits.excluded[spec.name]
            options = [o for o in options if o not in banned] or options
        if spec.type == "boolean" and spec.name in limits.allowed:
            allowed, note = limits.allowed[spec.name]
            if len(allowed) == 1 and isinstance(allowed[0], bool):
                st.session_state[wkey] = allowed[0]
                reason = reason or note
        if reason and not isinstance(st.session_state.get(wkey), bool):
            st.session_state[wkey] = _empty(spec)  # cleared, not silently kept: the warning says why
        try:
            value = _render_field(spec, wkey, disabled=bool(reason), options=options, choices=media_choices,
                                  on_upload=on_upload)
        except ValueError as exc:
            st.error(f"Field **{spec.name}** cannot be shown: unsupported shape ({exc}). "
                     f"Its value cannot be set from this form.")
            continue
        if reason:
            st.warning(f"**{spec.label}** {reason}.")
            if isinstance(value, bool):
                params[spec.name] = value
            continue
        if note:
            st.warning(f"**{spec.label}** {note}.")
        if present(value) or isinstance(value, bool):
            params[spec.name] = value
    for role in _STANDARD_ROLES.get(cap.media_type, ()):
        if cap.field_for_role(role) is None:
            st.text_input(_ROLE_LABELS[role], value="", disabled=True, key=f"{key}::{cap.provider}/{cap.model}:{cap.operation}::missing::{role}",
                          help=f"{cap.title} has no {role} input")
            st.caption(f"⛔ {_ROLE_LABELS[role]}: not supported by {cap.title} ({cap.model}).")
    if hidden:
        st.caption(f"Deprecated fields hidden: {', '.join(hidden)}")
    return params
