"""Storyboard: the film's board — a grid of shot cards per scene (thumbnail, "Shot 1.2", type,
duration, status, who is in it) that updates live while jobs run — and a detail panel for the
selected shot: prompt, model form, generation, candidates, versions, continuity (last frame, end
frame, transitions), provider comparison, voice lines and lip sync; plus a batch over every missing
keyframe and clip, queued as jobs the workers carry on (the page returns at once), cancellable while it runs.
A thin view over ``core.generation.board``, ``core.generation.facade`` and ``core.generation.comparison``."""
import streamlit as st

from core.ui.nav import ensure_navigation

ensure_navigation(__file__)

from core.generation import batch
from core.generation import board as storyboard
from core.generation import comparison
from core.generation import facade as generation
from core.breakdowns import list_characters, list_scene_cards, update_shot
from core.errors import StoryreelError
from core.generation.shots import default_model, set_shot_model, shot_choice, user_overrides
from core.jobs.service import get_job
from core.media_assets import asset_path, get_asset
from core.registry import get_registry
from core.ui.board import shot_board
from core.ui.common import require_project
from core.ui.errors import shown_errors
from core.ui.forms import render_form
from core.ui.jobs import jobs_panel
from core.ui.model_finder import model_finder, schema_status
from core.ui.pickers import library_choices, library_upload, media_picker, model_picker, usable_first
from core.ui.prereq import require_step
from core.ui.signin import may, why_not
from core.ui.state import notify, rerun, synced

LIVE_EVERY_S = 1.5  # how often the board redraws while jobs run

st.title("🖼️ Storyboard")
st.caption("A keyframe per shot, then a video per shot from it.")
project = require_project("Storyboard")
require_step(project=project, need="breakdown")
registry = get_registry()


def _caps(media_type: str, operation: str = "generate"):
    # Models whose provider is configured first, so one-click actions pick a usable one.
    return usable_first([c for c in registry.list(media_type=media_type) if c.operation == operation])


def _pick(label: str, caps, current: tuple[str, str], key: str):
    return model_picker(label, caps, current=current, key=key)


def _show(media_id, kind: str) -> None:
    if not media_id:
        st.caption(f"No {kind} yet.")
        return
    with shown_errors(kind):
        path = str(asset_path(media_id=media_id))
        if kind == "keyframe":
            st.image(path, width="stretch")
        else:
            st.video(path)


def _flash(sid: int, kind: str, text: str) -> None:
    """Keep a message for the shot's card: the clicks below rerun the page, which would erase a
    message written before the rerun (a failed generation would look like a click that did nothing)."""
    st.session_state.setdefault("sb_flash", {}).setdefault(sid, []).append((kind, text))


def _show_flash(sid: int) -> None:
    for kind, text in st.session_state.get("sb_flash", {}).pop(sid, []):
        getattr(st, kind)(text)


def _run(jobs, what: str, sid: int) -> None:
    """Report queued jobs on the card and return at once (pages never wait on jobs: the workers put
    results on their shots, and the live board redraws while jobs run)."""
    for job in jobs:
        if job.status == "succeeded":
            _flash(sid, "success", f"{what} ready (already made: from the result cache).")
        else:
            _flash(sid, "info", f"{what} queued; it lands on the card when done.")


# --- the board (live while jobs run) -------------------------------------------------------------
_, first_counts = storyboard.board(project_id=project.id, thumbs=False)
live = first_counts.active_jobs > 0 or first_counts.batch_running
if first_counts.batch_running:
    st.session_state.sb_batch_watch = True
elif st.session_state.pop("sb_batch_watch", False) and first_counts.batch_note:
    notify(first_counts.batch_note)  # the batch this page started (or saw running) has ended


board_run = {"page": True}  # this page run draws the board afresh; the fragment's own redraws do not


@st.fragment(run_every=LIVE_EVERY_S if live else None)
def live_board() -> None:
    fresh = board_run.pop("page", False)
    scenes, counts = storyboard.board(project_id=project.id)
    if live and not (counts.active_jobs or counts.batch_running):
        st.rerun(scope="app")  # everything landed: redraw the detail panel and stop polling
    st.markdown(f"**{counts.keyframes}/{counts.shots}** keyframes · **{counts.clips}/{counts.shots}** clips"
                + (f" · **{counts.failed}** failed" if counts.failed else "")
                + (f" · ⏳ {counts.active_jobs} job(s) running" if counts.active_jobs else ""))
    c_run, c_cancel, c_note = st.columns([1.2, 1.4, 3])
    if c_run.button("Run batch", type="primary", key="batch_run", disabled=counts.batch_running or not may("spend") or (
            counts.keyframes_missing == 0 and counts.clips_missing == 0),
            help=why_not("spend") or "Every missing keyframe, then every missing clip; finished shots are never made again"):
        storyboard.start_batch(project_id=project.id)
        rerun()
    if c_cancel.button("Cancel batch", key="batch_cancel", disabled=not counts.batch_running):
        n = storyboard.stop_batch(project_id=project.id)
        notify(f"Batch cancelled: {n} queued job(s) stopped; finished shots keep their results.", icon="🛑")
        rerun()
    if counts.batch_running:
        made = counts.keyframes + counts.clips
        st.progress(made / max(2 * counts.shots, 1), text=f"Batch running: {counts.keyframes}/{counts.shots} "
                    f"keyframes, {counts.clips}/{counts.shots} clips")
    else:
        if counts.batch_note:
            c_note.caption(counts.batch_note)
    if not counts.batch_running and (counts.keyframes_missing or counts.clips_missing) and c_note.button(
            "Estimate cost", key="batch_estimate"):
        with shown_errors("Batch estimate"):
            est = batch.estimate_batch(project_id=project.id)
            cost = "free" if est.usd == 0 and not est.unknown else f"about ${est.usd:.2f}" + (
                f" (+{est.unknown} without a published price)" if est.unknown else "")
            c_note.caption(f"{len(est.keyframes)} keyframes and {len(est.clips)} clips to make — {cost}.")
    sel = st.session_state.get("sb_selected")
    drawn = next((x for x in flat if x.id == sel), None)  # what the detail panel was drawn from
    now = next((c for sc in scenes for c in sc.cards if c.shot_id == sel), None)
    if drawn and now and (drawn.keyframe_media_id, drawn.clip_media_id) != (now.keyframe_id, now.clip_id):
        st.rerun(scope="app")  # the open shot got a new keyframe or clip: redraw its detail panel too
    clicked = shot_board(scenes=scenes, selected=sel, fresh=fresh)  # one component for every card: quick to draw
    if clicked is not None and clicked != sel:
        st.session_state.sb_selected = clicked
        st.rerun(scope="app")  # the detail panel (outside this fragment) shows the opened shot



found = model_finder(key="sb_finder")
if found:
    st.success(f"{found[0]} · {found[1]} is now in the model pickers of every shot.")
cast_by_name = {c.name.upper(): c for c in list_characters(project_id=project.id)}
cards = list_scene_cards(project_id=project.id)
flat = [s for card in cards for s in card.shots]
numbers = {s.id: f"{n}.{m}" for n, card in enumerate(cards, 1) for m, s in enumerate(card.shots, 1)}
if st.session_state.get("sb_selected") not in numbers:
    st.session_state.sb_selected = flat[0].id

board_col, detail_col = st.columns([3, 2], gap="large")
with board_col:
    live_board()
    with st.expander("Jobs: running and recent (cancel, retry)", expanded=False):
        jobs_panel(project_id=project.id)
# What only the detail panel needs comes after the board is drawn.
image_caps, video_caps = _caps("image"), _caps("video")
bridge_caps = [c for c in video_caps if c.field_for_role("start_frame") and c.field_for_role("end_frame")]
choices = library_choices(project_id=project.id)  # per kind, newest first, named by shot or character
upload = library_upload(project_id=project.id)


def _pick_shot() -> None:
    st.session_state.sb_selected = st.session_state.sb_pick


def detail(shot) -> None:
    """The selected shot: media, prompt, model forms, generation, versions, continuity, compare, voice."""
    sid = shot.id
    idx = flat.index(shot)
    failed = first_counts.batch_failed.get(sid)
    st.selectbox("Shot", list(numbers), key=synced("sb_pick", sid, options=list(numbers)), on_change=_pick_shot,
                 format_func=lambda i: f"Shot {numbers[i]}", help="Or click a card on the board")
    st.markdown(f"### Shot {numbers[sid]}")
    st.caption(f"{shot.shot_type} · {shot.duration_s:.1f} s · {storyboard.STATUS_LABELS.get(shot.status, shot.status)}"
               f" · {', '.join(shot.characters) or 'no characters'}")
    if failed:
        st.error(f"The batch could not make this shot: {failed}")
    _show_flash(sid)
    kf_versions = generation.shot_versions(shot_id=sid, kind="keyframe")
    left, mid = st.columns(2)
    right = st.container()
    with left:
        _show(shot.keyframe_media_id, "keyframe")
    with mid:
        _show(shot.clip_media_id, "clip")
        if shot.clip_media_id:
            with shown_errors("clip"):
                made_from = get_asset(media_id=shot.clip_media_id).start_frame_used
                if made_from and made_from != shot.keyframe_media_id and made_from in {v.media_id for v in kf_versions}:
                    st.warning("This clip was made from an earlier keyframe: regenerate the clip "
                               "(Clip tab) to match the keyframe.", icon="⚠️")
    with right:
        kf_tab, clip_tab, more_tab = st.tabs(["Keyframe", "Clip", "More"])
    with kf_tab:
        kf_default = default_model(shot=shot, kind="keyframe")
        kcur = registry.get(provider=kf_default[0], model=kf_default[1])
        kpick = _pick("Image model", image_caps, (kcur.provider, kcur.model), f"kmodel_{sid}")
        kcap = registry.get(provider=kpick[0], model=kpick[1])
        with shown_errors("Prompt"):
            _cap, kplan = generation.plan_for_shot(shot_id=sid, kind="keyframe", provider=kpick[0],
                                                   model=kpick[1], params={})
            built = kplan.params.get(kcap.field_for_role("prompt") or "", "")
            prompt = st.text_area("Prompt (edit to override)", key=synced(f"prompt_{sid}", shot.prompt or built))
            if prompt.strip() != (shot.prompt or built).strip() and st.button("Save prompt", key=f"save_prompt_{sid}"):
                update_shot(shot_id=sid, prompt=prompt.strip())
                st.rerun()
            if shot.prompt and st.button("Back to the built prompt", key=f"reset_prompt_{sid}"):
                update_shot(shot_id=sid, prompt="")
                st.rerun()
            for note in kplan.notes:
                st.caption(f"ℹ️ {note}")
        with st.popover("Model settings"):
            ksaved = shot_choice(shot=shot, kind="keyframe").get("params") or {}
            kparams = user_overrides(cap=kcap, built=kplan.params, form=render_form(
                cap=kcap, key=f"kform_{sid}", media_choices=choices, on_upload=upload, values={**kplan.params, **ksaved}))
        g1, g2 = st.columns(2)
        if g1.button("Regenerate keyframe" if shot.keyframe_media_id else "Generate keyframe", key=f"gen_kf_{sid}",
                     disabled=not may("generate"), help=why_not("generate")):
            with shown_errors("Keyframe"):
                set_shot_model(shot_id=sid, kind="keyframe", provider=kpick[0], model=kpick[1], params=kparams)
                again = bool(shot.keyframe_media_id)
                _run([generation.generate_keyframe(shot_id=sid, force=again, seed=None if not again else idx + 1000 + len(
                    kf_versions))], "Keyframe", sid)
                st.rerun()
        if g2.button("2 candidates", key=f"cand_kf_{sid}", disabled=not may("generate"), help=why_not("generate")):
            with shown_errors("Candidates"):
                set_shot_model(shot_id=sid, kind="keyframe", provider=kpick[0], model=kpick[1], params=kparams)
                _run(generation.keyframe_candidates(shot_id=sid, count=2), "Candidate", sid)
                st.rerun()
        versions = kf_versions
        if len(versions) > 1:
            ids = [v.media_id for v in versions]
            by_id = {v.media_id: (len(ids) - i, v) for i, v in enumerate(versions)}
            # Keyed by the keyframe in use, so after a roll back or a new version the picker
            # starts on the keyframe the card shows, not on the one picked before.
            pick = st.selectbox("Keyframe versions", ids, key=f"kver_{sid}_{shot.keyframe_media_id}",
                                index=ids.index(shot.keyframe_media_id) if shot.keyframe_media_id in ids else 0,
                                format_func=lambda m, by_id=by_id, cur=shot.keyframe_media_id:
                                f"v{by_id[m][0]} · {by_id[m][1].timestamp:%H:%M:%S} · "
                                f"{by_id[m][1].provider} {by_id[m][1].model}" + (" · in use" if m == cur else ""))
            st.image(str(asset_path(media_id=pick)), width=160)
            v1, v2 = st.columns(2)
            if v1.button("Use this keyframe", key=f"use_kf_{sid}", disabled=pick == shot.keyframe_media_id):
                generation.choose_version(shot_id=sid, media_id=pick)
                _flash(sid, "success", f"Now using keyframe v{by_id[pick][0]}.")
                st.rerun()
            if v2.button("Roll back", key=f"rb_kf_{sid}", help="Go back to the keyframe before this one"):
                with shown_errors("Roll back"):
                    back = generation.rollback(shot_id=sid, kind="keyframe")
                    if back.keyframe_media_id in by_id:
                        _flash(sid, "success", f"Rolled back to keyframe v{by_id[back.keyframe_media_id][0]}.")
                    st.rerun()
    with clip_tab:
        cl_default = default_model(shot=shot, kind="clip")
        ccur = registry.get(provider=cl_default[0], model=cl_default[1])
        cpick = _pick("Video model", video_caps, (ccur.provider, ccur.model), f"cmodel_{sid}")
        ccap = registry.get(provider=cpick[0], model=cpick[1])
        schema_status(ccap)
        has_start = ccap.field_for_role("start_frame") is not None
        use_last = st.toggle("Use last frame of previous shot as start frame", value=shot.use_last_frame and has_start,
                             key=f"uselast_{sid}", disabled=not has_start or idx == 0,
                             help=None if has_start else f"{ccap.title} has no start-frame input")
        if not has_start:
            st.caption(f"⛔ Last frame of previous shot: {ccap.title} ({ccap.model}) has no start-frame input.")
        elif idx == 0:
            st.caption("The first shot has no previous shot.")
        if use_last != shot.use_last_frame and has_start:
            update_shot(shot_id=sid, use_last_frame=use_last)
        end = media_picker("End frame (a keyframe or image)", project_id=project.id, kind="image", key=f"end_{sid}",
                           current=shot.end_frame_media_id, disabled=ccap.field_for_role("end_frame") is None)
        if end != shot.end_frame_media_id and ccap.field_for_role("end_frame") is not None:
            update_shot(shot_id=sid, end_frame_media_id=end)
        with st.popover("Model settings"):
            try:
                cbuilt = generation.plan_for_shot(shot_id=sid, kind="clip", provider=cpick[0],
                                                  model=cpick[1], params={})[1].params
            except StoryreelError:  # e.g. no keyframe yet: the button below says why
                cbuilt = {}
            csaved = shot_choice(shot=shot, kind="clip").get("params") or {}
            cparams = user_overrides(cap=ccap, built=cbuilt, form=render_form(
                cap=ccap, key=f"cform_{sid}", media_choices=choices, on_upload=upload, values={**cbuilt, **csaved}))
        if st.button("Regenerate clip" if shot.clip_media_id else "Generate clip", key=f"gen_clip_{sid}",
                     disabled=not may("generate"), help=why_not("generate")):
            with shown_errors("Clip"):
                set_shot_model(shot_id=sid, kind="clip", provider=cpick[0], model=cpick[1], params=cparams)
                _run([generation.generate_clip(shot_id=sid, use_last_frame=use_last and has_start,
                                               force=bool(shot.clip_media_id))], "Clip", sid)
                st.rerun()
        if len(generation.shot_versions(shot_id=sid, kind="clip")) > 1 and st.button("Roll back clip", key=f"rb_clip_{sid}"):
            with shown_errors("Roll back"):
                generation.rollback(shot_id=sid, kind="clip")
                st.rerun()
    with more_tab:
        if idx + 1 < len(flat) and bridge_caps:
            bpick = _pick("Transition model (start + end frame)", bridge_caps, (ccap.provider, ccap.model), f"bmodel_{sid}")
            if st.button("Smooth transition to the next shot", key=f"bridge_{sid}", disabled=not may("generate"),
                         help=why_not("generate")):
                with shown_errors("Transition"):
                    _run([generation.smooth_transition(from_shot_id=sid, to_shot_id=flat[idx + 1].id,
                                                       provider=bpick[0], model=bpick[1])], "Transition", sid)
                    st.rerun()
        kind = st.radio("Compare", ["keyframe", "clip"], horizontal=True, key=f"cmp_kind_{sid}")
        pool = image_caps if kind == "keyframe" else video_caps
        picks = st.multiselect("Models to compare (2–4)", [(c.provider, c.model) for c in pool], key=f"cmp_{sid}",
                               max_selections=4, format_func=lambda k: f"{k[0]} · {k[1]}")
        if st.button("Compare side by side", key=f"cmp_go_{sid}", disabled=len(picks) < 2 or not may("generate"),
                     help="Pick at least two models" if len(picks) < 2 else why_not("generate")):
            with shown_errors("Comparison"):
                entries = comparison.start_comparison(shot_id=sid, kind=kind, choices=picks)
                st.session_state[f"cmp_res_{sid}"] = entries  # filled in as the jobs land
        for i, e in enumerate(st.session_state.get(f"cmp_res_{sid}") or []):
            e = comparison.refresh(entry=e)
            st.markdown(f"**{e.provider} · {e.model}** — {e.status}"
                        + (f", {e.seconds:.1f}s" if e.seconds is not None else "")
                        + (", cost unknown" if e.cost_usd is None else f", ≈${e.cost_usd:.2f}"))
            if e.media_id:
                _show(e.media_id, "keyframe" if kind == "keyframe" else "clip")
                if st.button("Keep this one", key=f"cmp_keep_{sid}_{i}"):
                    comparison.keep(shot_id=sid, entry=e)
                    st.session_state[f"cmp_res_{sid}"] = []
                    st.rerun()
            if e.error:
                st.error(e.error)
            st.json({"params": e.params, "inputs": e.inputs, "roles": e.roles}, expanded=False)
        for n, line in enumerate(shot.dialogue or []):
            who = cast_by_name.get(str(line.get("character", "")).upper())
            if who is None or not line.get("text"):
                continue
            st.markdown(f"🗣️ **{who.name}**: {line['text']}")
            a1, a2, a3 = st.columns(3)
            vkey = f"line_audio_{sid}_{n}"
            if a1.button("Voice this line", key=f"tts_{sid}_{n}", disabled=not may("generate"), help=why_not("generate")):
                with shown_errors("Voice"):
                    st.session_state[f"{vkey}_job"] = generation.tts(
                        provider=project.voice_provider, model=project.voice_model, text=line["text"],
                        character_id=who.character_id, project_id=project.id, shot_id=sid).id
            line_job = st.session_state.get(f"{vkey}_job")
            if line_job and not st.session_state.get(vkey):
                voiced = get_job(job_id=line_job)
                if voiced.status == "succeeded":
                    st.session_state[vkey] = voiced.result_media_id
                elif voiced.status in ("failed", "cancelled", "unknown_outcome"):
                    st.error(f"Voice: {voiced.error or voiced.status}")
                else:
                    st.caption("Voicing the line…")
            audio = st.session_state.get(vkey)
            if audio:
                st.audio(str(asset_path(media_id=audio)))
                lip_image = [(c.provider, c.model) for c in _caps("lipsync", "lipsync_image")]
                lip_video = [(c.provider, c.model) for c in _caps("lipsync", "lipsync_video")]
                if a2.button("Talking portrait", key=f"lipimg_{sid}_{n}", disabled=not lip_image or not may("generate"),
                             help=why_not("generate")):
                    with shown_errors("Talking portrait"):
                        st.session_state[f"{vkey}_portrait"] = generation.lipsync_image(
                            provider=lip_image[0][0], model=lip_image[0][1], audio_media_id=audio,
                            character_id=who.character_id, project_id=project.id).id
                portrait = st.session_state.get(f"{vkey}_portrait")
                if portrait:
                    made = get_job(job_id=portrait)
                    if made.result_media_id:
                        st.video(str(asset_path(media_id=made.result_media_id)))
                    else:
                        st.caption(f"Talking portrait: {made.status.replace('_', ' ')}")
                if a3.button("Re-lip-sync this shot", key=f"lipvid_{sid}_{n}", help=why_not("generate"),
                             disabled=not (lip_video and shot.clip_media_id) or not may("generate")):
                    with shown_errors("Lip sync"):
                        _run([generation.lipsync_video(provider=lip_video[0][0], model=lip_video[0][1],
                                                       video_media_id=shot.clip_media_id, audio_media_id=audio,
                                                       shot_id=sid, project_id=project.id)], "Lip sync", sid)
                        st.rerun()



with detail_col:
    detail(next(s for s in flat if s.id == st.session_state.sb_selected))
