"""Generate: the final MP4 (with SRT/VTT), kept as versions with their settings, and auto shorts."""
import streamlit as st

from core.ui.nav import ensure_navigation

ensure_navigation(__file__)

from core.jobs.service import get_job
from core.media_assets import asset_path
from core.models import ASPECT_RATIOS, FIT_MODES
from core.render.service import active_render, cancel_render, export_project, list_renders, start_render
from core.ui.common import require_project
from core.ui.errors import shown_errors
from core.ui.prereq import require_step
from core.ui.share import share_link
from core.ui.signin import may, why_not
from core.ui.state import notify

st.title("📦 Generate")
st.caption("The final film as H.264 + AAC MP4 with subtitles, kept as versions, and vertical shorts.")
project = require_project("Generate")
require_step(project=project, need="keyframes")

RESOLUTIONS = {"720p": 720, "1080p": 1080, "480p": 480, "360p": 360}
LOUDNESS = {"-14 LUFS (streaming)": -14.0, "-16 LUFS (podcast/mobile)": -16.0, "-23 LUFS (broadcast)": -23.0}


def follow(job_id: str, what: str) -> None:
    """Show a running render's progress, refreshed every second without blocking the page (the
    render runs in the background, so leaving the page does not stop it). Cancel is offered only
    while the render runs; when it ends the page redraws with the new version and the result."""

    @st.fragment(run_every=1.0)
    def _live() -> None:
        job = get_job(job_id=job_id)
        if job.status in ("succeeded", "failed", "cancelled"):
            st.session_state[f"render_done_{job_id}"] = job.status
            st.rerun(scope="app")
        st.progress(min(job.progress, 1.0), text=f"{what}: {(job.request or {}).get('message', '') or 'starting…'}")
        if st.button("Cancel", key=f"cancel_{job_id}"):
            cancel_render(job_id=job_id)
            st.rerun(scope="app")

    _live()


def ended(job_id: str | None, what: str) -> None:
    """Say once how the last render of this page ended."""
    status = st.session_state.pop(f"render_done_{job_id}", None) if job_id else None
    if status is None:
        return
    job = get_job(job_id=job_id)
    if status == "failed":
        st.error(f"{what} failed: {job.error}")
    elif status == "cancelled":
        st.warning(f"{what} cancelled; no file was kept.")
    else:
        notify(f"{what} finished.")


def downloads(asset, prefix: str) -> None:
    extra = asset.extra or {}
    stem = f"{project.name.replace(' ', '_')}_{asset.media_id[:6]}"
    cols = st.columns(3)
    cols[0].download_button("⬇️ MP4", asset_path(media_id=asset.media_id).read_bytes(), file_name=f"{stem}.mp4",
                            mime="video/mp4", key=f"{prefix}_mp4_{asset.media_id}")
    for col, key, ext, mime in ((cols[1], "srt_media_id", "srt", "application/x-subrip"),
                                (cols[2], "vtt_media_id", "vtt", "text/vtt")):
        if extra.get(key):
            col.download_button(f"⬇️ {ext.upper()}", asset_path(media_id=extra[key]).read_bytes(),
                                file_name=f"{stem}.{ext}", mime=mime, key=f"{prefix}_{ext}_{asset.media_id}")
    share_link(media_id=asset.media_id, key=f"{prefix}_share_{asset.media_id}")


CAPTIONS = {"box": "Lines in a box", "words": "Word by word (the spoken word lit)"}
EXPORT_FORMATS = {"fcpxml": "Final Cut Pro 7 XML (Premiere, Resolve, Final Cut)", "otio": "OpenTimelineIO (.otio)",
                  "edl": "CMX 3600 EDL (picture list + one list per sound track)"}

film_tab, shorts_tab, edit_tab = st.tabs(["🎞️ Film", "📱 Shorts", "✂️ Editing program"])

with film_tab:
    c1, c2 = st.columns(2)
    aspect = c1.selectbox("Aspect ratio", ASPECT_RATIOS, index=ASPECT_RATIOS.index(project.aspect_ratio),
                          key="gen_aspect")
    fit = c2.radio("Shots of another shape", FIT_MODES, horizontal=True, key="gen_fit",
                   format_func={"letterbox": "Letterbox", "crop": "Centre crop"}.get,
                   help="How a keyframe or clip whose shape differs from the film's aspect ratio is fitted: "
                        "bars around the whole picture (letterbox) or filling the frame (centre crop).")
    c3, c4, c5 = st.columns(3)
    subtitles = c3.radio("Subtitles", ["srt", "burn", "none"], key="gen_subs",
                         format_func={"none": "None", "srt": "SRT/VTT files", "burn": "Burned in + files"}.get)
    loud = c4.selectbox("Loudness", list(LOUDNESS), key="gen_loudness")
    res = c5.selectbox("Resolution", list(RESOLUTIONS), key="gen_res")
    captions = "box"
    if subtitles == "burn":
        captions = st.radio("Caption style", list(CAPTIONS), format_func=CAPTIONS.get, horizontal=True,
                            key="gen_captions", index=1 if aspect in ("9:16", "4:5") else 0)
    running = active_render(project_id=project.id, operation="film")
    if st.button("Render film", key="render_film", type="primary", disabled=running is not None or not may("generate"),
                 help="A render is running" if running is not None else why_not("generate")):
        with shown_errors("Render"):
            running = start_render(project_id=project.id, operation="film", options={
                "aspect_ratio": aspect, "fit": fit, "subtitles": subtitles, "loudness_lufs": LOUDNESS[loud],
                "short_side": RESOLUTIONS[res], "captions": captions})
            st.session_state.film_job = running.id
            st.rerun()  # redraw with Render film disabled while it runs
    if running is not None:
        follow(running.id, "Film render")
    ended(st.session_state.get("film_job"), "Film render")

    versions = list_renders(project_id=project.id, operation="film")
    if not versions:
        st.info("No film rendered yet.")
    for n, asset in enumerate(versions):
        p = asset.input_params or {}
        title = (f"v{len(versions) - n} · {asset.timestamp:%Y-%m-%d %H:%M} · {p.get('aspect_ratio')} {p.get('fit')} · "
                 f"{asset.width}×{asset.height} · {asset.duration_s or 0:.1f} s · subtitles {p.get('subtitles')} · "
                 f"{(asset.extra or {}).get('lufs', 0):.1f} LUFS")
        with st.expander(title, expanded=n == 0):
            if n == 0:
                st.video(str(asset_path(media_id=asset.media_id)))
            downloads(asset, "film")

with shorts_tab:
    st.caption("Finds the most engaging stretches (dialogue density, loudness, cuts, hook lines) and cuts "
               "vertical 9:16 clips of 15–60 s, each framed on whoever speaks, with subtitles above the "
               "part of the screen phone apps cover.")
    count = st.number_input("How many shorts", 1, 5, 3, key="short_count")
    short_res = st.selectbox("Resolution", list(RESOLUTIONS), key="short_res")
    short_captions = st.radio("Caption style", list(CAPTIONS), format_func=CAPTIONS.get, horizontal=True,
                              key="short_captions", index=1)
    running = active_render(project_id=project.id, operation="short")
    if st.button("Make shorts", key="make_shorts", disabled=running is not None or not may("generate"),
                 help=why_not("generate")):
        with shown_errors("Shorts"):
            running = start_render(project_id=project.id, operation="short", options={
                "count": int(count), "short_side": RESOLUTIONS[short_res], "captions": short_captions})
            st.session_state.short_job = running.id
            st.rerun()
    if running is not None:
        follow(running.id, "Shorts")
    ended(st.session_state.get("short_job"), "Shorts")
    for n, asset in enumerate(list_renders(project_id=project.id, operation="short")):
        with st.expander(f"{asset.label} · {asset.duration_s or 0:.1f} s", expanded=n < 5):
            st.caption(f"Why: {(asset.extra or {}).get('reason', '')}")
            left, _ = st.columns([1, 2])  # a vertical video at a phone's width
            left.video(str(asset_path(media_id=asset.media_id)))
            speakers = [f["speaker"] for f in (asset.extra or {}).get("framing", []) if f.get("speaker")]
            if speakers:
                st.caption("Framed on: " + " → ".join(dict.fromkeys(speakers)))
            downloads(asset, "short")


with edit_tab:
    st.caption("Take the timeline to an editing program: a zip of the timeline file with the shot clips "
               "(keyframe shots rendered with their camera moves), voice lines, music, effects and the SRT, "
               "linked by relative paths — unzip it and open the timeline file.")
    fmt = st.radio("Format", list(EXPORT_FORMATS), format_func=EXPORT_FORMATS.get, key="export_format")
    running = active_render(project_id=project.id, operation="export")
    if st.button("Export timeline", key="export_timeline", disabled=running is not None or not may("generate"),
                 help=why_not("generate")):
        with shown_errors("Export"):
            running = export_project(project_id=project.id, fmt=fmt)
            st.session_state.export_job = running.id
            st.rerun()
    if running is not None:
        follow(running.id, "Timeline export")
    ended(st.session_state.get("export_job"), "Timeline export")
    for asset in list_renders(project_id=project.id, operation="export")[:5]:
        extra = asset.extra or {}
        fmt_done = (asset.input_params or {}).get("format", "otio")
        st.download_button(f"⬇️ {asset.label} · {asset.timestamp:%Y-%m-%d %H:%M} · {extra.get('clips', 0)} clips",
                           asset_path(media_id=asset.media_id).read_bytes(),
                           file_name=f"{project.name.replace(' ', '_')}_{fmt_done}_{asset.media_id[:6]}.zip",
                           mime="application/zip", key=f"export_{asset.media_id}")
