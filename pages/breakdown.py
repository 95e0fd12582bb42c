"""Breakdown: scenes, characters and shot cards (type, action, dialogue, duration), all editable."""
import streamlit as st

from core.ui.nav import ensure_navigation

ensure_navigation(__file__)

from core.breakdowns import (
    add_shot, delete_shot, list_characters, list_scene_cards, merge_with_next, move_shot,
    run_breakdown, split_shot, total_duration, update_shot,
)
from core.scripts import latest_version
from core.ui.common import needs, require_project
from core.ui.errors import shown_errors

st.title("🧩 Breakdown")
project = require_project("Breakdown")
if latest_version(project_id=project.id) is None:
    needs("The breakdown needs a script. Write, paste or import one first.", "pages/script.py", "Go to Script")

from core.story.models import SHOT_TYPES  # noqa: E402  (after the empty-state check)

cards = list_scene_cards(project_id=project.id)
c1, c2 = st.columns([2, 3])
mode = c1.selectbox("Parser", ["auto", "fountain", "prose"], help="auto detects a screenplay; prose reads stories")
label = "Re-run breakdown (replaces shot cards)" if cards else "Break the script down"
if c1.button(label, type="primary", key="run_breakdown"):
    with shown_errors("Breakdown failed"):
        with st.spinner("Reading the script…"):
            cards = run_breakdown(project_id=project.id, mode=mode)
        st.rerun()

if not cards:
    st.info("No scenes yet: press **Break the script down** to propose scenes, characters and shots.")
    st.stop()

shots_total = sum(len(c.shots) for c in cards)
total = total_duration(project_id=project.id)
c2.metric("Film length", f"{total:.0f} s", delta=f"{total - project.target_length_s:+.0f} s vs target",
          delta_color="off")
c2.caption(f"{len(cards)} scenes · {shots_total} shots")

chars = list_characters(project_id=project.id)
if chars:
    st.markdown("**Characters:** " + ", ".join(f"{c.name} ({c.dialogue_blocks})" for c in chars))

for card in cards:
    sc = card.scene
    with st.expander(f"Scene {sc.order + 1} · {sc.heading} — {len(card.shots)} shot(s)", expanded=len(cards) <= 3):
        if sc.summary:
            st.caption(sc.summary)
        for shot in card.shots:
            box = st.container(border=True)
            h1, h2, h3 = box.columns([2, 4, 1])
            key = f"shot{shot.id}"
            shot_type = h1.selectbox("Shot type", SHOT_TYPES, index=SHOT_TYPES.index(shot.shot_type)
                                     if shot.shot_type in SHOT_TYPES else 3, key=f"{key}_type")
            action = h2.text_input("Action", value=shot.action, key=f"{key}_action")
            duration = h3.number_input("Seconds", min_value=0.5, max_value=60.0, value=float(shot.duration_s),
                                       step=0.5, key=f"{key}_dur")
            if shot.dialogue:
                box.markdown("\n".join(f"> **{d.get('character', '')}**: {d.get('text', '')}" for d in shot.dialogue))
            if shot.characters:
                box.caption("In shot: " + ", ".join(shot.characters))
            b = box.columns(6)
            if b[0].button("💾 Save", key=f"{key}_save"):
                with shown_errors("Not saved"):
                    update_shot(shot_id=shot.id, shot_type=shot_type, action=action, duration_s=duration)
                    st.rerun()
            if b[1].button("⬆️", key=f"{key}_up", help="Move up"):
                move_shot(shot_id=shot.id, delta=-1)
                st.rerun()
            if b[2].button("⬇️", key=f"{key}_down", help="Move down"):
                move_shot(shot_id=shot.id, delta=1)
                st.rerun()
            if b[3].button("✂️ Split", key=f"{key}_split"):
                split_shot(shot_id=shot.id)
                st.rerun()
            if b[4].button("🔗 Merge next", key=f"{key}_merge"):
                with shown_errors("Not merged"):
                    merge_with_next(shot_id=shot.id)
                    st.rerun()
            if b[5].button("🗑️", key=f"{key}_delete", help="Delete shot"):
                delete_shot(shot_id=shot.id)
                st.rerun()
        if st.button("➕ Add shot", key=f"add_{sc.id}"):
            add_shot(scene_id=sc.id)
            st.rerun()
