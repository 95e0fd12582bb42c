"""Edit: Voice-over with timestamps, music ducked under the voice, sound effects, on a timeline."""
import streamlit as st

from core.ui.nav import ensure_navigation

ensure_navigation(__file__)

from core.cast import voice_label
from core.breakdowns import character_id_for, list_characters, list_shots, shot_labels
from core.media_assets import asset_path
from core.render.editor import apply_gesture, editor_view
from core.timeline.store import list_items, project_timeline, remove_sfx, set_item_gain
from core.ui.common import require_project
from core.ui.errors import shown_errors
from core.ui.jobs import watch_jobs, work_state
from core.ui.prereq import require_step
from core.ui.recorder import line_recording, recovery_panel
from core.ui.signin import may, why_not
from core.ui.state import notify, rerun, synced
from core.ui.timeline import timeline_editor
from core.generation.effects import AUTO_DONE, enqueue_auto_sfx, enqueue_sfx, sfx_choices, sfx_status
from core.generation.soundtrack import MUSIC_MOODS, enqueue_music, mood_for, music_status, upload_music
from core.generation.voiceover import dialogue_lines, enqueue_voiceover

st.title("🎚️ Edit")
st.caption("Voice-over with timestamps, music ducked under the voice, sound effects, on a timeline.")
project = require_project("Edit")
require_step(project=project, need="keyframes")
shots = list_shots(project_id=project.id)
shot_no = shot_labels(project_id=project.id)  # {shot id: "scene.shot"}

# Effects are attached once automatically; after that the user's additions and removals rule. They
# are queued (the project is marked at once, so a second visit queues nothing) and the workers
# attach them; watch_jobs below redraws the page as they land.
if not (project.settings or {}).get(AUTO_DONE) and may("generate"):
    with shown_errors("Sound effects"):
        enqueue_auto_sfx(project_id=project.id)

def _set_gain(row_id: int, key: str) -> None:
    # A callback: the level is saved before the page redraws, so the timeline above shows it.
    set_item_gain(row_id=row_id, gain_db=float(st.session_state[key]))


# While the project has unfinished jobs (lines being voiced, conversions…) the page redraws
# itself whenever one of them ends: results are placed by the workers, never waited on here.
watch_jobs(project_id=project.id)

st.subheader("Timeline")
st.caption("Drag a shot to reorder it, its edges to trim it; drag a voice line or an effect to move it; "
           "click a sound to set its level; click the ruler and press Play to hear the mix from there. "
           "Every change is saved; Preview re-renders only the shots it touched.")
with shown_errors("Timeline"):
    pt = project_timeline(project_id=project.id)
    gesture = timeline_editor(view=editor_view(project_id=project.id))
    if gesture is not None:
        notify(apply_gesture(project_id=project.id, gesture=gesture))
        rerun()
    tl = pt.timeline
    st.caption(f"{tl.duration_s:.1f} s · {len(tl.video)} shots · {len(tl.audio('voice'))} voice lines · "
               f"{len(tl.audio('music'))} music · {len(tl.audio('sfx'))} effects · {len(tl.cues)} subtitle cues")
    if pt.missing:
        st.warning(f"{len(pt.missing)} shot(s) have no keyframe yet and are left out.")
    if pt.stale_lines:
        st.warning(f"{pt.stale_lines} voice line(s) changed since they were voiced: voice them again.")
    st.page_link("pages/preview.py", label="Preview the animatic", icon="▶️")

voice_tab, music_tab, sfx_tab = st.tabs(["🗣️ Voice-over", "🎵 Music", "💥 Sound effects"])

with voice_tab:
    lines = dialogue_lines(project_id=project.id)
    if not lines:
        st.info("The script has no dialogue; the film will carry music and effects only.")
    else:
        st.dataframe([{"shot": shot_no.get(ln.shot_id, ""), "character": ln.character, "line": ln.text,
                       "voice": voice_label(voice_id=ln.voice_id), "voiced": "✅" if ln.voiced else "—"} for ln in lines],
                     hide_index=True, width="stretch")
        labels = {ln.key: f"Shot {shot_no.get(ln.shot_id)} · {ln.character}: {ln.text[:50]}" for ln in lines}
        picked = st.multiselect("Lines to voice", list(labels), format_func=labels.get, key="voice_pick",
                                placeholder="All lines")
        c1, c2 = st.columns(2)
        go_all = c1.button("Voice all lines", key="voice_all", type="primary", disabled=not may("generate"),
                           help=why_not("generate"))
        go_some = c2.button("Voice selected lines", key="voice_selected", disabled=not picked or not may("generate"),
                            help=why_not("generate"))
        if go_all or go_some:
            # Queued, never waited on: each line lands on the timeline when its job finishes (the
            # worker places it) and the page redraws itself then (watch_jobs below).
            with shown_errors("Voice-over"):
                n = len(enqueue_voiceover(project_id=project.id, keys=None if go_all else picked))
                notify(f"Voicing {n} line{'s' if n != 1 else ''}: each lands on the timeline, with word timestamps "
                       "for the subtitles, as soon as it is ready.")
                rerun()  # redraw with the jobs running

        st.markdown("#### 🎙️ Record this line")
        st.caption("Read a line yourself (or upload a reading), then convert it to the character's voice: the "
                   "result replaces the line's voice on the timeline. Your takes are kept; the TTS version is "
                   "one click away.")
        recovery_panel(project_id=project.id)
        names = {c.character_id: c.name for c in list_characters(project_id=project.id)}
        rec_key = st.selectbox("Line", list(labels), format_func=labels.get, key="rec_line")
        rec = next(ln for ln in lines if ln.key == rec_key)
        speaker = character_id_for(project_id=project.id, name=rec.character) if rec.character else None
        line_recording(project_id=project.id, shot_id=rec.shot_id, line_index=rec.line,
                       character_id=speaker if speaker in names else None, characters=names)
    voice_rows = list_items(project_id=project.id, track="voice")
    if voice_rows:
        st.markdown("**Voice levels** (dB)")
        for row in voice_rows:
            st.number_input(f"Shot {shot_no.get(row.shot_id)} · {row.extra.get('character', '')}: "
                                f"{row.text[:40]}", -30.0, 12.0, key=synced(f"vgain_{row.id}", float(row.gain_db)),
                                step=1.0, on_change=_set_gain, args=(row.id, f"vgain_{row.id}"))

with music_tab:
    music = next(iter(list_items(project_id=project.id, track="music")), None)
    default_mood = mood_for(genre=project.genre)
    mood = st.selectbox(f"Mood (suggested for {project.genre}: {default_mood})", MUSIC_MOODS,
                        index=MUSIC_MOODS.index(default_mood), key="music_mood")
    if st.button("Make a music bed", key="make_music", type="primary" if music is None else "secondary",
                 disabled=not may("generate"), help=why_not("generate")):
        with shown_errors("Music"):  # queued: the worker puts the bed under the film
            enqueue_music(project_id=project.id, mood=mood)
            notify(f"Composing a {mood} music bed: it goes under the film as soon as it is ready.")
            rerun()
    work_state(music_status(project_id=project.id), icon="🎵", when_ready="it goes under the film when ready.",
               failed="The music could not be made:")
    upload = st.file_uploader("…or use your own track", type=["wav", "flac", "ogg", "mp3"], key="music_upload")
    if upload is not None and st.button("Use this track", key="use_upload"):
        with shown_errors("Music"):
            upload_music(project_id=project.id, name=upload.name, data=upload.getvalue())
            st.rerun()
    if music is not None:
        what = music.extra.get("label") or f"{music.extra.get('mood', '')} bed"
        st.caption(f"Music: {what} — ducked about 12 dB under speech when mixed.")
        with shown_errors("Music"):
            st.audio(str(asset_path(media_id=music.media_id)))
        st.slider("Music volume (dB)", -30.0, 12.0, step=1.0, key=synced("music_gain", float(music.gain_db)),
                  on_change=_set_gain, args=(music.id, "music_gain"))

with sfx_tab:
    rows = list_items(project_id=project.id, track="sfx")
    if not rows:
        st.caption("No effects yet. Shots whose action mentions footsteps, a door, wind, rain… get them automatically.")
    for row in rows:
        c1, c2, c3 = st.columns([3, 2, 1])
        c1.write(f"Shot {shot_no.get(row.shot_id)} · **{row.extra.get('effect')}**"
                 + (" (auto)" if row.extra.get("auto") else ""))
        with shown_errors("Effect"):
            c1.audio(str(asset_path(media_id=row.media_id)))
        c2.number_input("Level (dB)", -40.0, 12.0, step=1.0, key=synced(f"sgain_{row.id}", float(row.gain_db)),
                        on_change=_set_gain, args=(row.id, f"sgain_{row.id}"),
                            label_visibility="collapsed")
        if c3.button("Remove", key=f"sfx_remove_{row.id}"):
            with shown_errors("Sound effects"):
                remove_sfx(row_id=row.id)
                st.rerun()
    c1, c2, c3 = st.columns([2, 2, 1])
    target = c1.selectbox("Shot", [s.id for s in shots], format_func=lambda i: f"Shot {shot_no[i]}", key="sfx_shot")
    effect = c2.selectbox("Effect", sfx_choices(project_id=project.id), key="sfx_effect")
    if c3.button("Add", key="sfx_add"):
        with shown_errors("Sound effects"):  # queued: the worker attaches it to the shot
            enqueue_sfx(project_id=project.id, shot_id=target, effect=effect)
            notify(f"Making '{effect}' for shot {shot_no[target]}: it is attached as soon as it is ready.")
            rerun()
    work_state(sfx_status(project_id=project.id), icon="💥", when_ready="each is attached to its shot when ready.",
               failed="Some sound effects could not be made —")
