"""Preview: the animatic with its shot list; change a shot and only that part re-renders."""
import streamlit as st

from core.ui.nav import ensure_navigation

ensure_navigation(__file__)
from core.breakdowns import shot_labels, update_shot
from core.jobs.service import get_job
from core.media_assets import asset_path, get_asset
from core.render.service import list_renders, start_render
from core.media.camera import CAMERA_MOVES, move_label
from core.timeline.store import project_timeline
from core.ui.common import require_project
from core.ui.errors import shown_errors
from core.ui.jobs import refresh_every
from core.ui.player import video_player
from core.ui.prereq import require_step
from core.ui.signin import may, why_not

st.title("▶️ Preview")
st.caption("The animatic at low resolution. Change a shot's length or camera move and only that shot re-renders.")
project = require_project("Preview")
require_step(project=project, need="keyframes")


def _short(text: str, limit: int) -> str:
    """Shorten at a word boundary with an ellipsis, never mid-word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:—-") + "…"


def render_now() -> None:
    """Queue the preview render (the one render door) and return: the page follows the job."""
    with shown_errors("Preview"):
        st.session_state.preview_job = start_render(project_id=project.id, operation="preview").id


def follow_render() -> None:
    """Show the queued preview render's progress (refreshing while it runs); take its result when done."""
    job_id = st.session_state.get("preview_job")
    if not job_id:
        return
    job = get_job(job_id=job_id)
    if job.status == "succeeded" and job.result_media_id:
        st.session_state.preview_media_id = job.result_media_id
        extra = get_asset(media_id=job.result_media_id).extra or {}
        made, kept = int(extra.get("segments_rendered") or 0), int(extra.get("segments_reused") or 0)
        # Title cards are segments too: "shot segments" beside the shot count read as a miscount.
        st.session_state.preview_note = (f"Rendered all {made} segments (shots and title cards)." if not kept else
                                         f"Re-rendered {made} of {made + kept} segments (shots and title cards); "
                                         f"{kept} unchanged and reused.")
        st.session_state.pop("preview_job", None)
    elif job.status in ("failed", "cancelled", "unknown_outcome"):
        st.error(f"Preview: {job.error or job.status}")
        st.session_state.pop("preview_job", None)
    else:
        @st.fragment(run_every=refresh_every(project_id=project.id))
        def _bar() -> None:
            now = get_job(job_id=job_id)
            if now.status not in ("queued", "running"):
                st.rerun(scope="app")  # done: redraw the player with the new animatic
            st.progress(min(1.0, float(now.progress or 0.0)),
                        text=(now.request or {}).get("message") or f"Preview {now.status}…")

        _bar()


if "preview_media_id" not in st.session_state or st.session_state.get("preview_project") != project.id:
    latest = list_renders(project_id=project.id, operation="preview")
    st.session_state.preview_project = project.id
    st.session_state.preview_media_id = latest[0].media_id if latest else None
    st.session_state.pop("preview_note", None)

with shown_errors("Timeline"):
    pt = project_timeline(project_id=project.id)
    starts = {int(v.shot_id): v.start_s for v in pt.timeline.video}
    lengths = {int(v.shot_id): v.duration_s for v in pt.timeline.video}
    shots = pt.shots

    player, side = st.columns([3, 2])

    numbers = shot_labels(project_id=project.id)

    def _label(shot_id: int) -> str:
        text = next(s.action for s in shots if s.id == shot_id)
        return f"Shot {numbers[shot_id]} · {_short(text, 40)}"

    def _jump(shot_id: int) -> None:
        # Play from this shot and make it the one "Change a shot" edits.
        st.session_state.preview_start = starts[shot_id]
        st.session_state.preview_seek = st.session_state.get("preview_seek", 0) + 1
        st.session_state.edit_shot = shot_id

    with side:
        st.markdown("**Change a shot**")
        ids = [s.id for s in shots]
        if st.session_state.get("edit_shot") not in ids:
            st.session_state.edit_shot = ids[0]
        pick = st.selectbox("Shot", ids, key="edit_shot", format_func=_label,
                            help="Or press ▶ on a shot in the list below")
        chosen = next(s for s in shots if s.id == pick)
        c1, c2 = st.columns(2)
        # On its 0.5 s step (a stored 7.76 s shows as 8.0 s and saves as what is shown).
        duration = c1.number_input("Duration (s)", 0.5, 60.0, max(0.5, round(float(chosen.duration_s) * 2) / 2), 0.5,
                                   key=f"edit_duration_{pick}", format="%.1f")
        move = c2.selectbox("Camera move", CAMERA_MOVES, key=f"edit_camera_{pick}", format_func=move_label,
                            index=CAMERA_MOVES.index(chosen.camera_move) if chosen.camera_move in CAMERA_MOVES else 0,
                            help="Animates the keyframe in the preview; a shot with a clip keeps its clip's motion.")
        if st.button("Apply and re-render", key="apply_shot", type="primary", disabled=not may("edit"),
                     help=why_not("edit")):
            with shown_errors("Shot"):
                update_shot(shot_id=pick, duration_s=float(duration), camera_move=move)
                st.session_state.preview_start = starts.get(pick, 0.0)
                render_now()
                st.rerun()

        st.markdown("**Shots**")
        with st.container(height=460):
            for shot in shots:
                c1, c2 = st.columns([1, 4])
                c1.button(f"▶ {numbers[shot.id]}", key=f"jump_{shot.id}", help="Play from this shot and edit it",
                          type="primary" if shot.id == pick else "secondary", on_click=_jump, args=(shot.id,))
                c2.caption(f"{starts[shot.id]:.1f} s · {lengths[shot.id]:.1f} s · {move_label(shot.camera_move)} — "
                           f"{_short(shot.action, 70)}")

    with player:
        if st.button("Render preview", key="render_preview", disabled=not may("generate"), help=why_not("generate"),
                     type="primary" if not st.session_state.preview_media_id else "secondary"):
            render_now()
        follow_render()
        mid = st.session_state.preview_media_id
        if mid:
            # The player starts on the shot's first frame exactly (st.video knows whole seconds only).
            video_player(path=asset_path(media_id=mid), start_s=float(st.session_state.get("preview_start", 0.0)),
                         seek=int(st.session_state.get("preview_seek", 0)), key="preview_player")
            if st.session_state.get("preview_note"):
                st.caption(st.session_state.preview_note)
        else:
            st.info("No preview yet: render one (a few seconds at low resolution).")
        st.caption(f"{pt.timeline.duration_s:.1f} s · {len(shots)} shots")
        if pt.missing:
            st.warning(f"{len(pt.missing)} shot(s) have no keyframe yet and are left out.")
