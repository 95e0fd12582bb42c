"""Model pickers shared by the pages: models whose provider is set up come first; the others are
marked with the setting that enables them, so nobody finds out only at Generate."""
from __future__ import annotations

from typing import Sequence

import streamlit as st

from core.providers import is_configured, required_settings
from core.registry import get_registry
from core.ui.state import synced


def model_label(cap) -> str:
    """Return "provider · model" for a configured provider, else the same plus the missing setting."""
    base = f"{cap.provider} · {cap.title or cap.model}"
    if is_configured(cap=cap):
        return base
    need = " or ".join(required_settings(cap=cap)) or "its key"
    return f"🔒 {base} — needs {need}"


def usable_first(caps: Sequence) -> list:
    """Return ``caps`` with the models whose provider is configured first (order kept otherwise)."""
    return sorted(caps, key=lambda c: not is_configured(cap=c))


def model_picker(label: str, caps: Sequence, *, current: tuple[str, str] | None, key: str,
                 container=st, help: str | None = None) -> tuple[str, str]:
    """A selectbox over ``caps`` showing (and keeping in sync with) the stored ``current`` choice.

    With no stored choice, or one that is not among the models, the first configured model is
    picked. Returns (provider, model); shows a caption naming the setting when the pick needs one."""
    caps = usable_first(caps)
    if current is not None:
        try:  # stored defaults may use an alias ("local/keyframe"); compare canonical names
            cap = get_registry().get(provider=current[0], model=current[1],
                                     operation=caps[0].operation if caps else None)
            current = (cap.provider, cap.model)
        except Exception:  # noqa: BLE001 - an unknown stored model just selects the first usable one
            current = None
    keys = [(c.provider, c.model) for c in caps]
    by_key = dict(zip(keys, caps))
    default = current if current in by_key else (keys[0] if keys else None)
    synced(key, default, options=keys)
    choice = container.selectbox(label, keys, key=key, help=help,
                                 format_func=lambda k: model_label(by_key[k]) if k in by_key else str(k))
    if choice in by_key and not is_configured(cap=by_key[choice]):
        need = " or ".join(required_settings(cap=by_key[choice]))
        container.caption(f"⚠️ {by_key[choice].provider} is not set up: set **{need}** to generate with it.")
    return choice
