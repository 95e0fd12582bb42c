"""World & Cast: the art style and default models, and per character a style card, style tokens,
reference images (upload or generated portraits) and a voice with a spoken preview.
A thin view over ``core.cast`` and ``core.generation.facade``."""
import streamlit as st

from core.ui.nav import ensure_navigation

ensure_navigation(__file__)

from core import cast
from core.generation.facade import wait_all
from core.generation.prompts import ART_STYLES
from core.media_assets import asset_path
from core.projects import get_project
from core.registry import get_registry
from core.ui.common import require_project
from core.ui.errors import shown_errors
from core.ui.prereq import require_step
from core.ui.recorder import recorder, recovery_panel, takes_panel

WAIT_S = 120  # how long a click waits for its result before leaving it to run in the background
CUSTOM = "Custom…"

st.title("🎭 World & Cast")
st.caption("Art style, a style card per character, reference images and voices — reused by every shot.")
project = require_project("World & Cast")
require_step(project=project, need="breakdown")
registry = get_registry()


def _model_picker(label: str, media_type: str, operation: str, current: tuple[str, str], key: str):
    caps = [c for c in registry.list(media_type=media_type) if c.operation == operation]
    keys = [(c.provider, c.model) for c in caps]
    try:  # project defaults may use an alias ("local/keyframe"); compare canonical names
        resolved = registry.get(provider=current[0], model=current[1], operation=operation)
        current = (resolved.provider, resolved.model)
    except Exception:  # noqa: BLE001 - an unknown stored model just selects the first one
        pass
    index = keys.index(current) if current in keys else 0
    return st.selectbox(label, keys, index=index, key=key, format_func=lambda k: f"{k[0]} · {k[1]}")


# --- world ----------------------------------------------------------------------------------------
st.subheader("World")
presets = list(ART_STYLES)
is_preset = project.art_style in presets
col_style, col_free = st.columns(2)
choice = col_style.selectbox("Art style", presets + [CUSTOM],
                             index=presets.index(project.art_style) if is_preset else len(presets), key="art_style")
free = col_free.text_input("Your own style (free text)", value="" if is_preset else project.art_style,
                           key="art_style_free", disabled=choice != CUSTOM)
if choice != CUSTOM:
    col_free.caption(ART_STYLES[choice])
world_notes = st.text_area("World notes (added to every prompt)", value=project.style_card, key="world_notes")
c1, c2, c3 = st.columns(3)
image_choice = _model_picker("Keyframe model", "image", "generate", (project.image_provider, project.image_model), "world_image")
video_choice = _model_picker("Clip model", "video", "generate", (project.video_provider, project.video_model), "world_video")
voice_choice = _model_picker("Default voice model", "voice", "tts", (project.voice_provider, project.voice_model), "world_voice")
if st.button("Save world", type="primary", key="save_world"):
    with shown_errors("World"):
        cast.set_world(project_id=project.id, art_style=free.strip() if choice == CUSTOM else choice,
                       style_card=world_notes, image_provider=image_choice[0], image_model=image_choice[1],
                       video_provider=video_choice[0], video_model=video_choice[1],
                       voice_provider=voice_choice[0], voice_model=voice_choice[1])
        st.success("World saved.")
        project = get_project(project_id=project.id)

# --- cast -----------------------------------------------------------------------------------------
st.subheader("Cast")
characters = cast.list_cast(project_id=project.id)
if not characters:
    st.info("The breakdown found no speaking characters; shots are drawn from the prompt alone.")
    st.stop()
b1, b2 = st.columns(2)
if b1.button("✍️ Write style cards from the script", key="write_cards",
             help="Gemini when GOOGLE_API_KEY is set, the offline writer otherwise; only empty cards"):
    with shown_errors("Style cards"):
        done = cast.generate_style_cards(project_id=project.id)
        st.success(f"Wrote {len(done)} style card(s).")
if b2.button("🎙️ Give every character a voice", key="assign_voices"):
    with shown_errors("Voices"):
        done = cast.ensure_voices(project_id=project.id)
        st.success(f"Assigned {len(done)} voice(s).")
characters = cast.list_cast(project_id=project.id)
voice_providers = cast.available_voice_providers()
names = {c.character_id: c.name for c in characters}
recovery_panel(project_id=project.id)

for c in characters:
    cid = c.character_id
    with st.expander(f"**{c.name}** — {len(c.reference_images)} reference(s), voice {c.voice_id or 'not set'}",
                     expanded=len(characters) <= 3):
        card = st.text_area("Style card (appearance)", value=c.style_card, key=f"card_{cid}",
                            placeholder="age, build, hair, clothes, a distinguishing mark…")
        tokens = st.text_input("Style tokens (appended to every prompt with this character)", value=c.style_tokens,
                               key=f"tokens_{cid}")
        if st.button("Save card", key=f"save_card_{cid}"):
            with shown_errors(c.name):
                cast.update_character(project_id=project.id, character_id=cid, style_card=card, style_tokens=tokens)
                st.success("Saved.")

        st.markdown("**Reference images** — the identity every shot uses (never a start or end frame).")
        refs = cast.get_character(project_id=project.id, character_id=cid).reference_images
        if refs:
            cols = st.columns(min(4, len(refs)))
            for i, ref in enumerate(refs):
                with cols[i % len(cols)]:
                    with shown_errors("Reference"):
                        st.image(str(asset_path(media_id=ref)), width="stretch")
                    if st.button("Remove", key=f"rm_{cid}_{ref}"):
                        cast.remove_reference(project_id=project.id, character_id=cid, media_id=ref)
                        st.rerun()
        up = st.file_uploader("Upload a reference picture", type=["png", "jpg", "jpeg", "webp"], key=f"up_{cid}")
        if up is not None and st.button("Add upload", key=f"add_up_{cid}"):
            with shown_errors("Upload"):
                cast.add_reference_upload(project_id=project.id, character_id=cid, data=up.getvalue(), filename=up.name)
                st.success("Reference added.")
        pm = _model_picker("Portrait model", "image", "generate", (project.image_provider, project.image_model),
                           f"pmodel_{cid}")
        if st.button("🎨 Generate 2 portrait candidates", key=f"portraits_{cid}"):
            with shown_errors("Portraits"):
                jobs = cast.portrait_candidates(project_id=project.id, character_id=cid, provider=pm[0], model=pm[1])
                st.session_state[f"cands_{cid}"] = [j.id for j in wait_all(job_ids=[j.id for j in jobs], timeout_s=WAIT_S)]
        cand_ids = st.session_state.get(f"cands_{cid}") or []
        if cand_ids:
            jobs = wait_all(job_ids=cand_ids, timeout_s=0.01)
            cols = st.columns(len(jobs))
            for col, job in zip(cols, jobs):
                with col:
                    if job.status == "succeeded":
                        st.image(str(asset_path(media_id=job.result_media_id)), width="stretch")
                        if st.button("Keep this one", key=f"keep_{cid}_{job.id}"):
                            cast.pick_reference(project_id=project.id, character_id=cid, media_id=job.result_media_id)
                            st.session_state[f"cands_{cid}"] = []
                            st.rerun()
                    elif job.status == "failed":
                        st.error(f"Failed: {job.error}")
                    else:
                        st.caption(f"{job.status}… (refresh to see it)")

        st.markdown("**Voice**")
        v1, v2 = st.columns(2)
        vp_index = voice_providers.index(c.voice_provider) if c.voice_provider in voice_providers else 0
        vprov = v1.selectbox("Voice provider", voice_providers, index=vp_index, key=f"vprov_{cid}")
        with shown_errors("Voices"):
            voices = cast.voice_choices(provider=vprov)
            ids = [v.voice_id for v in voices]
            labels = {v.voice_id: v.label for v in voices}
            vid = v2.selectbox("Voice", ids, index=ids.index(c.voice_id) if c.voice_id in ids else 0,
                               key=f"voice_{cid}", format_func=lambda i: labels.get(i, i))
            s1, s2 = st.columns(2)
            if s1.button("Save voice", key=f"save_voice_{cid}"):
                cast.update_character(project_id=project.id, character_id=cid, voice_provider=vprov, voice_id=vid)
                st.success("Voice saved.")
            if s2.button("🔊 Preview voice", key=f"preview_{cid}"):
                cast.update_character(project_id=project.id, character_id=cid, voice_provider=vprov, voice_id=vid)
                job = wait_all(job_ids=[cast.preview_voice(project_id=project.id, character_id=cid).id],
                               timeout_s=WAIT_S)[0]
                st.session_state[f"preview_job_{cid}"] = job.id
        pj = st.session_state.get(f"preview_job_{cid}")
        if pj:
            job = wait_all(job_ids=[pj], timeout_s=0.01)[0]
            if job.status == "succeeded":
                st.audio(str(asset_path(media_id=job.result_media_id)))
            elif job.status == "failed":
                st.error(f"Preview failed: {job.error}")

        st.markdown("**Record a voice sample** — your own reading, kept as a take; convert it to this voice.")
        recorder(key=f"cast_rec_{cid}", project_id=project.id, character_id=cid)
        takes_panel(project_id=project.id, character_id=cid, characters=names)
