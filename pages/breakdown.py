"""Breakdown: scenes, characters and shot cards (type, action, dialogue, duration), all editable."""
import zlib

import streamlit as st

from core.ui.nav import ensure_navigation

ensure_navigation(__file__)

from core.breakdowns import (
    breakdown_modes,
    add_shot, delete_shot, list_characters, list_scene_cards, merge_with_next, move_shot,
    run_breakdown, shot_labels, split_shot, total_duration, update_shot,
)
from core.errors import NotFound
from core.media_assets import asset_path
from core.scripts import latest_version
from core.timeline.store import list_items
from core.ui.common import needs, require_project
from core.ui.errors import shown_errors

st.title("🧩 Breakdown")
st.caption("The script as scenes and shot cards. Edit a shot's type, action and length; split, merge, reorder "
           "or add shots. Each card shows its storyboard keyframe once it has one.")
project = require_project("Breakdown")
if latest_version(project_id=project.id) is None:
    needs("The breakdown needs a script. Write, paste or import one first.", "pages/script.py", "Go to Script")

from core.story.models import SHOT_TYPES  # noqa: E402  (after the empty-state check)

cards = list_scene_cards(project_id=project.id)
shots_total = sum(len(c.shots) for c in cards)
c1, c2 = st.columns([2, 3])
mode = c1.selectbox("Parser", breakdown_modes(), key="bd_mode",
                    help="auto detects a screenplay; prose reads stories; gemini (with GOOGLE_API_KEY) asks Gemini "
                         "for a structured breakdown")
confirmed = True
if cards:
    made = sum(1 for c in cards for sh in c.shots if sh.keyframe_media_id or sh.clip_media_id)
    warn = f", the keyframe/clip choices of {made} shot(s)" if made else ""
    placed = len(list_items(project_id=project.id, track="voice")) + len(list_items(project_id=project.id, track="sfx"))
    sounds = f", their {placed} voiced line(s) and effect(s) on the timeline" if placed else ""
    confirmed = c1.checkbox(f"Replace all {shots_total} shot cards", key="confirm_rebreak",
                            help=f"Re-running drops the shot cards, their edits{warn}{sounds}. Generated media "
                                 "stays in the library; characters, their styles and the music are kept.")
label = "Re-run breakdown" if cards else "Break the script down"
if c1.button(label, type="primary", key="run_breakdown", disabled=not confirmed):
    with shown_errors("Breakdown failed"):
        with st.spinner("Reading the script…"):
            cards = run_breakdown(project_id=project.id, mode=mode)
        st.session_state.pop("confirm_rebreak", None)
        st.rerun()

if not cards:
    st.info("No scenes yet: press **Break the script down** to propose scenes, characters and shots.")
    st.stop()

total = total_duration(project_id=project.id)
off_target = round(total - project.target_length_s)
c2.metric("Film length", f"{total:.0f} s", delta=f"{off_target:+d} s vs target" if off_target else None,
          delta_color="off", help=None if off_target else "On target")
c2.caption(f"{len(cards)} scenes · {shots_total} shots")

chars = list_characters(project_id=project.id)
if chars:
    st.markdown("**Characters:** " + ", ".join(f"{c.name} ({c.dialogue_blocks})" for c in chars))


def _thumbnail(box, media_id: str | None) -> None:
    if not media_id:
        box.caption("🖼️ No keyframe yet — made on the Storyboard step.")
        return
    try:
        box.image(str(asset_path(media_id=media_id)), width="stretch")
    except NotFound:
        box.caption("🖼️ Keyframe file missing.")


numbers = shot_labels(project_id=project.id)
for n_card, card in enumerate(cards):
    sc = card.scene
    with st.expander(f"Scene {n_card + 1} · {sc.heading} — {len(card.shots)} shot(s)",
                     expanded=len(cards) <= 3 or n_card == 0):
        if sc.summary:
            st.caption(sc.summary)
        for n, shot in enumerate(card.shots):
            box = st.container(border=True)
            thumb, h1, h2, h3 = box.columns([1.4, 1.6, 4, 1])
            thumb.markdown(f"**Shot {numbers[shot.id]}**")
            _thumbnail(thumb, shot.keyframe_media_id)
            # Keys carry the stored values, so a split, merge or save shows the new values at once
            # instead of what the widgets held before (which a later Save would write back).
            key = f"shot{shot.id}_{zlib.crc32(repr((shot.shot_type, shot.action, round(shot.duration_s, 2))).encode())}"
            shot_type = h1.selectbox("Shot type", SHOT_TYPES, index=SHOT_TYPES.index(shot.shot_type)
                                     if shot.shot_type in SHOT_TYPES else 3, key=f"{key}_type")
            action = h2.text_area("Action", value=shot.action, key=f"{key}_action", height=80)
            on_step = max(0.5, round(float(shot.duration_s) * 2) / 2)  # shown on the widget's 0.5 s step
            duration = h3.number_input("Seconds", min_value=0.5, max_value=60.0, value=on_step,
                                       step=0.5, format="%.1f", key=f"{key}_dur")
            if shot.dialogue:
                h2.markdown("\n".join(f"> **{d.get('character', '')}**: {d.get('text', '')}" for d in shot.dialogue))
            if shot.characters:
                h2.caption("In shot: " + ", ".join(shot.characters))
            changed = (shot_type, action, float(duration)) != (shot.shot_type, shot.action, on_step)
            last = n == len(card.shots) - 1
            b = box.columns(6)
            if b[0].button("💾 Save" + (" changes" if changed else ""), key=f"shot{shot.id}_save",
                           type="primary" if changed else "secondary", disabled=not changed,
                           help=None if changed else "Nothing to save: edit the type, action or length first"):
                with shown_errors("Not saved"):
                    update_shot(shot_id=shot.id, shot_type=shot_type, action=action, duration_s=duration)
                    st.toast(f"Saved shot {numbers[shot.id]}")
                    st.rerun()
            if b[1].button("⬆️", key=f"shot{shot.id}_up", help="Move up", disabled=n == 0):
                move_shot(shot_id=shot.id, delta=-1)
                st.rerun()
            if b[2].button("⬇️", key=f"shot{shot.id}_down", help="Move down", disabled=last):
                move_shot(shot_id=shot.id, delta=1)
                st.rerun()
            if b[3].button("✂️ Split", key=f"shot{shot.id}_split", help="Two shots of half the length; dialogue divided"):
                split_shot(shot_id=shot.id)
                st.rerun()
            if b[4].button("🔗 Merge next", key=f"shot{shot.id}_merge", disabled=last,
                           help="Last shot of the scene: nothing to merge with" if last else "Join with the next shot"):
                with shown_errors("Not merged"):
                    merge_with_next(shot_id=shot.id)
                    st.rerun()
            if b[5].button("🗑️", key=f"shot{shot.id}_delete", help="Delete shot"):
                delete_shot(shot_id=shot.id)
                st.rerun()
        if st.button("➕ Add shot", key=f"add_{sc.id}"):
            add_shot(scene_id=sc.id)
            st.rerun()
