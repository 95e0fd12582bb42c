"""Media Lab: pick a media type, a provider and a model, fill the model's own form, validate.

A thin view: what a model accepts comes from the registry, the form from ``core.ui.forms``,
generation from ``core.generation.facade``. Works with or without a project.
"""
from __future__ import annotations

import streamlit as st

from core.ui.nav import ensure_navigation

ensure_navigation(__file__)

from core.generation import facade as generation
from core.jobs.service import get_job
from core.registry import get_registry
from core.ui.common import provider_ready
from core.ui.errors import field_title, shown_errors
from core.ui.pickers import library_choices, library_upload
from core.ui.forms import render_form
from core.ui.jobs import watch_job
from core.ui.model_finder import model_finder, role_editor, schema_status
from core.ui.signin import may, why_not

MEDIA_LABELS = {"video": "🎞️ Video", "image": "🖼️ Image", "voice": "🗣️ Voice", "music": "🎵 Music",
                "sfx": "💥 Sound effect", "lipsync": "👄 Lip sync", "text": "📝 Text"}

def _shown(value) -> str:
    """A validated value as a person reads it: media by name, long text shortened."""
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value) or "—"
    text = str(value)
    if text.startswith("media:"):
        return f"library file {text[6:12]}…"
    return text if len(text) <= 120 else text[:117] + "…"


st.title("🧪 Media Lab")
st.caption("Try any model with its own settings. Fields follow the model's schema; combinations "
           "it does not accept are blocked before anything is sent.")

project_id = st.session_state.get("project_id")
# A model picked in the finder (last run) becomes the selection before the pickers are drawn.
pending = st.session_state.pop("lab_pending_pick", None)
if pending:
    picked_type, picked_provider, picked_model = pending
    st.session_state["lab_media_type"] = picked_type
    st.session_state[f"lab_provider_{picked_type}"] = picked_provider
    st.session_state[f"lab_model_{picked_type}_{picked_provider}"] = picked_model

with shown_errors("Capabilities"):
    registry = get_registry()
    found = model_finder(key="lab_finder")
    if found:
        found_cap = registry.get(provider=found[0], model=found[1])
        st.session_state["lab_pending_pick"] = (found_cap.media_type, found_cap.provider, found_cap.model)
        st.rerun()

    media_type = st.selectbox("Media type", registry.media_types(), key="lab_media_type",
                              format_func=lambda m: MEDIA_LABELS.get(m, m))
    # Providers that are set up (keys present; local always) come first, so Generate works as is.
    ready = {c.provider for c in registry.list(media_type=media_type) if provider_ready(c)}
    providers = sorted({c.provider for c in registry.list(media_type=media_type)}, key=lambda p: (p not in ready, p))
    provider = st.selectbox("Provider", providers, key=f"lab_provider_{media_type}",
                            format_func=lambda p: p if p in ready else f"{p} · not set up (no key)")
    if provider not in ready:
        st.caption("⚠️ This provider has no key configured: you can fill and validate the form, but "
                   "generating needs its key (see the README's settings).")
    caps = {c.model if c.operation == "generate" else f"{c.model} ({c.operation})": c
            for c in registry.list(media_type=media_type, provider=provider)}
    model_key = st.selectbox("Model", list(caps), key=f"lab_model_{media_type}_{provider}",
                             format_func=lambda k: f"{caps[k].title} · {k}" if caps[k].title != caps[k].model else k)
    # The lookup (not the list) reads a schema from its provider when it is due (a day old).
    cap = registry.get(provider=provider, model=caps[model_key].model, operation=caps[model_key].operation)
    schema_status(cap)

    with st.expander("About this model"):
        st.markdown(f"**{cap.title}** — `{cap.provider}` / `{cap.model}` · operation `{cap.operation}` · "
                    f"schema checked {cap.checked}")
        st.markdown("Roles: " + (", ".join(f"`{r}` → `{p}`" for r, p in sorted(cap.roles.items())) or "none"))
        for doc in cap.docs:
            st.markdown(f"- {doc}")
        if cap.spec.notes:
            st.caption(cap.spec.notes)
    role_editor(cap, key="lab")

    choices, upload = None, None
    if project_id is not None:  # pickers over the project's media of each field's kind, with uploads
        choices = library_choices(project_id=int(project_id))
        upload = library_upload(project_id=int(project_id))
    labels = {spec.name: spec.label for spec in cap.fields()}

    st.subheader("Settings")
    params = render_form(cap=cap, key="media_lab", media_choices=choices, on_upload=upload)

    col_validate, col_generate = st.columns(2)
    validate_clicked = col_validate.button("Validate", type="secondary", key="lab_validate")

    if validate_clicked:
        with shown_errors("Not valid", labels=labels):
            validated = cap.validate(params)
            st.success("✅ Valid — these settings can be sent to the provider.")
            cost = cap.estimate_cost(validated)
            if cost is None:
                st.caption("Cost estimate: not known for this model (no documented price, or it depends on the input's length).")
            elif cost == 0:
                st.caption("Cost estimate: free (runs on this machine).")
            else:
                st.caption(f"Cost estimate: about ${cost:.2f}")
            st.markdown("\n".join(f"- **{field_title(k, labels)}**: {_shown(v)}" for k, v in validated.items()))

    if col_generate.button("Generate", type="primary", key="lab_generate", disabled=not may("generate"),
                           help=why_not("generate")):
        with shown_errors("Generation", labels=labels):
            validated = cap.validate(params)
            # Queued, never waited on: the result shows below when the job ends (watch_job redraws).
            job = generation.generate(provider=cap.provider, model=cap.model, operation=cap.operation,
                                      params=validated, project_id=project_id)
            st.session_state.lab_result = ((cap.provider, cap.model), job.id)

    result = st.session_state.get("lab_result")
    if result and result[0] == (cap.provider, cap.model):  # a result belongs to the model that made it
        job = get_job(job_id=result[1])
        status, error, media_id = job.status, job.error, job.result_media_id
        watch_job(job=job)
        if status == "failed":
            st.error(f"Generation failed: {error}")
        elif status != "succeeded" or not media_id:
            st.info(f"Generating with {cap.title}: {status.replace('_', ' ')}… The result shows here when it is "
                    "ready (it also lands in the project's media library).")
        else:
            from core.media_assets import asset_path, get_asset

            with shown_errors("Result"):
                asset = get_asset(media_id=media_id)
                path = str(asset_path(media_id=media_id))
                st.success(f"Done: {asset.type} from {asset.provider} · {asset.model}"
                           + (" (kept in the project's media library)" if asset.project_id else ""))
                if asset.type in ("image",):
                    st.image(path, width="stretch")
                elif asset.type in ("video", "render", "lipsync"):
                    st.video(path)
                elif asset.type in ("voice", "music", "sfx"):
                    st.audio(path)
                else:
                    st.caption(f"Stored as media `{media_id[:8]}`.")
