"""Voice Studio: record or upload takes for a character or a dialogue line, replay, rename, delete,
and convert a take to the character's voice."""
import streamlit as st

from core.ui.nav import ensure_navigation

ensure_navigation(__file__)

from core.breakdowns import character_id_for, list_characters, list_scene_cards
from core.ui.common import require_project
from core.ui.jobs import watch_jobs
from core.ui.recorder import recorder, recovery_panel, takes_panel

st.title("🎙️ Voice Studio")
project = require_project("Voice Studio")
st.caption("Record your own reading of a line in the browser (or upload one), then turn it into the "
           "character's voice. Original takes are always kept.")

watch_jobs(project_id=project.id)  # conversions are queued: the page redraws when one lands
recovery_panel(project_id=project.id)

characters = {c.character_id: c.name for c in list_characters(project_id=project.id)}
lines = []  # (label, shot_id, line_index, character_id)
for card in list_scene_cards(project_id=project.id):
    for shot in card.shots:
        for i, d in enumerate(shot.dialogue or []):
            slug = character_id_for(project_id=project.id, name=d.get("character", ""))
            text = d.get("text", "")
            lines.append((f"Scene {card.scene.order + 1} · shot {shot.order + 1} · {d.get('character', '?')}: "
                          f"{text[:60]}{'…' if len(text) > 60 else ''}", shot.id, i,
                          slug if slug in characters else None))

if not characters:
    st.info("No characters yet: run the **Breakdown** to record per character or per line. "
            "Takes recorded now are kept unassigned.")
mode = st.radio("Record for", ["A character", "A dialogue line"], horizontal=True, key="vs_mode",
                disabled=not characters)
character_id = shot_id = line_index = None
if characters and mode == "A character":
    character_id = st.selectbox("Character", list(characters), format_func=characters.get, key="vs_character")
elif characters:
    if not lines:
        st.info("The breakdown has no dialogue lines.")
        st.stop()
    choice = st.selectbox("Line", range(len(lines)), format_func=lambda i: lines[i][0], key="vs_line")
    _, shot_id, line_index, character_id = lines[choice]

st.subheader("Record a take")
recorder(key="voice_rec", project_id=project.id, character_id=character_id, shot_id=shot_id,
         line_index=line_index)

st.subheader("Takes")
show_all = st.toggle("Show every take of the project", key="vs_all")
if show_all:
    takes_panel(project_id=project.id, characters=characters)
else:
    takes_panel(project_id=project.id, character_id=character_id, shot_id=shot_id, line_index=line_index,
                characters=characters)
