"""A project's timeline from the database, and the user's edits to its sound.

Video comes from the shots in film order (the chosen clip, else the keyframe animated by the
shot's camera move). Sounds are ``TimelineItem`` rows: one ``voice`` row per spoken dialogue
block (media id, text, word timings), one ``music`` row, and ``sfx`` rows attached to shots;
each row's ``gain_db`` is the user's level. SFX the user removed are remembered in
``Project.settings["sfx_removed"]`` so automatic attachment does not bring them back.
``project_timeline`` turns all of it into a ``core.timeline.model.Timeline`` (subtitles from the voice
word timings), which is what the renderer, the pages and the API see.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlmodel import select

from core.breakdowns import list_scene_cards
from core.db import session
from core.errors import InvalidInput, NotFound
from core.models import Shot, TimelineItem
from core.projects import get_project, update_settings
from core.timeline.build import MusicBed, SfxCue, ShotMedia, VoiceLine, audio_duration, build_timeline
from core.timeline.model import Timeline
from core.media_assets import asset_path

# Words in a shot's action that call for an effect, matched as whole words with their
# inflections ("knocks", "knocked"), never inside other words ("scar" is no car, "trailer" no
# trail). Some words need their context: a door slams, but "SLAMMED against the wall" is an impact;
# "the wind" howls, but "she winds the clock" is no wind; "waves" crash, but "waves goodbye" is silent.
def _words(*stems: str) -> str:
    return r"\b(?:" + "|".join(stems) + r")\b"


SFX_RULES: dict[str, tuple[str, ...]] = {
    "footsteps": (_words(r"footsteps?", r"steps?", r"stepp(?:ed|ing)", r"walk(?:s|ed|ing)?", r"run(?:s|ning)?", "ran",
                         r"climb(?:s|ed|ing)?", r"stairs?", r"staircase", r"pac(?:es|ed|ing)", r"strides?", "strode",
                         r"approach(?:es|ed|ing)?", r"tiptoe(?:s|d)?", r"march(?:es|ed|ing)?", r"stomp(?:s|ed|ing)?",
                         r"hurr(?:y|ies|ied)", r"paces?"),),
    "door": (_words(r"doors?", r"doorway", r"knock(?:s|ed|ing)?", r"doorbell", r"creak(?:s|ed|ing)?", r"bursts? in",
                    r"barges? in"),),
    "impact": (_words(r"crash(?:es|ed|ing)?", r"hit(?:s|ting)?", r"punch(?:es|ed|ing)?", r"explo(?:des?|ded|sion|sions)",
                      r"smash(?:es|ed|ing)?", r"thud(?:s|ded)?", r"bang(?:s|ed|ing)?", r"collaps(?:es|ed|ing)",
                      r"slap(?:s|ped)?", r"kick(?:s|ed)?", r"falls?", "fell", r"slam(?:s|med|ming)?(?!\s+(?:the\s+)?door)",
                      r"pound(?:s|ed|ing)?"),),
    "glass": (_words(r"shatter(?:s|ed|ing)?", r"glass(?:es)? break(?:s)?", r"smash(?:es|ed)? the window"),),
    "sea": (_words(r"waves?(?!\s+(?:at|to|goodbye|hello|back|a hand|his|her|their|him|them))", "surf", "sea", "ocean",
                   r"tides?", "breakers", "spray", r"shore(?:line)?", "harbou?r", "pier", "beach"),),
    "car": (_words(r"cars?", r"engines?", r"trucks?", r"drives?", "driving", "drove", "traffic", r"taxis?", r"honk(?:s|ed)?",
                   r"vans?", r"motors?", r"motorbikes?", "ignition", r"headlights?"),),
    "rain": (_words("rain", r"rains", r"rain(?:ed|ing|y)", "drizzle", "downpour", r"storms?", "stormy", r"puddles?"),),
    "thunder": (_words("thunder", r"thunders", "lightning", r"rumbl(?:e|es|ed|ing)", r"storms?", "stormy"),),
    "wind": (_words(r"wind(?!s?\s+(?:up|down|the|a|an|his|her|their|its|through|around|back))", r"winds(?=\s*[.,;!]|\s+(?:howl|blow|whip|rise|pick))",
                    "breeze", r"gusts?", r"howl(?:s|ed|ing)?", "blustery", "draught", "draft"),),
    "crowd": (_words(r"crowds?", "chatter", r"bustl(?:e|es|ed|ing)", r"markets?", "audience", r"applau(?:d|ds|se)",
                     r"cheer(?:s|ed|ing)?", "party", "throng", "busy", r"stalls?", "vendors?"),),
    "birds": (_words(r"birds?", r"gulls?", r"seagulls?", r"chirp(?:s|ed|ing)?", r"crows?", r"sparrows?",
                     r"songbirds?", r"tweet(?:s|ed|ing)?", "dawn chorus"),),
    "whoosh": (_words("whoosh", "swoosh", "flies past", r"swings?", r"rush(?:es|ed)?", r"zooms?", r"dash(?:es|ed)?",
                      r"swipes?", r"flash(?:es|ed)?"),),
    "clock": (_words(r"clocks?", r"tick(?:s|ing|ed)?", "pendulum", "regulator", r"clockmakers?", "ticking"),),
    "phone": (_words(r"phones? (?:rings?|buzz(?:es)?|vibrates?)", r"rings? (?:and rings?|again)", "ringtone",
                     r"(?:the )?phone (?:rang|ringing)"),),
}
# Ambiences run under a whole scene, quietly; spot effects are short and sit a little louder.
AMBIENT = {"wind", "rain", "crowd", "birds", "sea", "clock"}
MAX_SFX_PER_SHOT = 2

_PATTERNS = {name: [re.compile(p, re.IGNORECASE) for p in pats] for name, pats in SFX_RULES.items()}
_DOOR_SLAM = re.compile(r"\bdoors?\b\W+(?:\w+\W+)?slam", re.IGNORECASE)  # the door effect slams already


def find_sfx(*, text: str) -> list[tuple[str, float]]:
    """Return (effect, where) for every effect ``text`` calls for, in the order they first appear,
    ``where`` being the position of the word in the text from 0 to 1 (the spot it should sound)."""
    found: list[tuple[int, str]] = []
    text = text or ""
    for name, pats in _PATTERNS.items():
        hits = [m.start() for p in pats for m in p.finditer(text)
                if not (name == "impact" and _DOOR_SLAM.search(text[max(0, m.start() - 25):m.end()]))]
        if hits:
            found.append((min(hits), name))
    n = max(len(text), 1)
    return [(name, pos / n) for pos, name in sorted(found)]


def detect_sfx(*, action: str) -> list[str]:
    """Return the effects an action line mentions, in the order they first appear (at most
    ``MAX_SFX_PER_SHOT``); e.g. "She knocks as the storm breaks" → ["door", "rain"]."""
    return [name for name, _ in find_sfx(text=action)][:MAX_SFX_PER_SHOT]


# --- rows ----------------------------------------------------------------------------------------
def list_items(*, project_id: int, track: str | None = None) -> list[TimelineItem]:
    """Return the project's timeline rows (of one track when given), ordered by shot and start."""
    with session() as s:
        q = select(TimelineItem).where(TimelineItem.project_id == project_id)
        if track:
            q = q.where(TimelineItem.track == track)
        rows = list(s.exec(q).all())
    return sorted(rows, key=lambda r: (r.track, r.shot_id or 0, r.extra.get("line", 0), r.id or 0))


def add_item(*, project_id: int, track: str, media_id: str, shot_id: int | None = None, gain_db: float = 0.0,
             text: str = "", duration_s: float = 0.0, extra: dict | None = None) -> TimelineItem:
    """Store one sound row and return it."""
    row = TimelineItem(project_id=project_id, track=track, media_id=media_id, shot_id=shot_id, gain_db=gain_db,
                       text=text, duration_s=duration_s, extra=dict(extra or {}))
    with session() as s:
        s.add(row)
    return row


def delete_items(*, project_id: int, track: str, shot_id: int | None = None, line: int | None = None) -> int:
    """Delete the rows of a track (of one shot / dialogue line when given); returns how many."""
    n = 0
    with session() as s:
        q = select(TimelineItem).where(TimelineItem.project_id == project_id, TimelineItem.track == track)
        if shot_id is not None:
            q = q.where(TimelineItem.shot_id == shot_id)
        for row in s.exec(q).all():
            if line is None or row.extra.get("line") == line:
                s.delete(row)
                n += 1
    return n


def set_item_gain(*, row_id: int, gain_db: float) -> TimelineItem:
    """Set one sound's level in dB; returns the row. Raises NotFound, InvalidInput (range −60…+12)."""
    if not -60.0 <= float(gain_db) <= 12.0:
        raise InvalidInput("Gain must be between -60 and +12 dB.", field="gain_db")
    with session() as s:
        row = s.get(TimelineItem, row_id)
        if row is None:
            raise NotFound(f"No timeline item {row_id}.", field="row_id")
        row.gain_db = float(gain_db)
        s.add(row)
    return row


def remove_sfx(*, row_id: int) -> None:
    """Remove an effect from its shot and remember it, so automatic attachment skips it later."""
    with session() as s:
        row = s.get(TimelineItem, row_id)
        if row is None or row.track != "sfx":
            raise NotFound(f"No sound effect {row_id}.", field="row_id")
        project_id, key = row.project_id, f"{row.shot_id}:{row.extra.get('effect', '')}"
        s.delete(row)
    update_settings(project_id=project_id, edit=lambda settings: settings.update(
        sfx_removed=sorted(set(settings.get("sfx_removed", [])) | {key})))


def removed_sfx(*, project_id: int) -> set[str]:
    """Return the "shot_id:effect" keys the user removed."""
    return set((get_project(project_id=project_id).settings or {}).get("sfx_removed", []))


# --- the timeline --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProjectTimeline:
    """The built timeline plus what the pages need beside it."""

    timeline: Timeline
    shots: list[Shot]  # the shots on the timeline, in order
    missing: list[Shot]  # shots without keyframe or clip (left out)
    stale_lines: int  # voice rows whose text no longer matches the shot's dialogue
    rows: dict[str, int] = field(default_factory=dict)  # timeline item id → TimelineItem row id (sounds)


def shot_source(shot: Shot) -> tuple[str | None, str | None]:
    """Return (clip path, keyframe path) of a shot, None where it has none (or the file is gone)."""

    out = []
    for mid in (shot.clip_media_id, shot.keyframe_media_id):
        try:
            out.append(str(asset_path(media_id=mid)) if mid else None)
        except NotFound:
            out.append(None)
    return out[0], out[1]


def _voice_lines(project_id: int, shots: dict[int, Shot], rows: dict[str, int] | None = None
                 ) -> tuple[list[VoiceLine], int]:
    """Return the voice lines to place (and how many are stale); fills ``rows`` with the item id
    each placed row gets on the timeline ("voice:<shot>:<n>")."""

    lines, stale = [], 0
    per_shot: dict[int, int] = {}
    for row in list_items(project_id=project_id, track="voice"):
        shot = shots.get(row.shot_id)
        if shot is None:
            continue
        i = int(row.extra.get("line", 0))
        dialogue = shot.dialogue or []
        if i >= len(dialogue) or (dialogue[i].get("text") or "").strip() != row.text.strip():
            stale += 1  # the line was edited since it was voiced: leave it out until regenerated
            continue
        words = [(w["word"], float(w["start_s"]), float(w["end_s"])) for w in row.extra.get("words", [])]
        offset = row.extra.get("offset_s")
        lines.append(VoiceLine(shot_id=str(row.shot_id), path=str(asset_path(media_id=row.media_id)),
                               speaker=row.extra.get("character", ""), text=row.text, words=words,
                               duration_s=row.duration_s or None, gain_db=row.gain_db,
                               offset_s=None if offset is None else float(offset)))
        n = per_shot.get(row.shot_id, 0)
        per_shot[row.shot_id] = n + 1
        if rows is not None:
            rows[f"voice:{row.shot_id}:{n}"] = row.id
    return lines, stale


def project_timeline(*, project_id: int, scene_id: int | None = None, subtitles: bool = True,
                     aspect_ratio: str | None = None, fps: int = 24) -> ProjectTimeline:
    """Build the project's (or one scene's) timeline from its shots and sound rows.

    Returns a ProjectTimeline. Raises NotFound for an unknown project, InvalidInput when no shot
    has a keyframe or clip yet (field ``shots``) or a sound file cannot be read.
    """

    project = get_project(project_id=project_id)
    cards = [c for c in list_scene_cards(project_id=project_id) if scene_id is None or c.scene.id == scene_id]
    if scene_id is not None and not cards:
        raise NotFound(f"No scene with id {scene_id} in this project.", field="scene_id")
    placed, missing, media = [], [], []
    for shot in (sh for c in cards for sh in c.shots):
        clip, key = shot_source(shot)
        if not (clip or key):
            missing.append(shot)
            continue
        placed.append(shot)
        edit = (shot.params or {}).get("edit") or {}
        media.append(ShotMedia(shot_id=str(shot.id), duration_s=max(float(shot.duration_s), 0.5), clip_path=clip,
                               keyframe_path=key, camera_move=shot.camera_move,
                               trim_in_s=max(float(edit.get("trim_in_s") or 0.0), 0.0),
                               transition_in=edit.get("transition_in") or "cut",
                               transition_out=edit.get("transition_out") or "cut",
                               titles_before=list(edit.get("titles_before") or []),
                               titles_after=list(edit.get("titles_after") or [])))
    if not media:
        raise InvalidInput("No shot has a keyframe or clip yet: make keyframes on the Storyboard step.",
                           field="shots")
    by_id = {sh.id: sh for sh in placed}
    rows: dict[str, int] = {}
    lines, stale = _voice_lines(project_id, by_id, rows)
    music = None
    music_rows = list_items(project_id=project_id, track="music")
    if music_rows:
        m = music_rows[-1]
        music = MusicBed(path=str(asset_path(media_id=m.media_id)), gain_db=m.gain_db)
        rows["music"] = m.id
    sfx = []
    sfx_per_shot: dict[int, int] = {}
    for row in list_items(project_id=project_id, track="sfx"):
        if row.shot_id in by_id:
            n = sfx_per_shot.get(row.shot_id, 0)
            sfx_per_shot[row.shot_id] = n + 1
            rows[f"sfx:{row.shot_id}:{n}"] = row.id
            path = str(asset_path(media_id=row.media_id))
            sfx.append(SfxCue(shot_id=str(row.shot_id), path=path, offset_s=float(row.extra.get("offset_s", 0.0)),
                              duration_s=row.duration_s or audio_duration(path=path), gain_db=row.gain_db,
                              trim_in_s=float(row.extra.get("trim_in_s", 0.0)), loop=bool(row.extra.get("loop")),
                              fade_in_s=float(row.extra.get("fade_in_s", 0.0)),
                              fade_out_s=float(row.extra.get("fade_out_s", 0.05))))
    tl = build_timeline(shots=media, voice_lines=lines, music=music, sfx=sfx, fps=fps,
                        aspect_ratio=aspect_ratio or project.aspect_ratio, subtitles=subtitles)
    return ProjectTimeline(timeline=tl, shots=placed, missing=missing, stale_lines=stale, rows=rows)


def shot_starts(*, timeline: Timeline) -> dict[str, float]:
    """Return {shot_id: start second} of the video items (for jump-to-shot)."""
    return {v.shot_id: v.start_s for v in timeline.video}


# --- picture of the timeline (the Edit page shows it) ----------------------------------------------
TRACK_COLOURS = {"video": (86, 120, 200), "voice": (220, 130, 60), "music": (90, 170, 110),
                 "sfx": (190, 90, 170), "subtitle": (150, 150, 150)}


def _envelope(path: str, trim_in_s: float, duration_s: float, columns: int) -> "np.ndarray":
    """Return the peak level (0–1) of a sound in ``columns`` equal slices of its placed span."""
    import numpy as np
    import soundfile as sf

    info = sf.info(path)
    start = int(trim_in_s * info.samplerate)
    data, _ = sf.read(path, start=min(start, info.frames), frames=int(duration_s * info.samplerate),
                      dtype="float32", always_2d=True)
    mono = np.abs(data).max(axis=1) if len(data) else np.zeros(1, dtype=np.float32)
    if len(mono) < columns:
        mono = np.pad(mono, (0, columns - len(mono)))
    return np.array([c.max() for c in np.array_split(mono, max(columns, 1))])


def timeline_picture(*, timeline: Timeline, width: int = 1200, lane: int = 34):
    """Return an RGB PIL image of the timeline: one lane per track (video, voice, music, sfx,
    subtitle), shot blocks numbered, every sound drawn as its waveform (gain applied), cues as bars."""
    import numpy as np
    from PIL import Image, ImageDraw

    total = max(timeline.duration_s, 0.1)
    tracks = ("video", "voice", "music", "sfx", "subtitle")
    label_w, top = 70, 16
    img = Image.new("RGB", (width, top + lane * len(tracks) + 4), (28, 30, 36))
    d = ImageDraw.Draw(img)
    px = (width - label_w - 4) / total

    def x(t: float) -> int:
        return int(label_w + t * px)

    for s in range(0, int(total) + 1, 1 if total <= 20 else 5):
        d.line([(x(s), top - 4), (x(s), img.height)], fill=(48, 50, 58))
        d.text((x(s) + 2, 2), f"{s}s", fill=(160, 160, 170))
    for row, track in enumerate(tracks):
        y0 = top + row * lane
        d.text((6, y0 + lane // 2 - 6), track, fill=(220, 220, 230))
        colour = TRACK_COLOURS[track]
        if track == "video":
            for n, v in enumerate(timeline.video, 1):
                d.rectangle([x(v.start_s) + 1, y0 + 3, x(v.end_s) - 1, y0 + lane - 3], fill=colour, outline=(230, 230, 240))
                d.text((x(v.start_s) + 4, y0 + 8), f"{n}", fill=(255, 255, 255))
        elif track == "subtitle":
            for c in timeline.cues:
                d.rectangle([x(c.start_s), y0 + 10, x(c.end_s), y0 + lane - 10], fill=colour)
        else:
            for a in timeline.audio(track):
                cols = max(x(a.end_s) - x(a.start_s), 1)
                try:
                    env = _envelope(a.path, a.trim_in_s, a.duration_s, cols) * (10 ** (a.gain_db / 20))
                except Exception:  # an unreadable file still shows as a block
                    env = np.full(cols, 0.5)
                mid, half = y0 + lane // 2, lane // 2 - 3
                d.rectangle([x(a.start_s), y0 + 3, x(a.end_s), y0 + lane - 3], outline=colour)
                for i, level in enumerate(np.clip(env, 0, 1)):
                    h = max(int(level * half), 1)
                    d.line([(x(a.start_s) + i, mid - h), (x(a.start_s) + i, mid + h)], fill=colour)
    return img
