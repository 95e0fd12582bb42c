"""The browser voice recorder (streamlit-webrtc, audio only) and the takes panel.

Recording works like this: while the WebRTC streamer plays, the script stays in a loop pulling
audio frames from ``ctx.audio_receiver`` and appending them to this session's spool file (see
``core.recording``), updating a level meter and the elapsed time. STOP makes Streamlit rerun the
script (interrupting the loop at its next UI update); that run finds the spool and commits it as a
take. Where there is no microphone (or WebRTC cannot start) the upload path does the same job.
"""
from __future__ import annotations

import json
import queue
import time
import uuid
from datetime import datetime

import numpy as np
import streamlit as st

from core.errors import InvalidInput
from core.media_assets import get_asset
from core.models import MediaAsset
from core.recording import (
    SpoolWriter, commit_spool, delete_take, discard_spool, import_take, list_takes,
    list_versions_of, live_spools, orphaned_spools, own_spool, rename_take,
)
from core.settings import get_settings
from core.storage import resolve_data_path
from core.recording.convert import enqueue_conversion
from core.recording.line_takes import (
    enqueue_line_conversion, line_voice, place_on_line, remove_from_line, use_tts_version,
)
from core.ui.errors import shown_errors
from core.ui.signin import may, why_not

UPLOAD_TYPES = ["wav", "mp3", "ogg", "oga", "webm", "weba", "m4a", "mp4", "flac"]
NO_AUDIO_GIVE_UP_S = 10  # seconds without a frame before the loop stops waiting (mic gone, tab closed)
UI_EVERY_S = 0.2
SILENT_DBFS = -60.0


def session_owner() -> str:
    """Return a random id for this browser session; spools are named by it, so a reload (a new
    session) can tell its own spool from one a previous page left behind."""
    if "_voice_session_owner" not in st.session_state:
        st.session_state["_voice_session_owner"] = uuid.uuid4().hex[:16]
    return st.session_state["_voice_session_owner"]


def ice_servers() -> list:
    """Return the ICE servers from the STORYREEL_ICE_SERVERS setting (JSON list; default none).

    Raises InvalidInput(setting=...) when the setting is not a JSON list.
    """
    raw = (get_settings().storyreel_ice_servers or "").strip()
    if not raw:
        return []
    try:
        servers = json.loads(raw)
    except ValueError:
        servers = None
    if not isinstance(servers, list):
        raise InvalidInput('STORYREEL_ICE_SERVERS must be a JSON list, e.g. [{"urls": "stun:stun.example.org"}]',
                           setting="STORYREEL_ICE_SERVERS")
    return servers


def _frames_to_array(frames: list) -> tuple[np.ndarray, int] | None:
    """Join av.AudioFrames into one (n, channels) int16/float array; returns (array, rate) or None."""
    parts, rate = [], None
    for frame in frames:
        arr = frame.to_ndarray()
        channels = len(frame.layout.channels)
        # Packed formats (s16 from aiortc's Opus decoder) interleave channels in one row.
        arr = arr.T if frame.format.is_planar else arr.reshape(-1, channels)
        if rate is not None and frame.sample_rate != rate:
            break
        rate = frame.sample_rate
        parts.append(arr)
    if not parts:
        return None
    return np.concatenate(parts, axis=0), int(rate)


def _level_dbfs(samples: np.ndarray) -> float:
    a = samples.astype(np.float64)
    if samples.dtype.kind == "i":
        a /= 32768.0
    rms = float(np.sqrt(np.mean(a ** 2))) if a.size else 0.0
    return 20 * np.log10(max(rms, 1e-9))


def _record_loop(ctx, *, project_id: int, owner: str, key: str, meta: dict) -> None:
    """Pull frames into the spool until the stream stops or goes quiet (see module docstring)."""
    status, meter = st.empty(), st.empty()
    status.info("🎙️ Connecting to the microphone…")
    with SpoolWriter(project_id=project_id, owner=owner, key=key, sample_rate=48000, **meta) as spool:
        waited, last_ui, level = 0.0, 0.0, -90.0
        while True:
            receiver = ctx.audio_receiver
            if receiver is None:
                break
            try:
                frames = receiver.get_frames(timeout=1.0)
            except queue.Empty:
                waited += 1.0
                status.warning("No sound is arriving from the microphone yet…")
                if waited >= NO_AUDIO_GIVE_UP_S:
                    status.warning("No sound arrived from the microphone. Press **STOP** and check the browser's "
                                   "microphone permission, or upload a recording below.")
                    break
                continue
            waited = 0.0
            joined = _frames_to_array(frames)
            if joined is not None:
                spool.append(joined[0], joined[1])
                level = _level_dbfs(joined[0])
            now = time.monotonic()
            if now - last_ui >= UI_EVERY_S:  # each UI update is also where STOP can interrupt us
                last_ui = now
                secs = spool.duration_s
                status.error(f"🔴 Recording — {int(secs // 60):02d}:{secs % 60:04.1f} · press **STOP** to save the take")
                meter.progress(min(1.0, max(0.0, (level + 60.0) / 60.0)), text=f"Level {level:.0f} dBFS")
            else:
                time.sleep(0.05)


def upload_take(*, key: str, project_id: int, character_id: str | None = None, shot_id: int | None = None,
                line_index: int | None = None) -> MediaAsset | None:
    """File-upload path for a take; returns the saved take on the run it is saved, else None."""
    upload = st.file_uploader("Upload a recording (WAV, MP3, OGG, WebM, M4A, FLAC)", type=UPLOAD_TYPES,
                              key=f"{key}_upload")
    if upload is None:
        return None
    done = st.session_state.setdefault(f"{key}_uploaded", set())
    if upload.file_id in done:
        st.caption(f"✅ {upload.name} is saved as a take.")
        return None
    if st.button("Save as take", key=f"{key}_save_upload", type="primary"):
        with shown_errors("Upload not saved"):
            take = import_take(project_id=project_id, name=upload.name, data=upload.getvalue(),
                               character_id=character_id, shot_id=shot_id, line_index=line_index)
            done.add(upload.file_id)
            st.success(f"Saved **{take.label}** ({take.duration_s:.1f} s).")
            return take
    return None


def recorder(*, key: str, project_id: int, character_id: str | None = None, shot_id: int | None = None,
             line_index: int | None = None) -> MediaAsset | None:
    """Show the microphone recorder (and the upload path); returns the take saved on this run, or None."""
    owner = session_owner()
    meta = {"character_id": character_id, "shot_id": shot_id, "line_index": line_index}
    ctx = None
    with shown_errors("Recorder settings"):
        servers = ice_servers()
        try:
            from streamlit_webrtc import WebRtcMode, webrtc_streamer

            st.caption("Press **START** to record from your microphone and **STOP** to save the take.")
            ctx = webrtc_streamer(key=key, mode=WebRtcMode.SENDONLY, audio_receiver_size=512,
                                  media_stream_constraints={"audio": True, "video": False},
                                  rtc_configuration={"iceServers": servers})
        except Exception as exc:  # a missing or broken component must not take the upload path down
            st.warning(f"The browser recorder could not start ({type(exc).__name__}). Upload a recording instead.")
    saved = None
    if ctx is not None and ctx.state.playing:
        with shown_errors("Recording stopped"):
            _record_loop(ctx, project_id=project_id, owner=owner, key=key, meta=meta)
    else:
        spool = own_spool(project_id=project_id, owner=owner, key=key)
        if spool is not None:
            with shown_errors("Take not saved"):
                saved = commit_spool(project_id=project_id, spool=spool)
                if saved is None:
                    st.warning("Nothing was recorded: no sound reached the server before STOP.")
                else:
                    st.success(f"Saved **{saved.label}** ({saved.duration_s:.1f} s).")
    st.caption("No microphone, or the browser blocks it? (Browsers allow the microphone only on https or "
               "localhost.) Upload a recording instead:")
    uploaded = upload_take(key=key, project_id=project_id, character_id=character_id, shot_id=shot_id,
                           line_index=line_index)
    return saved or uploaded


def recovery_panel(*, project_id: int) -> None:
    """Offer unfinished recordings left by a reloaded or closed page (recover as a take, or discard).

    Right after a reload the old page's spool still looks live for a few seconds; while any spool
    of another session is live, the panel re-checks every 2 s (a fragment: it never interrupts a
    recording in this page) and reruns the page once that spool is orphaned or gone.
    """
    owner = session_owner()
    polling = bool(live_spools(project_id=project_id, current_owner=owner))

    @st.fragment(run_every=2.0 if polling else None)
    def _panel() -> None:
        live = live_spools(project_id=project_id, current_owner=owner)
        if polling and not live:
            st.rerun(scope="app")
        if live:
            st.caption(f"🎙️ {len(live)} recording(s) in progress in another window of this project.")
        for spool in orphaned_spools(project_id=project_id, current_owner=owner):
            _offer(project_id, spool)

    _panel()


def _offer(project_id: int, spool) -> None:
    started = datetime.fromtimestamp(spool.meta.get("started_at", 0)).strftime("%H:%M:%S")
    who = spool.meta.get("character_id") or "no character"
    box = st.container(border=True)
    box.warning(f"An unfinished recording of **{spool.duration_s:.1f} s** ({who}, started {started}) was "
                "left by a page that was reloaded or closed.")
    c1, c2 = box.columns(2)
    stem = spool.path.stem
    if c1.button("Recover as take", key=f"recover_{stem}", type="primary"):
        with shown_errors("Not recovered"):
            take = commit_spool(project_id=project_id, spool=spool, label=f"Recovered {started}")
            if take is None:
                st.info("That recording was too short to keep, or another page recovered it.")
            st.rerun(scope="app")
    if c2.button("Discard", key=f"discard_{stem}"):
        discard_spool(spool=spool)
        st.rerun(scope="app")


def _player(asset: MediaAsset, where) -> None:
    try:
        where.audio(str(resolve_data_path(asset.file_path)), format=asset.mime_type or "audio/wav")
    except Exception as exc:  # a missing file is shown, not raised: the list must still render
        where.error(f"File missing for {asset.label or asset.media_id}: {exc}")


def takes_panel(*, project_id: int, character_id: str | None = None, shot_id: int | None = None,
                line_index: int | None = None, characters: dict[str, str] | None = None,
                on_line: bool = False) -> None:
    """List takes with players, rename, delete and convert-to-voice. ``characters`` maps
    character_id → name for the convert target (the take's own character is preselected).

    With ``on_line`` (the Edit page) a take of a dialogue line converts *and* is placed on the
    timeline at its line, and the take as recorded or any of its conversions can be put there.
    """
    characters = characters or {}
    flash = st.session_state.pop("_takes_flash", None)  # a result announced across the rerun that shows it
    if flash:
        st.success(flash)
    takes = list_takes(project_id=project_id, character_id=character_id, shot_id=shot_id, line_index=line_index)
    if not takes:
        st.info("No takes yet: record one above or upload a file.")
        return
    for take in takes:
        mid = take.media_id
        box = st.container(border=True)
        extra = take.extra or {}
        placeable = on_line and take.shot_id is not None and extra.get("line_index") is not None
        head = f"**{take.label}** · {take.duration_s or 0:.1f} s · {extra.get('source', 'microphone')}"
        if take.character_id:
            head += f" · {characters.get(take.character_id, take.character_id)}"
        if not on_line and take.shot_id is not None and extra.get("line_index") is not None:
            head += " · a dialogue line's take (placed from Edit)"
        box.markdown(head)
        if extra.get("rms_dbfs", 0) < SILENT_DBFS:
            box.warning("This take is (almost) silent — check the microphone.")
        _player(take, box)
        c1, c2, c3 = box.columns([3, 3, 1])
        new_label = c1.text_input("Name", value=take.label, key=f"label_{mid}")
        if c1.button("Rename", key=f"rename_{mid}") and new_label != take.label:
            with shown_errors("Not renamed"):
                rename_take(media_id=mid, label=new_label)
                st.rerun()
        ids = list(characters)
        target = c2.selectbox("Character voice", ids, index=ids.index(take.character_id) if take.character_id in ids
                              else None, format_func=lambda i: characters.get(i, i), key=f"voice_for_{mid}",
                              placeholder="Choose a character")
        label = "Convert and place on the timeline" if placeable else "Convert to this voice"
        if c2.button(label, key=f"convert_{mid}", disabled=target is None or not may("generate"),
                     help=why_not("generate")):
            # Queued, never waited on: the worker links the result to the take (and places it on the
            # line); the page redraws when the job ends (the page's watch_jobs).
            with shown_errors("Conversion failed"):
                who = characters.get(target, target)
                if placeable:
                    enqueue_line_conversion(project_id=project_id, media_id=mid, character_id=target)
                    flash = (f"Converting **{take.label}** to {who}'s voice: it is placed on the timeline at its "
                             "line as soon as it is ready.")
                else:
                    enqueue_conversion(project_id=project_id, media_id=mid, character_id=target)
                    flash = f"Converting **{take.label}** to {who}'s voice: it shows under the take when it is ready."
                st.session_state["_takes_flash"] = flash
                st.rerun()
        if c3.button("🗑️ Delete", key=f"delete_{mid}"):
            with shown_errors("Not deleted"):
                delete_take(media_id=mid)
                st.rerun()
        if placeable and box.button("Use this take as recorded", key=f"use_take_{mid}",
                                    help="Put your own reading on the timeline, unconverted"):
            with shown_errors("Not placed"):
                place_on_line(project_id=project_id, media_id=mid)
                st.rerun()
        for version in list_versions_of(media_id=mid):
            box.caption(f"↳ {version.label or 'converted'} · {version.provider}/{version.model}")
            _player(version, box)
            if placeable and box.button("Use this version on the timeline", key=f"use_version_{version.media_id}"):
                with shown_errors("Not placed"):
                    place_on_line(project_id=project_id, media_id=version.media_id, shot_id=take.shot_id,
                                  line_index=int(extra["line_index"]))
                    st.rerun()


def line_voice_panel(*, project_id: int, shot_id: int, line_index: int) -> None:
    """Show what a dialogue line is heard with on the timeline (text→voice, a take as recorded, or a
    converted take) with a player, and offer going back to the TTS version (undo)."""
    lv = None
    with shown_errors("Line"):
        lv = line_voice(project_id=project_id, shot_id=shot_id, line_index=line_index)
    if lv is None:
        return
    k = f"{shot_id}_{line_index}"
    if lv.item is None:
        st.caption("On the timeline: nothing yet — voice the line above, or convert a take below.")
        return
    extra = lv.item.extra or {}
    what = {"tts": "the text-to-voice version",
            "take": f"your take **{extra.get('label', '')}** as recorded",
            "conversion": f"the converted take **{extra.get('label', '')}**"}.get(lv.source, lv.source)
    timing = " (subtitles timed from the line's text)" if extra.get("word_timing") == "derived" else ""
    st.markdown(f"On the timeline: {what}{timing}")
    with shown_errors("Player"):
        _player(get_asset(media_id=lv.item.media_id), st)
    if lv.source == "tts":
        return
    if lv.tts and st.button("↩️ Use the TTS version", key=f"use_tts_{k}"):
        with shown_errors("Not changed"):
            use_tts_version(project_id=project_id, shot_id=shot_id, line_index=line_index)
            st.rerun()
    if not lv.tts and st.button("Remove the take from the timeline", key=f"unplace_{k}"):
        with shown_errors("Not removed"):
            remove_from_line(project_id=project_id, shot_id=shot_id, line_index=line_index)
            st.rerun()


def line_recording(*, project_id: int, shot_id: int, line_index: int, character_id: str | None,
                   characters: dict[str, str]) -> None:
    """The Edit page's "Record this line": the recorder for the line, what the line is heard with on
    the timeline, and the line's takes (convert → placed at the line)."""
    line_voice_panel(project_id=project_id, shot_id=shot_id, line_index=line_index)
    recorder(key=f"line_rec_{shot_id}_{line_index}", project_id=project_id, character_id=character_id,
             shot_id=shot_id, line_index=line_index)
    takes_panel(project_id=project_id, shot_id=shot_id, line_index=line_index, characters=characters, on_line=True)
