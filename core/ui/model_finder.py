"""Widgets for models beyond the shipped files: find one (type its reference, search, browse a
collection), see when its schema was read and what changed, and correct which field plays which
role. Provider-neutral: whatever the registry's model sources offer (Replicate today)."""
from __future__ import annotations

import streamlit as st

from core.registry import Capability, get_registry
from core.registry.role_overrides import EDITABLE_ROLES
from core.ui.errors import shown_errors

_ROLE_LABELS = {"start_frame": "Start frame", "end_frame": "End frame", "reference_images": "Reference images",
                "audio": "Audio (driving / soundtrack)"}
_NONE = "— none —"


def _runs(n: int | None) -> str:
    if n is None:
        return "runs unknown"
    for size, unit in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if n >= size:
            return f"{n / size:.1f}{unit} runs"
    return f"{n} runs"


def _use(provider: str, model: str) -> tuple[str, str] | None:
    with shown_errors("Model"):
        cap = get_registry().get(provider=provider, model=model.strip())
        return cap.provider, cap.model
    return None


def model_finder(*, key: str, expanded: bool = False) -> tuple[str, str] | None:
    """Draw one "any model" box per provider that publishes schemas; returns the ``(provider,
    model)`` the user chose in this run (fetched and kept, so every picker lists it), else None."""
    registry = get_registry()
    picked = None
    for provider in registry.sources():
        with st.expander(f"🔎 Any {provider} model: type owner/name, or search", expanded=expanded):
            setting = registry.source_setting(provider)
            if not registry.source_configured(provider):
                st.caption(f"⚠️ Reading a model's schema, and searching, need {setting}. Models fetched before "
                           "keep working from their saved schema.")
            c_ref, c_use = st.columns([4, 1])
            ref = c_ref.text_input("Model (owner/name or owner/name:version)", key=f"{key}_{provider}_ref",
                                   placeholder="e.g. kwaivgi/kling-v2.1")
            c_use.write("")
            if c_use.button("Use", key=f"{key}_{provider}_use", disabled=not ref.strip()):
                picked = _use(provider, ref) or picked
            c_q, c_go = st.columns([4, 1])
            query = c_q.text_input("Search models", key=f"{key}_{provider}_q", placeholder="e.g. image to video")
            c_go.write("")
            results_key = f"{key}_{provider}_results"
            if c_go.button("Search", key=f"{key}_{provider}_search", disabled=not query.strip()):
                with shown_errors("Search"):
                    st.session_state[results_key] = registry.search_models(provider=provider, query=query)
            slugs = registry.suggested_collections(provider=provider)
            for col, slug in zip(st.columns(len(slugs)), slugs):
                if col.button(slug, key=f"{key}_{provider}_coll_{slug}"):
                    with shown_errors("Collection"):
                        st.session_state[results_key] = registry.collection_models(provider=provider, slug=slug)
            results = st.session_state.get(results_key) or {}
            models = results.get("models") or []
            if results and not models:
                st.caption("No models found.")
            for i, m in enumerate(models[:20]):
                text, button = st.columns([5, 1])
                official = " · official" if m.get("is_official") else ""
                text.markdown(f"**{m['ref']}** · {_runs(m.get('run_count'))}{official}  \n"
                              f"{(m.get('description') or '')[:240]}")
                if button.button("Use", key=f"{key}_{provider}_pick_{i}"):
                    picked = _use(provider, m["ref"]) or picked
    return picked


def schema_status(cap: Capability) -> None:
    """Say when a fetched schema was read and show, visibly, what changed in it last."""
    if cap.fetched_at:
        st.caption(f"Schema read from {cap.provider} {cap.fetched_at[:16].replace('T', ' ')} UTC"
                   + (f" · version {cap.version[:12]}…" if cap.version else ""))
    if cap.schema_note:
        st.info(f"ℹ️ {cap.schema_note}")


def role_editor(cap: Capability, *, key: str) -> None:
    """Let the user correct which file field is the start frame, end frame, references and audio of a
    model whose roles were inferred from its provider's schema; saved for every page, the API and the CLI."""
    if cap.spec.openapi_schema is None:
        return  # hand-written files state their roles
    files = [f.name for f in cap.fields() if f.is_uri or f.is_uri_list]
    with st.expander("🎛️ Roles of this model's fields" + (" (corrected)" if cap.roles_corrected else "")):
        st.caption("Which field gets the shot's start frame, end frame, the character's references, the audio. "
                   "Guessed from the field names; correct them here if the guess is wrong.")
        if not files:
            st.caption("This model takes no files.")
            return
        chosen: dict[str, str | None] = {}
        for role in EDITABLE_ROLES:
            options = [_NONE, *files]
            current = cap.roles.get(role)
            value = st.selectbox(_ROLE_LABELS[role], options, key=f"{key}_role_{cap.model}_{role}",
                                 index=options.index(current) if current in options else 0)
            chosen[role] = None if value == _NONE else value
        changed = {r: v for r, v in chosen.items() if v != cap.roles.get(r)}
        c_save, c_reset = st.columns(2)
        if c_save.button("Save roles", key=f"{key}_roles_save_{cap.model}", disabled=not changed):
            with shown_errors("Roles"):
                base = {r: v for r, v in chosen.items() if r in cap.roles_corrected or r in changed}
                get_registry().correct_roles(provider=cap.provider, model=cap.model, roles=base)
                st.session_state[f"{key}_roles_saved"] = cap.model
                st.rerun()
        if st.session_state.get(f"{key}_roles_saved") == cap.model:
            st.success("Saved: every page, the API and the CLI use these roles for this model.")
        if cap.roles_corrected and c_reset.button("Back to the guessed roles", key=f"{key}_roles_reset_{cap.model}"):
            with shown_errors("Roles"):
                get_registry().correct_roles(provider=cap.provider, model=cap.model, roles={})
                st.rerun()
