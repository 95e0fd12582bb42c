"""World & Cast: the art style and default models, and per character a style card, style tokens,
reference images (upload or generated portraits) and a voice with a spoken preview.
A thin view over ``core.cast`` and ``core.generation.facade``."""
import streamlit as st

from core.ui.nav import ensure_navigation

ensure_navigation(__file__)

from core import cast
from core.generation.prompts import ART_STYLES
from core.jobs.service import get_job
from core.media_assets import asset_path
from core.projects import get_project
from core.registry import get_registry
from core.ui.common import require_project
from core.ui.errors import shown_errors
from core.ui.jobs import watch_jobs
from core.ui.prereq import require_step
from core.ui.pickers import model_picker
from core.ui.recorder import recorder, recovery_panel, takes_panel
from core.ui.signin import may, why_not
from core.ui.state import notify, rerun, synced

CUSTOM = "Custom…"

st.title("🎭 World & Cast")
st.caption("Art style, a style card per character, reference images and voices — reused by every shot.")
project = require_project("World & Cast")
require_step(project=project, need="breakdown")
# Portraits and voice previews are queued, never waited on: the page redraws when one of the
# project's jobs ends, while any runs.
watch_jobs(project_id=project.id)
registry = get_registry()


def _model_picker(label: str, media_type: str, operation: str, current: tuple[str, str], key: str):
    caps = [c for c in registry.list(media_type=media_type) if c.operation == operation]
    return model_picker(label, caps, current=current, key=key)


# --- world ----------------------------------------------------------------------------------------
st.subheader("World")
presets = list(ART_STYLES)
# A new project starts on the first preset (not an empty "Custom…" box); Save world stores it.
stored_style = project.art_style or presets[0]
is_preset = stored_style in presets
col_style, col_free = st.columns(2)
choice = col_style.selectbox("Art style", presets + [CUSTOM],
                             key=synced("art_style", stored_style if is_preset else CUSTOM, options=presets + [CUSTOM]))
free = col_free.text_input("Your own style (free text)", key=synced("art_style_free", "" if is_preset else stored_style),
                           disabled=choice != CUSTOM)
if choice != CUSTOM:
    col_free.caption(ART_STYLES[choice])
world_notes = st.text_area("World notes (added to every prompt)", key=synced("world_notes", project.style_card))
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
        notify("World saved.")
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
        notify(f"Wrote {len(done)} style card(s)." if done else "Every character already has a style card.")
if b2.button("🎙️ Give every character a voice", key="assign_voices"):
    with shown_errors("Voices"):
        done = cast.ensure_voices(project_id=project.id)
        notify(f"Assigned {len(done)} voice(s)." if done else "Every character already has a voice.")
characters = cast.list_cast(project_id=project.id)
voice_providers = cast.available_voice_providers()
names = {c.character_id: c.name for c in characters}
recovery_panel(project_id=project.id)

for c in characters:
    cid = c.character_id
    # A key keeps the card open or closed across actions that change its title.
    voice = cast.voice_label(voice_id=c.voice_id)
    with st.expander(f"**{c.name}** — {len(c.reference_images)} reference(s), voice {voice}",
                     expanded=len(characters) <= 3, key=f"card_box_{cid}"):
        card = st.text_area("Style card (appearance)", key=synced(f"card_{cid}", c.style_card),
                            placeholder="age, build, hair, clothes, a distinguishing mark…")
        tokens = st.text_input("Style tokens (appended to every prompt with this character)",
                               key=synced(f"tokens_{cid}", c.style_tokens))
        if st.button("Save card", key=f"save_card_{cid}"):
            with shown_errors(c.name):
                cast.update_character(project_id=project.id, character_id=cid, style_card=card, style_tokens=tokens)
                notify(f"Saved {c.name}'s card.")

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
                        notify("Reference removed.")
                        rerun()
        up = st.file_uploader("Upload a reference picture", type=["png", "jpg", "jpeg", "webp"], key=f"up_{cid}")
        if up is not None and st.button("Add upload", key=f"add_up_{cid}"):
            with shown_errors("Upload"):
                cast.add_reference_upload(project_id=project.id, character_id=cid, data=up.getvalue(), filename=up.name)
                notify("Reference added.")
                rerun()
        pm = _model_picker("Portrait model", "image", "generate", (project.image_provider, project.image_model),
                           f"pmodel_{cid}")
        if st.button("🎨 Generate 2 portrait candidates", key=f"portraits_{cid}", disabled=not may("generate"),
                     help=why_not("generate")):
            with shown_errors("Portraits"):
                jobs = cast.portrait_candidates(project_id=project.id, character_id=cid, provider=pm[0], model=pm[1])
                st.session_state[f"cands_{cid}"] = [j.id for j in jobs]
        cand_ids = st.session_state.get(f"cands_{cid}") or []
        if cand_ids:
            jobs = [get_job(job_id=j) for j in cand_ids]
            cols = st.columns(len(jobs))
            for col, job in zip(cols, jobs):
                with col:
                    if job.status == "succeeded":
                        st.image(str(asset_path(media_id=job.result_media_id)), width="stretch")
                        if st.button("Keep this one", key=f"keep_{cid}_{job.id}"):
                            cast.pick_reference(project_id=project.id, character_id=cid, media_id=job.result_media_id)
                            st.session_state[f"cands_{cid}"] = []
                            notify("Reference kept.")
                            rerun()
                    elif job.status == "failed":
                        st.error(f"Failed: {job.error}")
                    else:
                        st.caption(f"{job.status.replace('_', ' ')}… (shown here when it is ready)")

        st.markdown("**Voice**")
        v1, v2 = st.columns(2)
        vprov = v1.selectbox("Voice provider", voice_providers,
                             key=synced(f"vprov_{cid}", c.voice_provider, options=voice_providers))
        with shown_errors("Voices"):
            voices = cast.voice_choices(provider=vprov)
            ids = [v.voice_id for v in voices]
            labels = {v.voice_id: v.label for v in voices}
            vid = v2.selectbox("Voice", ids, key=synced(f"voice_{cid}", c.voice_id, options=ids),
                               format_func=lambda i: labels.get(i, i))
            s1, s2 = st.columns(2)
            if s1.button("Save voice", key=f"save_voice_{cid}"):
                cast.update_character(project_id=project.id, character_id=cid, voice_provider=vprov, voice_id=vid)
                notify(f"{c.name} now speaks with {labels.get(vid, vid)}.")
            if s2.button("🔊 Preview voice", key=f"preview_{cid}"):
                cast.update_character(project_id=project.id, character_id=cid, voice_provider=vprov, voice_id=vid)
                st.session_state[f"preview_job_{cid}"] = cast.preview_voice(project_id=project.id, character_id=cid).id
        pj = st.session_state.get(f"preview_job_{cid}")
        if pj:
            job = get_job(job_id=pj)
            if job.status == "succeeded":
                st.audio(str(asset_path(media_id=job.result_media_id)))
            elif job.status == "failed":
                st.error(f"Preview failed: {job.error}")
            elif job.status not in ("cancelled", "unknown_outcome"):
                st.caption("🔊 Preview being voiced… it plays here when it is ready.")

        st.markdown("**Record a voice sample** — your own reading, kept as a take; convert it to this voice.")
        recorder(key=f"cast_rec_{cid}", project_id=project.id, character_id=cid)
        takes_panel(project_id=project.id, character_id=cid, characters=names)
