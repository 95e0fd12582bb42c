"""Model pickers shared by the pages: models whose provider is set up come first; the others are
marked with the setting that enables them, so nobody finds out only at Generate."""
from __future__ import annotations

from typing import Sequence

import streamlit as st

from core.generation.library import KIND_TYPES, media_options, upload_media
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
            if cap.retired:  # hidden from the list: say why the stored choice is not selected
                container.warning(f"{label}: {cap.provider}/{cap.model} was retired on {cap.retired}; "
                                  f"{cap.provider}/{cap.replacement} replaces it. Pick a model and save.")
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


def library_choices(*, project_id: int) -> dict[str, list[tuple[str, str, str | None]]]:
    """Return the project's media per kind as ``render_form`` media choices: (value, label,
    thumbnail), newest first, named by shot or character."""
    return {kind: [(f"media:{o.media_id}", o.label, o.thumb) for o in media_options(project_id=project_id, kind=kind)]
            for kind in KIND_TYPES}


def library_upload(*, project_id: int):
    """Return the ``on_upload`` callback for ``render_form``: the file joins the project's library."""

    def _upload(kind: str, name: str, data: bytes) -> tuple[str, str, str | None]:
        opt = upload_media(project_id=project_id, kind=kind, name=name, data=data)
        return f"media:{opt.media_id}", opt.label, opt.thumb

    return _upload


def media_picker(label: str, *, project_id: int, kind: str, key: str, current: str | None,
                 disabled: bool = False, help: str | None = None) -> str | None:
    """Pick one media id of ``kind`` (or none) from the project's library — newest first, named by
    shot or character, the picked one shown as a thumbnail — with an inline upload. Follows the
    stored ``current`` value (see ``synced``); returns the media id picked."""
    options = media_options(project_id=project_id, kind=kind)
    up = st.file_uploader(f"…or upload a new {kind}", key=f"{key}__upload", disabled=disabled,
                          type={"image": ["png", "jpg", "jpeg", "webp"], "video": ["mp4", "mov", "webm"],
                                "audio": ["wav", "mp3", "ogg", "flac", "m4a"]}[kind])
    done = st.session_state.setdefault(f"{key}__uploaded", set())
    if up is not None and up.file_id not in done and not disabled:
        done.add(up.file_id)
        new = upload_media(project_id=project_id, kind=kind, name=up.name, data=up.getvalue())
        options = [new, *options]
        st.session_state[key] = new.media_id
        st.session_state[f"_synced_from::{key}"] = current if current in {o.media_id for o in options} else None
    by_id = {o.media_id: o for o in options}
    ids = [None, *by_id]
    synced(key, current if current in by_id else None, options=ids)  # an upload above stays picked
    pick = st.selectbox(label, ids, key=key, disabled=disabled, help=help,
                        format_func=lambda m: "—" if m is None else by_id[m].label)
    if pick in by_id and by_id[pick].thumb:
        st.image(by_id[pick].thumb, width=120)
    return pick
