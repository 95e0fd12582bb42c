"""The interactive timeline on Edit, as data: what the editor draws (shots, voice lines, music,
effects on one time axis, with waveforms and a playable mix) and the gestures it sends back
(reorder a shot, trim a shot's out or in point, move a line or an effect, set a gain), each saved
to the database.

Every gesture changes only what it names: a reorder renumbers shots, a trim changes one shot's
length (and, trimming its in point, where it starts in its clip), a move one sound's place, a gain one sound's level — so the renderer, which caches shot
segments by content, re-renders only the segments the change touched.
"""
from __future__ import annotations

import base64
import hashlib
from typing import Any

import numpy as np
from sqlmodel import select

from core.breakdowns import MAX_SHOT_S, MIN_SHOT_S, get_shot, move_shot_to, shot_labels, update_shot
from core.db import session
from core.errors import InvalidInput, NotFound
from core.media.ffmpeg import run_ffmpeg
from core.thumbnails import thumbnail
from core.models import TimelineItem
from core.render.mix import mix_timeline
from core.storage import atomic_write_bytes, scratch_dir
from core.timeline.store import _envelope, project_timeline, set_item_gain

PEAKS = 160  # waveform columns sent per sound
MIX_RATE = 22050
GESTURES = ("reorder", "trim", "trim_in", "move", "gain")


def _peaks(path: str, trim_in_s: float, duration_s: float, gain_db: float) -> list[float]:
    try:
        env = _envelope(path, trim_in_s, duration_s, PEAKS) * (10 ** (gain_db / 20))
    except Exception:  # noqa: BLE001 - an unreadable file still shows as a flat block
        env = np.full(PEAKS, 0.3)
    return [round(float(v), 3) for v in np.clip(env, 0, 1)]


def _data_url(path, mime: str) -> str:
    with open(path, "rb") as fh:
        return f"data:{mime};base64," + base64.b64encode(fh.read()).decode("ascii")


def mix_preview(*, timeline) -> str | None:
    """Return the path of a small MP3 of the timeline's sound mix (made once per timeline content),
    or None when the timeline has no sound."""
    if not timeline.audio():
        return None
    digest = hashlib.sha256(timeline.to_json().encode()).hexdigest()[:24]
    path = scratch_dir(name="editor_mix") / f"{digest}.mp3"
    if path.exists():
        return str(path)
    mix = mix_timeline(timeline=timeline, rate=MIX_RATE)
    pcm = (np.clip(mix.samples.mean(axis=1), -1, 1) * 32767).astype("<i2").tobytes()
    mp3 = run_ffmpeg(["-loglevel", "error", "-f", "s16le", "-ar", str(MIX_RATE), "-ac", "1", "-i", "pipe:0",
                      "-b:a", "48k", "-f", "mp3", "pipe:1"], what="Timeline mix preview", input_bytes=pcm)
    atomic_write_bytes(path=path, data=mp3)
    return str(path)


def editor_view(*, project_id: int, with_media: bool = True) -> dict[str, Any]:
    """Return what the timeline editor draws, JSON-ready: the film's length, its shots (id, label
    "1.2", start, duration, thumbnail), its sounds (row id, track, start, duration, gain, label,
    waveform peaks) and the mix as an MP3 data URL. Raises InvalidInput when no shot has media."""
    pt = project_timeline(project_id=project_id)
    tl = pt.timeline
    labels = shot_labels(project_id=project_id)
    by_id = {str(s.id): s for s in pt.shots}
    shots = []
    for v in tl.video:
        shot = by_id.get(v.shot_id)
        if shot is None:
            continue  # a title card: not a shot the user drags
        pic = thumbnail(media_id=shot.keyframe_media_id or shot.clip_media_id, width=160) if with_media else None
        shots.append({"shot_id": shot.id, "label": labels.get(shot.id, "?"), "start": round(v.start_s, 3),
                      "duration": round(v.duration_s, 3), "stored": float(shot.duration_s),
                      "trim_in": round(v.trim_in_s, 3),
                      "thumb": _data_url(pic, "image/jpeg") if pic else None})
    sounds = []
    for a in tl.audio():
        row_id = pt.rows.get(a.item_id)
        if row_id is None:
            continue
        shot_label = labels.get(int(a.shot_id), "") if a.shot_id else ""
        sounds.append({"row_id": row_id, "item_id": a.item_id, "track": a.track, "start": round(a.start_s, 3),
                       "duration": round(a.duration_s, 3), "gain_db": a.gain_db, "shot": shot_label,
                       "peaks": _peaks(a.path, a.trim_in_s, a.duration_s, a.gain_db)})
    with session() as s:
        rows = {r.id: r for r in s.exec(select(TimelineItem).where(TimelineItem.project_id == project_id)).all()}
    for snd in sounds:
        row = rows.get(snd["row_id"])
        extra = (row.extra or {}) if row else {}
        snd["label"] = (extra.get("character", "") + ": " + (row.text or "")[:40] if snd["track"] == "voice" and row
                        else extra.get("effect") or extra.get("label") or extra.get("mood") or snd["track"])
    mix = mix_preview(timeline=tl) if with_media else None
    return {"duration": round(tl.duration_s, 3), "shots": shots, "sounds": sounds,
            "audio": _data_url(mix, "audio/mpeg") if mix else None}


def apply_gesture(*, project_id: int, gesture: dict[str, Any]) -> str:
    """Save one editor gesture and return what changed, in words:

    - ``{"kind": "reorder", "shot_id", "index"}``: the shot moves to that place in film order;
    - ``{"kind": "trim", "shot_id", "duration"}``: the shot lasts that long (0.5–60 s);
    - ``{"kind": "trim_in", "shot_id", "trim_in"}``: the shot starts that many seconds into its clip
      (or its camera move) and ends where it ended, so it gets longer or shorter by the difference;
    - ``{"kind": "move", "row_id", "start"}``: a voice line moves inside its shot, an effect to the
      shot under its new start, at that offset;
    - ``{"kind": "gain", "row_id", "gain_db"}``: a sound's level.

    Raises InvalidInput for an unknown gesture or value, NotFound for an unknown shot or sound."""
    kind = gesture.get("kind")
    labels = shot_labels(project_id=project_id)
    if kind == "reorder":
        shot = _own_shot(project_id, int(gesture["shot_id"]))
        before = labels[shot.id]
        move_shot_to(shot_id=shot.id, index=int(gesture["index"]))
        return f"Moved shot {before} to {shot_labels(project_id=project_id)[shot.id]}."
    if kind == "trim":
        shot = _own_shot(project_id, int(gesture["shot_id"]))
        duration = round(float(gesture["duration"]) * 10) / 10  # a tenth of a second is as fine as a drag gets
        update_shot(shot_id=shot.id, duration_s=duration)
        return f"Shot {labels[shot.id]} now lasts {duration:.1f} s."
    if kind == "trim_in":
        return _trim_in(project_id=project_id, shot_id=int(gesture["shot_id"]), trim_in_s=float(gesture["trim_in"]),
                        label=labels)
    if kind == "gain":
        row = set_item_gain(row_id=int(gesture["row_id"]), gain_db=round(float(gesture["gain_db"]), 1))
        what = {"voice": "Voice line", "sfx": "Effect", "music": "Music"}.get(row.track, row.track)
        return f"{what} level set to {row.gain_db:+.1f} dB."
    if kind == "move":
        return _move_sound(project_id=project_id, row_id=int(gesture["row_id"]), start_s=float(gesture["start"]))
    raise InvalidInput(f"Unknown timeline gesture {kind!r}; known: {', '.join(GESTURES)}.", field="kind")


def _own_shot(project_id: int, shot_id: int):
    """Return the project's shot ``shot_id``; raises NotFound for a shot of another project (or none)."""
    shot = get_shot(shot_id=shot_id)
    if shot.project_id != project_id:
        raise NotFound(f"No shot {shot.id} in this project.", field="shot_id")
    return shot


def _trim_in(*, project_id: int, shot_id: int, trim_in_s: float, label: dict[int, str]) -> str:
    shot = _own_shot(project_id, shot_id)
    params = dict(shot.params or {})
    edit = dict(params.get("edit") or {})
    old_in = float(edit.get("trim_in_s") or 0.0)
    end = old_in + float(shot.duration_s)  # the out point in the source stays where it is
    new_in = min(max(round(trim_in_s * 10) / 10, 0.0), max(end - MIN_SHOT_S, 0.0))  # a tenth: as fine as a drag
    duration = round(min(end - new_in, MAX_SHOT_S), 3)
    if new_in:
        edit["trim_in_s"] = new_in
    else:
        edit.pop("trim_in_s", None)
    params["edit"] = edit
    update_shot(shot_id=shot.id, params=params, duration_s=duration)
    return f"Shot {label[shot.id]} now starts {new_in:.1f} s into its {'clip' if shot.clip_media_id else 'move'} and lasts {duration:.1f} s."


def _move_sound(*, project_id: int, row_id: int, start_s: float) -> str:
    tl = project_timeline(project_id=project_id).timeline
    start_s = max(0.0, min(float(start_s), max(tl.duration_s - 0.05, 0.0)))
    labels = shot_labels(project_id=project_id)
    with session() as s:
        row = s.get(TimelineItem, row_id)
        if row is None or row.project_id != project_id:
            raise NotFound(f"No sound {row_id} on this timeline.", field="row_id")
        if row.track not in ("voice", "sfx"):
            raise InvalidInput("Only voice lines and effects are moved; music runs under the whole film.",
                               field="row_id")
        shots = [v for v in tl.video if v.shot_id.isdigit()]
        if row.track == "sfx":  # an effect belongs to the shot it now starts in
            home = next((v for v in reversed(shots) if v.start_s <= start_s + 1e-6), shots[0])
            row.shot_id = int(home.shot_id)
        else:  # a line stays with its shot (its subtitles and lip sync follow the shot)
            home = next(v for v in shots if v.shot_id == str(row.shot_id))
        offset = round(max(0.0, start_s - home.start_s), 2)
        row.extra = {**(row.extra or {}), "offset_s": offset}
        s.add(row)
        what = "Line" if row.track == "voice" else f"Effect {(row.extra or {}).get('effect', '')}".strip()
    return f"{what} moved to {offset:.2f} s into shot {labels.get(int(home.shot_id), home.shot_id)}."
